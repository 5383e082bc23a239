"""The researcher's "My projects" on the dashboard, the project page's header and who may open
it, and staff's actions on it (start date, suspend, resume, end early)."""

import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from projects import services
from projects.models import Project, Report
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory

from .factories import aware, funded_project

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
DASHBOARD = "/en/applications/"
JUNE_2027 = datetime(2027, 6, 15, 10, 0, tzinfo=PARIS)


def page(project):
    return f"/en/projects/{project.pk}/"


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    """The page's visible text, tags removed and spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())
    return re.sub(r" ([,.:;)])", r"\1", text)


def staff_with(*codenames):
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="projects", codename__in=codenames))
    return staff


def pri_project(staff=None):
    """A PRI decided on 20 November 2026: from 1 December 2026 to 30 November 2031, active."""
    project = funded_project("PRI", "60000.00", decided_at=aware(2026, 11, 20), staff=staff)
    services.advance_projects()
    project.refresh_from_db()
    return project


# --- My projects on the dashboard --------------------------------------------------------------


@time_machine.travel(JUNE_2027, tick=False)
def test_the_dashboard_shows_my_project_with_its_next_report_due_and_the_time_elapsed(staff):
    project = pri_project(staff)
    response = logged_in(project.lead).get(DASHBOARD)
    body = response.content.decode()
    text = text_of(response)
    assert "My funded projects" in text
    assert f'href="{page(project)}"' in body
    assert project.title in text and project.reference in text
    assert "International research projects" in text
    assert "Active" in text
    # 196 days of 1,826 have passed on 15 June 2027.
    assert 'role="progressbar" aria-valuenow="11" aria-valuemin="0" aria-valuemax="100"' in body
    assert "11 % of the project's time · From Dec. 1, 2026 to Nov. 30, 2031" in text
    assert "Next report due: Progress report, year 1, Dec. 1, 2027" in text
    assert "overdue" not in text
    year_1 = project.reports.get(kind="progress", sequence=1)
    assert f'href="{page(project)}reports/{year_1.pk}/">Progress report, year 1</a>' in body


@time_machine.travel(datetime(2027, 12, 10, 10, 0, tzinfo=PARIS), tick=False)
def test_a_report_past_its_due_date_is_marked_overdue_on_the_dashboard(staff):
    project = pri_project(staff)
    text = text_of(logged_in(project.lead).get(DASHBOARD))
    assert "Next report due: Progress report, year 1, Dec. 1, 2027 overdue" in text


@time_machine.travel(JUNE_2027, tick=False)
def test_a_submitted_report_is_no_longer_the_next_one_due(staff):
    project = pri_project(staff)
    Report.objects.filter(project=project, kind="progress", sequence=1).update(status=Report.Status.SUBMITTED)
    text = text_of(logged_in(project.lead).get(DASHBOARD))
    assert "Next report due: Progress report, year 2, Dec. 1, 2028" in text


@time_machine.travel(JUNE_2027, tick=False)
def test_another_researcher_does_not_see_the_project_and_one_without_projects_sees_no_section(staff):
    project = pri_project(staff)
    other = ResearcherFactory()
    response = logged_in(other).get(DASHBOARD)
    assert response.status_code == 200
    assert project.title not in response.content.decode()
    assert "My funded projects" not in response.content.decode()
    assert 'role="progressbar"' not in response.content.decode()


def _dashboard_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return len(queries.captured_queries), response


@time_machine.travel(JUNE_2027, tick=False)
def test_the_dashboard_costs_the_same_queries_with_1_and_4_projects(staff, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    first = pri_project(staff)
    client = logged_in(first.lead)
    client.get(DASHBOARD)  # warm up the session and content types
    one, _response = _dashboard_queries(client)
    others = [funded_project("TREMPLIN", staff=staff) for _ in range(3)]
    Project.objects.filter(pk__in=[p.pk for p in others]).update(lead=first.lead)
    four, response = _dashboard_queries(client)
    assert four == one
    assert len(response.context["dashboard_sections"][0][1]["projects"]) == 4


# --- The project page: who may open it ---------------------------------------------------------


@pytest.mark.parametrize(
    "who, status",
    [
        ("other_researcher", 404),
        ("reviewer", 404),
        ("staff_without_permission", 403),
        ("lead", 200),
        ("staff_who_sees_projects", 200),
        ("superuser_staff", 200),
    ],
)
def test_the_project_page_opens_for_its_lead_and_staff_only(who, status, staff):
    project = funded_project(staff=staff)
    user = {
        "other_researcher": ResearcherFactory,
        "reviewer": ReviewerFactory,
        "staff_without_permission": lambda: StaffFactory(is_superuser=False),
        "lead": lambda: project.lead,
        "staff_who_sees_projects": lambda: staff_with("view_project"),
        "superuser_staff": lambda: staff,
    }[who]()
    response = logged_in(user).get(page(project))
    assert response.status_code == status
    if status == 404:
        assert project.title not in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_log_in(staff):
    project = funded_project(staff=staff)
    response = Client().get(page(project))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@time_machine.travel(JUNE_2027, tick=False)
def test_the_project_page_header_shows_status_dates_lead_call_instrument_and_award(staff):
    project = pri_project(staff)
    project.lead.first_name, project.lead.last_name = "Camille", "Durand"
    project.lead.save()
    response = logged_in(project.lead).get(page(project))
    text = text_of(response)
    body = response.content.decode()
    assert f'<h1 class="h2 mb-1 text-break">{project.title}</h1>' in body
    assert "Status: Active" in text
    assert "Lead researcher Camille Durand" in text
    assert f"Call {project.call.title}" in text
    assert "Instrument International research projects" in text
    assert "Decided on Nov. 20, 2026" in text
    assert "Dates From Dec. 1, 2026 to Nov. 30, 2031" in text
    assert "Amount awarded 60,000 €" in text
    assert 'aria-valuenow="11"' in body
    # The lead's breadcrumb leads back to their dashboard, staff's to the project list.
    assert f'<a href="{DASHBOARD}">My applications</a>' in body
    staff_page = logged_in(staff).get(page(project)).content.decode()
    assert '<li class="breadcrumb-item"><a href="/en/projects/staff/">Funded projects</a></li>' in staff_page
    assert f'<a href="{DASHBOARD}">' not in staff_page


# --- Staff's actions ----------------------------------------------------------------------------


def test_the_lead_and_staff_who_only_see_projects_get_no_staff_forms(staff):
    project = funded_project(staff=staff)
    for user in (project.lead, staff_with("view_project")):
        body = logged_in(user).get(page(project)).content.decode()
        assert "Staff actions" not in body
        assert "/suspend/" not in body
    assert (
        "Staff actions" in logged_in(staff_with("view_project", "change_project")).get(page(project)).content.decode()
    )


@pytest.mark.parametrize("action", ["start-date", "suspend", "resume", "terminate"])
def test_a_researcher_posting_a_staff_action_gets_404_and_staff_without_the_permission_403(action, staff):
    project = funded_project(staff=staff)
    data = {"start-start": "2027-01-01", "suspend-reason": "x", "terminate-reason": "x", "terminate-confirm": "on"}
    address = f"{page(project)}{action}/"
    assert logged_in(project.lead).post(address, data).status_code == 404
    assert logged_in(ResearcherFactory()).post(address, data).status_code == 404
    assert logged_in(staff_with("view_project")).post(address, data).status_code == 403
    project.refresh_from_db()
    assert project.status == Project.Status.STARTING
    assert logged_in(staff).get(address).status_code == 405


@time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=PARIS), tick=False)
def test_a_start_date_before_the_decision_is_refused_on_the_page_with_the_date_typed_kept(staff):
    project = funded_project("PRI", "60000.00", decided_at=aware(2026, 11, 20), staff=staff)
    manager = staff_with("view_project", "change_project")
    response = logged_in(manager).post(f"{page(project)}start-date/", {"start-start": "2026-11-02"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The project cannot start before its decision, on Nov. 20, 2026." in text_of(response)
    assert 'value="2026-11-02"' in body
    assert 'class="form-control is-invalid"' in body
    project.refresh_from_db()
    assert project.start_date == date(2026, 12, 1)


@time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=PARIS), tick=False)
def test_a_start_date_that_is_not_a_date_is_refused_with_the_text_kept(staff):
    project = funded_project(staff=staff)
    response = logged_in(staff).post(f"{page(project)}start-date/", {"start-start": "next monday"})
    assert response.status_code == 200
    assert "Give the start date as a date." in text_of(response)
    assert 'value="next monday"' in response.content.decode()


@time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=PARIS), tick=False)
def test_staff_set_the_start_date_and_the_dates_and_reports_move(staff):
    project = funded_project("PRI", "60000.00", decided_at=aware(2026, 11, 20), staff=staff)
    client = logged_in(staff)
    response = client.post(f"{page(project)}start-date/", {"start-start": "2027-01-15"})
    assert response.status_code == 302 and response["Location"] == page(project)
    project.refresh_from_db()
    assert (project.start_date, project.end_date) == (date(2027, 1, 15), date(2032, 1, 14))
    assert project.reports.order_by("due_on").first().due_on == date(2028, 1, 15)
    text = text_of(client.get(page(project)))
    assert "The project starts on Jan. 15, 2027 and ends on Jan. 14, 2032." in text
    assert 'value="2027-01-15"' in client.get(page(project)).content.decode()


@time_machine.travel(JUNE_2027, tick=False)
def test_suspending_needs_a_reason_then_staff_suspend_and_resume(staff):
    project = pri_project(staff)
    client = logged_in(staff)
    response = client.post(f"{page(project)}suspend/", {"suspend-reason": "   "})
    assert response.status_code == 200
    assert "Say why the project is suspended." in text_of(response)
    assert '<details class="mb-3" open>' in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE

    response = client.post(f"{page(project)}suspend/", {"suspend-reason": "Partner lab closed for works"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.SUSPENDED
    text = text_of(client.get(page(project)))
    assert f"Project {project.reference} is suspended." in text
    assert "Resume the project" in text

    assert client.post(f"{page(project)}resume/").status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert f"Project {project.reference} is resumed: active." in text_of(client.get(page(project)))


@time_machine.travel(JUNE_2027, tick=False)
def test_resuming_a_project_that_is_not_suspended_is_refused_with_the_reason(staff):
    project = pri_project(staff)
    client = logged_in(staff)
    response = client.post(f"{page(project)}resume/")
    assert response.status_code == 302
    assert "Only a suspended project can be resumed." in text_of(client.get(page(project)))


@time_machine.travel(JUNE_2027, tick=False)
def test_ending_early_states_the_consequence_needs_reason_and_confirmation_and_waives_reports(staff):
    project = pri_project(staff)
    client = logged_in(staff)
    text = text_of(client.get(page(project)))
    assert "the reports not yet submitted are waived" in text

    response = client.post(f"{page(project)}terminate/", {"terminate-reason": "The partner left"})
    assert response.status_code == 200
    assert "Tick the box to confirm that the project ends early." in text_of(response)
    assert ">The partner left</textarea>" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE

    response = client.post(
        f"{page(project)}terminate/", {"terminate-reason": "The partner left", "terminate-confirm": "on"}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == Project.Status.TERMINATED
    assert set(project.reports.values_list("status", flat=True)) == {Report.Status.WAIVED}
    after = client.get(page(project))
    assert "its reports not yet submitted are waived" in text_of(after)
    # Nothing more to manage on a project that ended.
    assert "Staff actions" not in after.content.decode()
