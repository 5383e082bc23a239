"""Beat's sweep of the reports still owed: reminders before the due date, weekly notices while
overdue (staff from the third week), each once, in the recipient's language."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification
from projects.models import Project, Report
from projects.services.reminders import due_notices, send_report_reminders
from tests.factories import StaffFactory

from .factories import funded_project

pytestmark = pytest.mark.django_db

DUE = date(2027, 6, 15)
REMINDER_KINDS = ("report.reminder", "report.overdue", "report.overdue_staff")


def owed_report(staff, *, due_on=DUE, status=Project.Status.ACTIVE, language="fr"):
    """The final report of a running Tremplin project, due on `due_on`, not started."""
    project = funded_project(staff=staff)
    Project.objects.filter(pk=project.pk).update(status=status)
    project.lead.language = language
    project.lead.save(update_fields=["language"])
    report = project.reports.get(kind=Report.Kind.FINAL)
    Report.objects.filter(pk=report.pk).update(due_on=due_on)
    report.refresh_from_db()
    return report


def sent(kind=None, **filters):
    rows = Notification.objects.filter(kind__in=REMINDER_KINDS, **filters).order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows)


def sweep_days(first, last):
    """Run the sweep once a day from `first` to `last` (included); returns what each run created."""
    created = {}
    day = first
    while day <= last:
        created[day] = send_report_reminders(today=day)
        day += timedelta(days=1)
    return created


def test_lead_is_reminded_30_and_7_days_before_and_on_the_due_day_once_each(staff):
    report = owed_report(staff)

    created = sweep_days(DUE - timedelta(days=40), DUE)

    assert {day: n for day, n in created.items() if n} == {
        DUE - timedelta(days=30): 1,
        DUE - timedelta(days=7): 1,
        DUE: 1,
    }
    reminders = sent("report.reminder")
    assert [n.recipient_id for n in reminders] == [report.project.lead_id] * 3
    assert [n.context["days"] for n in reminders] == [30, 7, 0]
    assert reminders[0].context == {
        "reference": report.project.reference,
        "project_title": report.project.title,
        "report": "final",
        "year": 0,
        "due_date": "2027-06-15",
        "url_path": report.url_path,
        "days": 30,
    }
    assert all(n.target == report for n in reminders)


def test_a_sweep_that_missed_the_day_sends_the_reminder_of_the_window_it_falls_in(staff):
    owed_report(staff)

    assert send_report_reminders(today=DUE - timedelta(days=28)) == 1  # the 30-day reminder, late
    assert send_report_reminders(today=DUE - timedelta(days=3)) == 1  # the 7-day one, late

    assert [(n.dedupe_key.rsplit(":", 1)[1], n.context["days"]) for n in sent()] == [("30", 28), ("7", 3)]


def test_the_30_day_reminder_is_never_sent_when_only_3_days_are_left(staff):
    owed_report(staff)

    send_report_reminders(today=DUE - timedelta(days=3))

    [reminder] = sent()
    assert reminder.dedupe_key.endswith(":7")
    assert reminder.context["days"] == 3


def test_nothing_is_sent_more_than_30_days_before_the_due_date(staff):
    owed_report(staff)

    assert send_report_reminders(today=DUE - timedelta(days=31)) == 0
    assert sent() == []


def test_overdue_report_gets_one_notice_a_week_and_staff_are_told_from_two_weeks_overdue(staff):
    report = owed_report(staff)
    lead = report.project.lead
    StaffFactory(is_superuser=False)  # staff without the projects' permissions: never told

    sweep_days(DUE + timedelta(days=1), DUE + timedelta(days=22))

    to_lead = sent("report.overdue")
    assert [n.recipient_id for n in to_lead] == [lead.pk] * 4
    # Notice n = days overdue // 7 + 1: the day after the due date, then every seven days.
    assert [n.created_at is not None and n.dedupe_key.rsplit(":", 1)[1] for n in to_lead] == ["1", "2", "3", "4"]
    assert [n.context["weeks"] for n in to_lead] == [0, 1, 2, 3]
    to_staff = sent("report.overdue_staff")
    assert [(n.recipient_id, n.context["weeks"]) for n in to_staff] == [(staff.pk, 2), (staff.pk, 3)]
    assert to_staff[0].context["lead_name"] == lead.get_full_name()


def test_staff_are_not_told_before_two_full_weeks_overdue(staff):
    owed_report(staff)

    send_report_reminders(today=DUE + timedelta(days=13))

    assert [n.kind for n in sent()] == ["report.overdue"]


def test_a_sweep_after_a_long_gap_sends_the_current_weeks_notice_only(staff):
    owed_report(staff)

    assert send_report_reminders(today=DUE + timedelta(days=30)) == 2  # the lead and the staff member

    assert sorted(n.dedupe_key.split(":")[3] for n in sent()) == ["5", "5"]


def test_running_the_sweep_again_the_same_day_creates_nothing_more(staff):
    owed_report(staff, due_on=DUE)
    owed_report(staff, due_on=DUE - timedelta(days=20))  # 20 days overdue on DUE: lead and staff

    first = send_report_reminders(today=DUE)
    second = send_report_reminders(today=DUE)
    third = send_report_reminders(today=DUE)

    assert (first, second, third) == (3, 0, 0)
    assert len(sent()) == 3


@pytest.mark.parametrize(
    "status", [Project.Status.SUSPENDED, Project.Status.CLOSED, Project.Status.TERMINATED], ids=str
)
def test_projects_suspended_closed_or_terminated_get_nothing(staff, status):
    owed_report(staff, status=status, due_on=DUE)

    for day in (DUE - timedelta(days=30), DUE - timedelta(days=7), DUE, DUE + timedelta(days=20)):
        assert send_report_reminders(today=day) == 0
    assert sent() == []


@pytest.mark.parametrize(
    "report_status",
    [Report.Status.SUBMITTED, Report.Status.CHANGES_REQUESTED, Report.Status.ACCEPTED, Report.Status.WAIVED],
    ids=str,
)
def test_reports_submitted_accepted_or_waived_get_nothing(staff, report_status):
    report = owed_report(staff)
    Report.objects.filter(pk=report.pk).update(status=report_status)

    for day in (DUE - timedelta(days=30), DUE, DUE + timedelta(days=20)):
        assert send_report_reminders(today=day) == 0
    assert sent() == []


def test_a_draft_report_is_still_owed_and_reminded(staff):
    report = owed_report(staff)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.DRAFT)

    assert send_report_reminders(today=DUE) == 1


def test_a_moved_due_date_gives_fresh_reminders(staff):
    report = owed_report(staff)
    send_report_reminders(today=DUE - timedelta(days=7))
    later = DUE + timedelta(days=60)
    Report.objects.filter(pk=report.pk).update(due_on=later)

    assert send_report_reminders(today=later - timedelta(days=7)) == 1

    reminders = sent()
    assert [(n.context["due_date"], n.context["days"]) for n in reminders] == [
        ("2027-06-15", 7),
        ("2027-08-14", 7),
    ]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("fr", "Rappel : le rapport final du projet {reference} est attendu aujourd'hui"),
        ("en", "Reminder: the final report of project {reference} is due today"),
    ],
)
def test_each_lead_is_reminded_in_their_language(staff, language, subject):
    report = owed_report(staff, language=language)

    send_report_reminders(today=DUE)

    [reminder] = sent()
    assert reminder.language == language
    assert reminder.subject == subject.format(reference=report.project.reference)


def test_overdue_notices_name_the_progress_report_and_its_year_in_each_language(staff):
    report = owed_report(staff, language="en")
    Report.objects.filter(pk=report.pk).update(kind=Report.Kind.PROGRESS, sequence=2, scheduled=False)
    staff.language = "fr"
    staff.save(update_fields=["language"])

    send_report_reminders(today=DUE + timedelta(days=15))

    subjects = {n.kind: n.subject for n in sent()}
    reference = report.project.reference
    assert subjects == {
        "report.overdue": f"Overdue: the progress report for year 2 of project {reference} was due on June 15, 2027",
        "report.overdue_staff": f"Rapport en retard : projet {reference}, rapport d'étape de l'année 2 "
        "(2 semaines de retard)",
    }


def test_the_sweep_costs_the_same_queries_for_one_report_or_five(staff):
    def queries_for(n_reports):
        Notification.objects.filter(kind__in=REMINDER_KINDS).delete()
        with CaptureQueriesContext(connection) as captured:
            assert send_report_reminders(today=DUE) == n_reports * 2  # the lead and the staff member
        return len(captured)

    owed_report(staff, due_on=DUE - timedelta(days=20))
    queries_for(1)  # caches warmed (content types)
    one = queries_for(1)
    for _ in range(4):
        owed_report(staff, due_on=DUE - timedelta(days=20))
    five = queries_for(5)

    assert one == five


def test_due_notices_at_the_edges_of_each_window():
    def keys(days_left):
        return [
            n.key.split(":", 3)[3] + ("/staff" if n.to_staff else "")
            for n in due_notices(1, DUE, DUE - timedelta(days=days_left))
        ]

    assert keys(31) == []
    assert keys(30) == keys(8) == ["30"]
    assert keys(7) == keys(1) == ["7"]
    assert keys(0) == ["0"]
    assert keys(-1) == keys(-6) == ["1"]
    assert keys(-7) == keys(-13) == ["2"]
    assert keys(-14) == ["3", "3/staff"]
