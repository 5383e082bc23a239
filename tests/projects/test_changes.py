"""Changes during a project: the lead asks (extension, partner team, budget transfer), staff
approve (the change is applied at once) or refuse with a reason; the pages that go with them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from accounts.models import AuditEvent
from notifications.models import Notification
from projects import schedule
from projects.models import ChangeRequest, Project, ProjectBudgetLine
from projects.services import ProjectError, advance_projects
from projects.services.changes import (
    approve_change,
    refuse_change,
    request_budget_transfer,
    request_extension,
    request_partner_change,
    withdraw_change,
)
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory

from .factories import aware, funded_project

pytestmark = pytest.mark.django_db

WHY = "The partner's lab moved; missions were postponed."
NEW_TEAM = {
    "institution": "Universidade de São Paulo",
    "city": "São Paulo",
    "country": "BR",
    "team_leader": "Ana Souza",
    "email": "ana.souza@usp.example",
}


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English (the tests' default language is French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def project(staff):
    """A Tremplin of 8 000 € (all on the travel line) with one partner team, in its first year."""
    return funded_project(decided_at=timezone.now() - timedelta(days=60), staff=staff)


def url(project, *parts, language="en"):
    return f"/{language}/projects/{project.pk}/" + "".join(f"{p}/" for p in parts)


def extension(project, months, by=None):
    return request_extension(project, months, WHY, by or project.lead)


# --- Extensions --------------------------------------------------------------------------------


def test_an_extension_of_13_months_is_refused(project):
    with pytest.raises(ProjectError, match="from 1 to 12 months"):
        extension(project, 13)
    with pytest.raises(ProjectError, match="whole months"):
        extension(project, "two")
    assert not ChangeRequest.objects.exists()


def test_extensions_of_8_then_5_months_pass_the_cap_and_8_then_4_do_not(project, staff):
    approve_change(extension(project, 8), staff)
    project.refresh_from_db()
    with pytest.raises(ProjectError) as refused:
        extension(project, 5)
    assert refused.value.reasons == ["An extension may add at most 12 months over the project's life; 4 remain."]
    approve_change(extension(project, 4), staff)
    project.refresh_from_db()
    assert project.extension_months == 12
    with pytest.raises(ProjectError, match="has them all"):
        extension(project, 1)


def test_the_cap_is_checked_again_at_approval(project, staff):
    pending = extension(project, 6)
    Project.objects.filter(pk=project.pk).update(extension_months=8)  # e.g. corrected in the admin
    with pytest.raises(ProjectError, match="4 remain"):
        approve_change(pending, staff)
    pending.refresh_from_db()
    assert pending.status == ChangeRequest.Status.PENDING


def test_an_approved_extension_moves_the_end_date_and_the_final_report_and_reopens_the_project(staff):
    project = funded_project(decided_at=timezone.now() - timedelta(days=450), staff=staff)
    advance_projects()
    project.refresh_from_db()
    assert project.status == Project.Status.FINAL_REPORT_DUE
    change = extension(project, 6)
    approve_change(change, staff, note="Granted once.")
    project.refresh_from_db()
    assert project.extension_months == 6
    assert project.end_date == schedule.end_date(project.start_date, 18)
    assert project.end_date >= timezone.localdate()
    assert project.status == Project.Status.ACTIVE
    final = project.reports.get(kind="final")
    assert final.due_on == schedule.add_months(project.start_date, 18)
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_reason) == ("approved", staff, "Granted once.")
    event = AuditEvent.objects.filter(action="change.status", object_id=str(change.pk)).latest("pk")
    assert event.changes["status"] == {"from": "pending", "to": "approved"}


def test_an_extension_across_a_year_end(staff):
    project = funded_project(decided_at=aware(2027, 2, 10), staff=staff)
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2027-03-01", "2028-02-29")
    approve_change(extension(project, 10), staff)
    project.refresh_from_db()
    assert project.end_date.isoformat() == "2028-12-31"
    assert project.reports.get(kind="final").due_on.isoformat() == "2029-01-01"


def test_one_request_of_each_kind_awaits_a_decision_at_a_time_and_the_lead_may_withdraw_it(project):
    first = extension(project, 3)
    with pytest.raises(ProjectError, match="already awaits a decision"):
        extension(project, 2)
    request_budget_transfer(project, "travel", "consumables", "1000", WHY, project.lead)  # another kind
    with pytest.raises(ProjectError, match="permission"):
        withdraw_change(first, ResearcherFactory())
    withdraw_change(first, project.lead)
    first.refresh_from_db()
    assert first.status == ChangeRequest.Status.WITHDRAWN
    with pytest.raises(ProjectError, match="withdrawn"):
        withdraw_change(first, project.lead)
    extension(project, 2)


def test_only_the_lead_asks_only_while_the_project_runs_and_always_with_a_justification(project, staff):
    with pytest.raises(ProjectError, match="justification is required"):
        request_extension(project, 2, "   ", project.lead)
    with pytest.raises(ProjectError, match="permission"):
        extension(project, 2, by=ResearcherFactory())
    with pytest.raises(ProjectError, match="permission"):
        extension(project, 2, by=staff)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.TERMINATED)
    with pytest.raises(ProjectError, match="can no longer be asked for"):
        extension(project, 2)
    assert not ChangeRequest.objects.exists()


# --- Partner teams -----------------------------------------------------------------------------


def test_an_approved_partner_change_ends_the_old_team_and_lists_the_new_one(client, project, staff):
    leaving = project.partners.get()
    change = request_partner_change(project, leaving, **NEW_TEAM, justification=WHY, by=project.lead)
    approve_change(change, staff)
    leaving.refresh_from_db()
    today = timezone.localdate()
    assert leaving.left_on == today
    joining = project.partners.get(left_on__isnull=True)
    assert (joining.institution, joining.country.code, joining.joined_on) == ("Universidade de São Paulo", "BR", today)
    client.force_login(project.lead)
    body = client.get(url(project)).content.decode()
    current, former = body.split("Former partner teams")
    assert "Universidade de São Paulo" in current and "University of Tokyo" not in current
    assert "University of Tokyo" in former


def test_a_partner_change_needs_a_current_team_leaving_and_a_new_team_abroad(project, staff):
    leaving = project.partners.get()
    with pytest.raises(ProjectError, match="cannot be France"):
        request_partner_change(project, leaving, **{**NEW_TEAM, "country": "RE"}, justification=WHY, by=project.lead)
    with pytest.raises(ProjectError, match="the city, the team leader"):
        request_partner_change(
            project, leaving, **{**NEW_TEAM, "city": "", "team_leader": " "}, justification=WHY, by=project.lead
        )
    other = funded_project(staff=staff).partners.get()
    with pytest.raises(ProjectError, match="current partner teams"):
        request_partner_change(project, other, **NEW_TEAM, justification=WHY, by=project.lead)
    assert not ChangeRequest.objects.exists()


# --- Budget transfers --------------------------------------------------------------------------


def test_a_budget_transfer_over_the_planned_amount_is_refused(project):
    with pytest.raises(ProjectError) as refused:
        request_budget_transfer(project, "travel", "consumables", "8000.01", WHY, project.lead)
    assert "has 8,000 € planned: a transfer of 8,000.01 € is more than that" in refused.value.reasons[0]
    with pytest.raises(ProjectError, match="no planned budget"):
        request_budget_transfer(project, "equipment", "travel", "10", WHY, project.lead)
    with pytest.raises(ProjectError, match="two different"):
        request_budget_transfer(project, "travel", "travel", "10", WHY, project.lead)
    assert not ChangeRequest.objects.exists()


def test_an_approved_transfer_moves_the_money_and_creates_the_receiving_line(project, staff):
    change = request_budget_transfer(project, "travel", "consumables", "2500.50", WHY, project.lead)
    approve_change(change, staff)
    planned = dict(ProjectBudgetLine.objects.filter(project=project).values_list("category", "planned"))
    assert planned == {"travel": Decimal("5499.50"), "consumables": Decimal("2500.50")}


def test_a_transfer_is_checked_again_at_approval(project, staff):
    change = request_budget_transfer(project, "travel", "consumables", "5000", WHY, project.lead)
    ProjectBudgetLine.objects.filter(project=project, category="travel").update(planned=Decimal("4000"))
    with pytest.raises(ProjectError, match="more than that"):
        approve_change(change, staff)
    assert not ProjectBudgetLine.objects.filter(project=project, category="consumables").exists()


# --- Decisions ---------------------------------------------------------------------------------


def test_a_refusal_needs_a_reason_and_tells_the_lead(project, staff):
    change = extension(project, 3)
    with pytest.raises(ProjectError, match="Say why the change is refused"):
        refuse_change(change, "  ", staff)
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING
    refuse_change(change, "The missions can fit in the remaining time.", staff)
    change.refresh_from_db()
    project.refresh_from_db()
    assert change.status == ChangeRequest.Status.REFUSED
    assert project.extension_months == 0
    notice = Notification.objects.get(kind="change.decided", recipient=project.lead)
    assert notice.context["outcome"] == "refused" and notice.context["change"] == "extension"
    assert notice.context["url_path"] == project.url_path
    assert notice.subject in {
        f"Your request for a no-cost extension is refused ({project.reference})",
        f"Votre demande de prolongation sans coût supplémentaire est refusée ({project.reference})",
    }


def test_a_researcher_cannot_decide_on_their_own_change_nor_can_staff_on_their_own_project(project):
    change = extension(project, 3)
    with pytest.raises(ProjectError, match="permission"):
        approve_change(change, project.lead)
    with pytest.raises(ProjectError, match="permission"):
        refuse_change(change, "No.", project.lead)
    Project.objects.filter(pk=project.pk).update(lead=StaffFactory())
    project.refresh_from_db()
    with pytest.raises(ProjectError, match="your own project"):
        approve_change(change, project.lead)
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING


def test_a_decided_request_cannot_be_decided_again(project, staff):
    change = extension(project, 3)
    approve_change(change, staff)
    with pytest.raises(ProjectError, match="no longer awaits a decision"):
        refuse_change(change, "Changed my mind.", staff)
    project.refresh_from_db()
    assert project.extension_months == 3


# --- Pages -------------------------------------------------------------------------------------


def test_the_lead_chooses_a_kind_then_fills_its_form_and_errors_keep_what_was_typed(client, project):
    client.force_login(project.lead)
    choose = client.get(url(project, "changes", "new")).content.decode()
    assert 'href="?kind=extension"' in choose and 'href="?kind=budget_transfer"' in choose
    form = client.get(url(project, "changes", "new") + "?kind=extension").content.decode()
    assert 'name="months"' in form and 'name="institution"' not in form
    refused = client.post(
        url(project, "changes", "new"), {"kind": "extension", "months": "13", "justification": "Typed text"}
    )
    body = refused.content.decode()
    assert refused.status_code == 200 and "Typed text" in body and 'value="13"' in body
    assert not ChangeRequest.objects.exists()
    sent = client.post(url(project, "changes", "new"), {"kind": "extension", "months": "3", "justification": WHY})
    assert sent.status_code == 302
    assert ChangeRequest.objects.get().months == 3
    page = client.get(sent["Location"]).content.decode()
    assert "3 more months" in page and "Awaiting a decision" in page and "Withdraw" in page


def test_a_service_refusal_is_shown_on_the_request_page(client, project):
    client.force_login(project.lead)
    response = client.post(
        url(project, "changes", "new"),
        {"kind": "partner", "leaving": project.partners.get().pk, **NEW_TEAM, "country": "FR", "justification": WHY},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "cannot be France" in body and "Ana Souza" in body


def test_staff_see_what_the_approval_would_change_and_a_refusal_without_reason_comes_back(client, staff):
    project = funded_project(decided_at=aware(2027, 2, 10), staff=staff)
    change = extension(project, 10)
    client.force_login(staff)
    page = client.get(url(project, "changes", change.pk)).content.decode()
    with translation.override("en"):
        current_end = formats.date_format(project.end_date, "DATE_FORMAT")
    assert 'data-new-end="2028-12-31"' in page and f"{current_end} → " in page
    refused = client.post(url(project, "changes", change.pk), {"decision": "refuse", "reason": ""})
    assert refused.status_code == 200 and "Say why the change is refused" in refused.content.decode()
    approved = client.post(url(project, "changes", change.pk), {"decision": "approve", "reason": ""})
    assert approved.status_code == 302
    project.refresh_from_db()
    assert project.end_date.isoformat() == "2028-12-31"


def test_staff_see_the_transfer_lines_before_and_after(client, project, staff):
    change = request_budget_transfer(project, "travel", "consumables", "2000", WHY, project.lead)
    client.force_login(staff)
    page = client.get(url(project, "changes", change.pk)).content.decode()
    assert "8,000&nbsp;€" in page and "6,000&nbsp;€" in page and "2,000&nbsp;€" in page


def test_who_may_open_the_change_pages(client, project, staff):
    change = extension(project, 3)
    other_lead = funded_project(staff=staff).lead
    pages = [url(project, "changes", "new"), url(project, "changes", change.pk)]
    for user in (other_lead, ReviewerFactory()):
        client.force_login(user)
        assert [client.get(p).status_code for p in pages] == [404, 404]
        assert client.post(url(project, "changes", change.pk, "withdraw")).status_code == 404
        assert client.post(url(project, "changes", change.pk), {"decision": "approve"}).status_code == 404
    client.force_login(project.lead)
    assert client.get(url(project, "changes", change.pk)).status_code == 404  # staff's page
    client.force_login(StaffFactory(is_superuser=False))
    assert [client.get(p).status_code for p in pages] == [403, 403]
    assert client.post(url(project, "changes", change.pk), {"decision": "approve"}).status_code == 403
    client.force_login(staff)
    assert client.get(url(project, "changes", "new")).status_code == 403  # only the lead asks
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING


def _sections_queries(project, user):
    from projects.views.changes import changes_section, partners_section

    with CaptureQueriesContext(connection) as queries:
        context = {**changes_section(project, user), **partners_section(project, user)}
        str([(c.get_kind_display(), c.partner_leaving) for c in context["change_requests"]])
    return len(queries)


def test_the_changes_and_partners_sections_cost_the_same_queries_with_one_or_many_changes(project, staff):
    change = extension(project, 1)
    one = _sections_queries(project, staff), _sections_queries(project, project.lead)
    approve_change(change, staff)
    request_partner_change(project, project.partners.get(), **NEW_TEAM, justification=WHY, by=project.lead)
    request_budget_transfer(project, "travel", "other", "100", WHY, project.lead)
    withdraw_change(extension(project, 2), project.lead)
    assert (_sections_queries(project, staff), _sections_queries(project, project.lead)) == one


def test_the_project_page_costs_the_same_queries_with_one_or_many_changes(client, project, staff, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    change = extension(project, 1)
    client.force_login(staff)
    client.get(url(project))  # caches filled (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        client.get(url(project))
    approve_change(change, staff)
    request_partner_change(project, project.partners.get(), **NEW_TEAM, justification=WHY, by=project.lead)
    request_budget_transfer(project, "travel", "other", "100", WHY, project.lead)
    with CaptureQueriesContext(connection) as several:
        client.get(url(project))
    assert len(several) == len(one)


def test_every_change_page_renders_in_both_languages(client, project, staff):
    transfer = request_budget_transfer(project, "travel", "consumables", "2000", WHY, project.lead)
    partner = request_partner_change(project, project.partners.get(), **NEW_TEAM, justification=WHY, by=project.lead)
    for language in ("fr", "en"):
        client.force_login(project.lead)
        for kind, field in (("extension", "months"), ("partner", "leaving"), ("budget_transfer", "from_category")):
            response = client.get(url(project, "changes", "new", language=language) + f"?kind={kind}")
            assert response.status_code == 200 and f'name="{field}"' in response.content.decode()
        assert f'lang="{language}"' in client.get(url(project, language=language)).content.decode()
        client.force_login(staff)
        for change, shown in ((transfer, 'data-new-end="'), (partner, "Ana Souza")):
            body = client.get(url(project, "changes", change.pk, language=language)).content.decode()
            assert 'name="reason"' in body
            assert (shown in body) == (change == partner)
