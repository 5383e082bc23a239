"""The project's timeline: one chronological list of its life, from its rows and audit events,
dates in Paris time and the reader's format, who did what as the reader may know it, what is
coming up, in a constant number of queries."""

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.audit import record
from accounts.models import AuditEvent
from projects import timeline
from projects.actions import ProjectAction
from projects.models import ChangeRequest, Evaluation, Payment, Project, Report
from tests.factories import ReviewerFactory, StaffFactory

from .factories import aware, funded_project
from .test_pages import logged_in, page, text_of

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2028, 6, 1, 10, 0, tzinfo=PARIS)


def at(event, moment):
    AuditEvent.objects.filter(pk=event.pk).update(at=moment)
    return event


def status(actor, action, target, source, to, moment, **details):
    return at(record(actor, action, target, status={"from": source, "to": to}, **details), moment)


def history(response):
    """The entries of the page's "So far" list, as text."""
    body = response.content.decode()
    block = re.search(r'<ol[^>]*aria-labelledby="history-heading">(.*?)</ol>', body, re.S).group(1)
    return [text_of_html(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)]


def coming_up(response):
    body = response.content.decode()
    found = re.search(r'<ol[^>]*aria-labelledby="coming-up-heading">(.*?)</ol>', body, re.S)
    return [text_of_html(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)] if found else []


def text_of_html(fragment):
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


@pytest.fixture
def life(staff):
    """A PRI decided on 20 November 2026, published on 3 December 2026 (from 1 December 2026 to
    30 November 2031), with a payment, a year-1 report sent back once then accepted, an
    approved extension and a suspension lifted."""
    staff.first_name, staff.last_name = "Dominique", "Martin"
    staff.save()
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=PARIS), tick=False):
        project = funded_project("PRI", "60000.00", decided_at=aware(2026, 11, 20), staff=staff)
    lead = project.lead
    lead.first_name, lead.last_name = "Camille", "Durand"
    lead.save()
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ACTIVE)
    Payment.objects.create(
        project=project, amount=Decimal("12000.00"), paid_on=date(2027, 1, 10), recorded_by=staff, note="Transfer 42"
    )
    report = project.reports.get(kind="progress", sequence=1)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.ACCEPTED)
    status(lead, ProjectAction.REPORT_STATUS, report, "draft", "submitted", aware(2027, 11, 20))
    status(staff, ProjectAction.REPORT_STATUS, report, "submitted", "changes_requested", aware(2027, 11, 25))
    status(lead, ProjectAction.REPORT_STATUS, report, "changes_requested", "submitted", aware(2027, 11, 28))
    status(staff, ProjectAction.REPORT_STATUS, report, "submitted", "accepted", aware(2027, 12, 2))
    at(record(lead, ProjectAction.REPORT_SAVED, report, fields=["scientific_progress"]), aware(2027, 11, 1))
    status(staff, ProjectAction.STATUS, project, "active", "suspended", aware(2028, 1, 5), reason="Lab moving")
    status(staff, ProjectAction.STATUS, project, "suspended", "active", aware(2028, 2, 5))
    change = ChangeRequest.objects.create(
        project=project,
        kind=ChangeRequest.Kind.EXTENSION,
        months=6,
        justification="Delays",
        requested_by=lead,
        requested_at=aware(2028, 3, 1),
        status=ChangeRequest.Status.APPROVED,
        decided_by=staff,
        decided_at=aware(2028, 3, 10),
    )
    status(staff, ProjectAction.CHANGE_STATUS, change, "pending", "approved", aware(2028, 3, 10))
    return project


@time_machine.travel(TODAY, tick=False)
def test_the_lead_reads_the_project_s_life_in_order_with_staff_unnamed(life):
    response = logged_in(life.lead).get(page(life))
    assert history(response) == [
        "Dec. 1, 2026 — Project started",
        "Dec. 3, 2026 — Decision published: 60,000 € awarded",
        "Dec. 3, 2026 — Project created from the decision (by Inserm staff)",
        "Jan. 10, 2027 — Payment of 12,000 € recorded (by Inserm staff)",
        "Nov. 20, 2027 — Progress report, year 1 submitted (by you)",
        "Nov. 25, 2027 — Changes asked: Progress report, year 1 (by Inserm staff)",
        "Nov. 28, 2027 — Progress report, year 1 submitted again (by you)",
        "Dec. 2, 2027 — Progress report, year 1 accepted (by Inserm staff)",
        "Jan. 5, 2028 — Project suspended (by Inserm staff) Reason: Lab moving",
        "Feb. 5, 2028 — Project resumed (by Inserm staff)",
        "March 1, 2028 — Change requested: no-cost extension of 6 months (by you)",
        "March 10, 2028 — Change approved: no-cost extension of 6 months (by Inserm staff)",
    ]
    text = text_of(response)
    assert "Dominique" not in text and "Martin" not in text
    assert "Transfer 42" not in text  # staff's note on a payment
    # No date is shown raw (ISO) anywhere a reader sees.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


@time_machine.travel(TODAY, tick=False)
def test_staff_read_who_did_each_thing_and_the_payment_s_note(life, staff):
    entries = history(logged_in(staff).get(page(life)))
    assert "Jan. 10, 2027 — Payment of 12,000 € recorded (by Dominique Martin) Note: Transfer 42" in entries
    assert "Nov. 20, 2027 — Progress report, year 1 submitted (by Camille Durand)" in entries
    assert "Jan. 5, 2028 — Project suspended (by Dominique Martin) Reason: Lab moving" in entries


@time_machine.travel(TODAY, tick=False)
def test_coming_up_lists_the_reports_owed_and_the_end_in_date_order(life):
    Report.objects.filter(project=life, kind="progress", sequence=2).update(due_on=date(2028, 5, 1))
    entries = coming_up(logged_in(life.lead).get(page(life)))
    assert entries == [
        "May 1, 2028 — Progress report, year 2 due overdue",
        "Dec. 1, 2029 — Progress report, year 3 due",
        "Dec. 1, 2030 — Progress report, year 4 due",
        "Nov. 30, 2031 — Project ends",
        "Dec. 1, 2031 — Final report due",
    ]


@time_machine.travel(TODAY, tick=False)
def test_an_early_end_shows_its_reason_and_the_waived_reports_once_and_nothing_coming_up(life, staff):
    Project.objects.filter(pk=life.pk).update(status=Project.Status.TERMINATED)
    status(staff, ProjectAction.STATUS, life, "active", "terminated", aware(2028, 5, 2), reason="Partner left")
    report = life.reports.get(kind="progress", sequence=2)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.WAIVED, staff_reason="The project ended early.")
    status(staff, ProjectAction.REPORT_STATUS, report, "planned", "waived", aware(2028, 5, 2))
    response = logged_in(life.lead).get(page(life))
    entries = history(response)
    assert entries[-2:] == [
        "May 2, 2028 — Project ended early (by Inserm staff) Reason: Partner left",
        "May 2, 2028 — Progress report, year 2 waived (by Inserm staff) Reason: The project ended early.",
    ]
    assert coming_up(response) == []


@time_machine.travel(datetime(2032, 6, 1, 10, 0, tzinfo=PARIS), tick=False)
def test_the_final_evaluation_and_the_closure_appear_without_naming_the_reviewer_to_the_lead(life, staff):
    reviewer = ReviewerFactory(first_name="Ada", last_name="Evaluator")
    evaluation = Evaluation.objects.create(
        project=life, reviewer=reviewer, requested_by=staff, requested_at=aware(2032, 1, 10), due_on=date(2032, 3, 1)
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(status=Evaluation.Status.SUBMITTED)
    status(reviewer, ProjectAction.EVALUATION_STATUS, evaluation, "requested", "submitted", aware(2032, 2, 20))
    Project.objects.filter(pk=life.pk).update(status=Project.Status.CLOSED)
    status(reviewer, ProjectAction.STATUS, life, "final_report_due", "closed", aware(2032, 2, 20))
    entries = history(logged_in(life.lead).get(page(life)))
    assert entries[-4:] == [
        "Nov. 30, 2031 — Project period ended",
        "Jan. 10, 2032 — Final evaluation requested (by Inserm staff)",
        "Feb. 20, 2032 — Final evaluation submitted",
        "Feb. 20, 2032 — Project closed",
    ]
    assert "Evaluator" not in text_of(logged_in(life.lead).get(page(life)))
    assert "Feb. 20, 2032 — Final evaluation submitted (by Ada Evaluator)" in history(logged_in(staff).get(page(life)))


@time_machine.travel(TODAY, tick=False)
def test_an_event_late_in_the_evening_in_utc_is_dated_in_paris_time(life, staff):
    new_year = datetime(2027, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))  # 1 January 2028, 00:30 in Paris
    status(staff, ProjectAction.STATUS, life, "active", "suspended", new_year, reason="Audit")
    assert "Jan. 1, 2028 — Project suspended (by Dominique Martin) Reason: Audit" in history(
        logged_in(staff).get(page(life))
    )


@time_machine.travel(TODAY, tick=False)
def test_the_french_page_writes_dates_the_french_way(life):
    client = logged_in(life.lead)
    body = client.get(f"/fr/projects/{life.pk}/").content.decode()
    assert "1 décembre 2026" in body


def _more_life(project, staff, count):
    """`count` more payments, submitted reports and decided change requests, with their events."""
    reports = list(project.reports.filter(kind="progress").order_by("due_on"))
    for n in range(count):
        Payment.objects.create(
            project=project, amount=Decimal("100.00"), paid_on=date(2027, 2, 1 + n), recorded_by=staff
        )
        report = reports[n % len(reports)]
        status(project.lead, ProjectAction.REPORT_STATUS, report, "draft", "submitted", aware(2027, 3, 1 + n))
        change = ChangeRequest.objects.create(
            project=project,
            kind=ChangeRequest.Kind.BUDGET_TRANSFER,
            from_category="travel",
            to_category="consumables",
            amount=Decimal("500.00"),
            justification="More reagents",
            requested_by=project.lead,
            requested_at=aware(2027, 4, 1 + n),
        )
        status(staff, ProjectAction.CHANGE_STATUS, change, "pending", "refused", aware(2027, 4, 2 + n), reason="No")


def as_the_page_loads_it(project):
    return Project.objects.select_related("instrument", "call", "lead", "application", "decision").get(pk=project.pk)


def _queries(client, address):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries.captured_queries)


@time_machine.travel(TODAY, tick=False)
def test_the_timeline_costs_the_same_queries_with_one_or_many_payments_reports_and_events(life, staff):
    reader = StaffFactory()
    timeline.build(as_the_page_loads_it(life), reader)  # warm up the content types
    project = as_the_page_loads_it(life)
    with CaptureQueriesContext(connection) as first:
        timeline.build(project, reader)
    _more_life(life, staff, 4)
    project = as_the_page_loads_it(life)
    with CaptureQueriesContext(connection) as second, translation.override("en"):
        past, _upcoming = timeline.build(project, reader)
    assert len(second.captured_queries) == len(first.captured_queries) == 5
    refused = "Change refused: transfer of 500\u00a0€ from travel and accommodation to consumables"
    assert [entry.text for entry in past if "refused" in entry.text] == [refused] * 4


@time_machine.travel(TODAY, tick=False)
def test_the_project_page_costs_the_same_queries_with_one_or_many_payments_reports_and_events(life, staff, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    client = logged_in(staff)
    client.get(page(life))  # warm up the session and content types
    before = _queries(client, page(life))
    _more_life(life, staff, 4)
    assert _queries(client, page(life)) == before
    lead = logged_in(life.lead)
    lead.get(page(life))
    assert _queries(lead, page(life)) == _queries(lead, page(life))


def test_the_timeline_of_a_project_without_audit_events_is_built_from_its_rows(staff):
    with time_machine.travel(datetime(2026, 12, 3, 9, 0, tzinfo=PARIS), tick=False):
        project = funded_project("TREMPLIN", decided_at=aware(2026, 11, 20), staff=staff)
    AuditEvent.objects.all().delete()
    report = project.reports.get()
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.ACCEPTED,
        submitted_at=aware(2027, 12, 5),
        reviewed_at=aware(2027, 12, 9),
        reviewed_by=staff,
    )
    project.refresh_from_db()
    with time_machine.travel(datetime(2028, 1, 5, 10, 0, tzinfo=PARIS), tick=False), translation.override("en"):
        past, upcoming = timeline.build(as_the_page_loads_it(project), project.lead)
    texts = [(entry.day, entry.text, entry.who) for entry in past]
    assert texts[-2:] == [
        (date(2027, 12, 5), "Final report submitted", ""),
        (date(2027, 12, 9), "Final report accepted", "Inserm staff"),
    ]
    assert (date(2026, 12, 3), "Project created from the decision", "") in texts
    assert upcoming == []
