"""The staff's project list (filters, pagination), and the dashboard of reports due and overdue:
who may open them, what each filter keeps, and queries that do not grow with the rows."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.models import Instrument
from projects.models import Payment, Project, Report
from tests.calls.factories import ZoneFactory
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory

from .factories import bulk_projects

pytestmark = pytest.mark.django_db

PAGES = ["staff_list", "staff_dashboard", "staff_export_csv", "staff_export_xlsx"]


def url(name, language="en"):
    return f"/{language}" + reverse(f"projects:{name}").removeprefix("/fr").removeprefix("/en")


def listed(response):
    return sorted(project.reference for project in response.context["projects"])


def refs(projects):
    return sorted(project.reference for project in projects)


def viewing_staff():
    """A staff member holding only what the pages ask (no superuser shortcut)."""
    user = StaffFactory(is_superuser=False)
    user.user_permissions.add(Permission.objects.get(content_type__app_label="projects", codename="view_project"))
    return user


def make_overdue(project, days=10):
    """The project's first report, still owed, due `days` ago."""
    report = project.reports.order_by("due_on").first()
    Report.objects.filter(pk=report.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=days))
    return report


# --- Who may open the pages -------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_staff_who_may_see_projects_open_every_staff_page(client, page):
    bulk_projects(1)
    client.force_login(viewing_staff())
    assert client.get(url(page)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_staff_without_the_permission_get_403_naming_it(client, page):
    client.force_login(StaffFactory(is_superuser=False))
    response = client.get(url(page))
    assert response.status_code == 403
    assert "Funded projects: see" in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("make_user", [ResearcherFactory, ReviewerFactory], ids=["researcher", "reviewer"])
def test_researchers_and_reviewers_get_404(client, page, make_user):
    client.force_login(make_user())
    assert client.get(url(page)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_log_in(client, page):
    response = client.get(url(page))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- The list --------------------------------------------------------------------------------------


def test_the_list_shows_each_project_with_its_money_next_report_and_overdue_badge(client, staff):
    [project] = bulk_projects(1, amount="60000.00")
    Payment.objects.create(project=project, amount=Decimal("12000.00"), paid_on=datetime.date(2026, 1, 15))
    make_overdue(project, days=3)
    client.force_login(staff)
    response = client.get(url("staff_list"))
    row = response.context["projects"][0]
    assert row.paid == Decimal("12000.00")
    assert row.overdue_reports == 1
    assert row.next_report_due == timezone.localdate() - datetime.timedelta(days=3)
    page = response.content.decode()
    assert reverse("projects:detail", args=[project.pk]) in page
    assert "60,000&nbsp;€" in page and "12,000&nbsp;€" in page
    assert "1 overdue report" in page
    assert "Japan" in page
    assert 'class="table-responsive"' in page and "<caption>" in page


def test_the_list_says_when_no_project_matches_the_filters(client, staff):
    bulk_projects(1, status=Project.Status.ACTIVE)
    client.force_login(staff)
    response = client.get(url("staff_list"), {"status": Project.Status.CLOSED})
    assert response.context["projects"] == []
    assert "No funded project matches these filters." in response.content.decode()


def test_the_list_without_projects_says_where_they_come_from(client, staff):
    client.force_login(staff)
    page = client.get(url("staff_list")).content.decode()
    assert "No funded project yet" in page


def test_filtering_by_instrument_keeps_its_projects(client, staff):
    pri = bulk_projects(2, instrument=Instrument.Code.PRI)
    bulk_projects(1, instrument=Instrument.Code.TREMPLIN)
    client.force_login(staff)
    response = client.get(url("staff_list"), {"instrument": "PRI"})
    assert listed(response) == refs(pri)


def test_filtering_by_call_and_by_the_calls_year_keeps_their_projects(client, staff):
    first = bulk_projects(2)
    other = bulk_projects(1)
    call = other[0].call
    call.year = 2024
    call.save(update_fields=["year"])
    client.force_login(staff)
    assert listed(client.get(url("staff_list"), {"call": first[0].call_id})) == refs(first)
    assert listed(client.get(url("staff_list"), {"year": 2024})) == refs(other)


def test_filtering_by_zone_keeps_projects_with_a_current_partner_in_it(client, staff):
    zone = ZoneFactory(countries=["JP", "KR"])
    japan = bulk_projects(1, country="JP")
    korea = bulk_projects(1, country="KR")
    brazil = bulk_projects(1, country="BR")
    left = bulk_projects(1, country="KR")
    left[0].partners.update(left_on=datetime.date(2026, 6, 1))
    client.force_login(staff)
    response = client.get(url("staff_list"), {"zone": zone.code})
    assert listed(response) == refs(japan + korea)
    assert brazil[0].reference not in listed(response)


def test_filtering_by_partner_country_keeps_its_projects(client, staff):
    bulk_projects(1, country="JP")
    brazil = bulk_projects(2, country="BR")
    client.force_login(staff)
    assert listed(client.get(url("staff_list"), {"country": "BR"})) == refs(brazil)


def test_filtering_by_status_keeps_its_projects(client, staff):
    bulk_projects(1, status=Project.Status.ACTIVE)
    suspended = bulk_projects(1, status=Project.Status.SUSPENDED)
    client.force_login(staff)
    assert listed(client.get(url("staff_list"), {"status": "suspended"})) == refs(suspended)


def test_filtering_by_overdue_reports_keeps_the_late_projects_or_the_others(client, staff):
    late = bulk_projects(1)
    on_time = bulk_projects(2, start=timezone.localdate())
    make_overdue(late[0])
    client.force_login(staff)
    assert listed(client.get(url("staff_list"), {"overdue": "yes"})) == refs(late)
    assert listed(client.get(url("staff_list"), {"overdue": "no"})) == refs(on_time)


def test_searching_finds_a_project_by_reference_title_or_lead_name(client, staff):
    projects = bulk_projects(3, titles=["Zebrafish hearts", "Malaria vectors", "Ageing brains"])
    lead = projects[2].lead
    lead.last_name = "Okonkwo"
    lead.save(update_fields=["last_name"])
    client.force_login(staff)
    assert listed(client.get(url("staff_list"), {"q": "zebrafish"})) == [projects[0].reference]
    assert listed(client.get(url("staff_list"), {"q": projects[1].reference})) == [projects[1].reference]
    assert listed(client.get(url("staff_list"), {"q": "okonkwo"})) == [projects[2].reference]


def test_a_bad_filter_value_is_shown_with_its_error_and_the_form_keeps_the_rest(client, staff):
    bulk_projects(1)
    client.force_login(staff)
    response = client.get(url("staff_list"), {"status": "nonsense", "q": "brains"})
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert "Select a valid choice." in page
    assert 'value="brains"' in page


def test_pages_of_50_keep_the_filters(client, staff):
    bulk_projects(51, instrument=Instrument.Code.TREMPLIN)
    client.force_login(staff)
    response = client.get(url("staff_list"), {"instrument": "TREMPLIN"})
    assert len(response.context["projects"]) == 50
    assert "?instrument=TREMPLIN&amp;page=2" in response.content.decode()
    second = client.get(url("staff_list"), {"instrument": "TREMPLIN", "page": 2})
    assert len(second.context["projects"]) == 1


def test_the_list_and_the_dashboard_link_to_each_other(client, staff):
    client.force_login(staff)
    assert url("staff_dashboard") in client.get(url("staff_list")).content.decode()
    assert url("staff_list") in client.get(url("staff_dashboard")).content.decode()


def _queries(client, page, **query):
    client.get(url(page), query)  # the session's and permissions' caches, as for any later request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(page), query)
    assert response.status_code == 200
    return len(queries.captured_queries)


def _with_reports_due_and_overdue(projects):
    today = timezone.localdate()
    for project in projects:
        first, second = project.reports.order_by("due_on")[:2]
        Report.objects.filter(pk=first.pk).update(due_on=today - datetime.timedelta(days=40))
        Report.objects.filter(pk=second.pk).update(due_on=today)
        Payment.objects.create(project=project, amount=Decimal("100.00"), paid_on=datetime.date(2026, 2, 1))


@pytest.mark.parametrize("page", ["staff_list", "staff_dashboard"])
def test_the_page_costs_the_same_queries_with_1_and_30_projects(client, page, django_assert_num_queries):
    client.force_login(viewing_staff())
    _with_reports_due_and_overdue(bulk_projects(1))
    one = _queries(client, page)
    _with_reports_due_and_overdue(bulk_projects(29, country="BR"))
    client.get(url(page))
    with django_assert_num_queries(one):
        response = client.get(url(page))
    rows = response.context["projects"] if page == "staff_list" else response.context["overdue_reports"]
    assert len(rows) == 30


def test_the_filtered_list_costs_the_same_queries_with_1_and_30_projects(client, staff):
    zone = ZoneFactory(countries=["JP"])
    client.force_login(staff)
    filters = {"zone": zone.code, "overdue": "no", "q": "project", "year": 2026}
    bulk_projects(1)
    one = _queries(client, "staff_list", **filters)
    bulk_projects(29)
    assert _queries(client, "staff_list", **filters) == one


# --- The dashboard --------------------------------------------------------------------------------


def test_the_dashboard_lists_reports_due_this_month_and_overdue_with_their_delay(client, staff):
    today = timezone.localdate()
    due, late, later = bulk_projects(3)
    Report.objects.filter(pk=due.reports.order_by("due_on").first().pk).update(due_on=today)
    make_overdue(late, days=45)
    Report.objects.filter(project=later).update(due_on=today + datetime.timedelta(days=70))
    client.force_login(staff)
    response = client.get(url("staff_dashboard"))
    assert [r.project_id for r in response.context["due_reports"]] == [due.pk]
    [overdue] = response.context["overdue_reports"]
    assert (overdue.project_id, overdue.days_overdue) == (late.pk, 45)
    page = response.content.decode()
    assert "45 days" in page
    assert f"/projects/{late.pk}/" in page
    counts = {status: count for status, _label, count in response.context["by_status"]}
    assert counts["active"] == 3 and counts["closed"] == 0


def test_a_report_submitted_or_waived_is_not_overdue(client, staff):
    first, second = bulk_projects(2)
    for project, status in ((first, Report.Status.SUBMITTED), (second, Report.Status.WAIVED)):
        report = make_overdue(project)
        Report.objects.filter(pk=report.pk).update(status=status)
    client.force_login(staff)
    response = client.get(url("staff_dashboard"))
    assert response.context["overdue_reports"] == []
    assert "No report is overdue." in response.content.decode()
