"""The beat's sweep of reports still owed: reminders before the due date, notices while overdue.

Which notice a report gets on a given day (``due_notices``, pure):

- **Reminders** to the lead researcher, 30 and 7 days before the due date and on the due day. Each
  belongs to a window, so that a sweep that did not run on the exact day (the machine was down)
  still sends the one that was missed, and never one that no longer makes sense: the 30-day
  reminder while 7 < days left <= 30, the 7-day one while 0 < days left <= 7, the due-day one on
  the due day only. The context's ``days`` is the number of days actually left when it is sent
  (30, 7 or 0 when beat runs on the day).
- **Overdue notices**, one a week from the day after the due date: notice ``n = days overdue // 7
  + 1`` (1 during the first six days, 2 from the seventh...), to the lead researcher; from 14 days
  overdue on (two full weeks) also to staff who see projects. A sweep after a long gap sends the
  current week's notice, not the weeks it missed. The context's ``weeks`` is the number of full
  weeks overdue (0 during the first week).

Only reports still owed (Report.OWED) of projects that run (starting, active, final report due)
are swept: a suspended, closed or terminated project gets nothing, nor does a report submitted,
accepted or waived.

Idempotent: every notice has a ``dedupe_key`` naming the report, its due date (a moved report
gets fresh reminders) and the reminder's offset or week (and the staff member), so the sweep may
run any number of times a day and sends each notice once. Concurrent sweeps are serialised by a
transaction-level advisory lock on PostgreSQL.

Constant queries whatever the number of projects: one for the reports in a window, one for staff,
one for the keys already used, bulk inserts (notifications.services.notify_many).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.services import Message, notify_many

from .. import notices
from ..models import Project, Report

#: Days before the due date at which the lead researcher is reminded, earliest first.
REMINDER_DAYS = (30, 7, 0)
#: Overdue notices go to staff too once a report is this many days overdue (two full weeks).
STAFF_AFTER_DAYS = 14
#: Project statuses whose reports are swept (a suspended project's reports wait).
SWEPT_STATUSES = tuple(status for status in Project.RUNNING if status != Project.Status.SUSPENDED)
#: pg_advisory_xact_lock key of the sweep ("PRJREMND" as an int).
_LOCK_KEY = 0x50524A52454D4E44 & 0x7FFFFFFFFFFFFFFF


@dataclass(frozen=True)
class DueNotice:
    """One notice a report is owed today: `kind` (a notices code), `key` (the dedupe key without
    the recipient) and what its context adds to the report's."""

    kind: str
    key: str
    extra: dict
    to_staff: bool = False


def reminder_offset(days_left):
    """The reminder (30, 7 or 0 days before) whose window `days_left` falls in, else None."""
    if days_left == 0:
        return 0
    if 0 < days_left <= REMINDER_DAYS[1]:
        return REMINDER_DAYS[1]
    if REMINDER_DAYS[1] < days_left <= REMINDER_DAYS[0]:
        return REMINDER_DAYS[0]
    return None


def overdue_week(days_overdue):
    """The overdue notice number of a report `days_overdue` days late (1 during the first six)."""
    return days_overdue // 7 + 1 if days_overdue > 0 else None


def due_notices(report_id, due_on, today):
    """The notices a report owed (id, due date) should have had by `today` (pure)."""
    stem = f"{report_id}:{due_on.isoformat()}"
    days_left = (due_on - today).days
    offset = reminder_offset(days_left)
    if offset is not None:
        return [DueNotice(notices.REPORT_REMINDER, f"report_reminder:{stem}:{offset}", {"days": days_left})]
    days_overdue = -days_left
    week = overdue_week(days_overdue)
    if week is None:
        return []
    extra = {"weeks": days_overdue // 7}
    due = [DueNotice(notices.REPORT_OVERDUE, f"report_overdue:{stem}:{week}", extra)]
    if days_overdue >= STAFF_AFTER_DAYS:
        due.append(DueNotice(notices.REPORT_OVERDUE_STAFF, f"report_overdue_staff:{stem}:{week}", extra, True))
    return due


def report_context(report, project):
    """The context every report notice shares (notices.REPORT_CONTEXT)."""
    return {
        "reference": project.reference,
        "project_title": project.title,
        "report": report.kind,
        "year": report.sequence,
        "due_date": report.due_on.isoformat(),
        "url_path": report.url_path,
    }


def overdue_staff():
    """Active staff who see projects (projects.see_projects: superusers, or view_project granted
    to them or to one of their groups), in one query."""
    holds = Q(user_permissions__content_type__app_label="projects", user_permissions__codename="view_project") | Q(
        groups__permissions__content_type__app_label="projects", groups__permissions__codename="view_project"
    )
    return list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .filter(Q(is_superuser=True) | holds)
        .distinct()
        .order_by("pk")
    )


def _owed_reports(today):
    return (
        Report.objects.filter(
            status__in=list(Report.OWED),
            due_on__lte=today + timedelta(days=REMINDER_DAYS[0]),
            project__status__in=list(SWEPT_STATUSES),
        )
        .select_related("project", "project__lead")
        .only(
            *("id", "kind", "sequence", "due_on", "status", "project_id", "project__id", "project__reference"),
            *("project__title", "project__status", "project__lead_id", "project__lead__id"),
            *("project__lead__email", "project__lead__first_name", "project__lead__last_name"),
            *("project__lead__language", "project__lead__is_active"),
        )
        .order_by("due_on", "pk")
    )


def _lock_sweep():
    """Two sweeps at once (beat plus a manual run) wait for each other instead of both inserting
    the same new keys (the second would fail on the unique dedupe_key)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def send_report_reminders(today=None):
    """The daily sweep (Celery beat, projects.daily): creates the reminders and overdue notices
    due today that were not created yet, through the outbox. Returns how many were created."""
    today = today or timezone.localdate()
    staff = None
    messages = []
    with transaction.atomic():
        _lock_sweep()
        for report in _owed_reports(today):
            project = report.project
            lead = project.lead
            for notice in due_notices(report.pk, report.due_on, today):
                context = {**report_context(report, project), **notice.extra}
                if not notice.to_staff:
                    messages.append(Message(lead, notice.kind, context, target=report, dedupe_key=notice.key))
                    continue
                if staff is None:
                    staff = overdue_staff()
                context["lead_name"] = lead.get_full_name() or lead.email
                messages.extend(
                    Message(member, notice.kind, context, target=report, dedupe_key=f"{notice.key}:{member.pk}")
                    for member in staff
                )
        created = notify_many(messages) if messages else []
    return len(created)


__all__ = ["due_notices", "overdue_staff", "overdue_week", "reminder_offset", "send_report_reminders"]
