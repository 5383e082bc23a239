"""Beat's sweep of drafts not yet submitted: the applicant is reminded before the call closes.

Two reminders, each with its window of time left before the call's ``closes_at`` (an instant, so
Paris time and its summer time are the clock's business, not ours):

- the **7-day** reminder while 6 days < time left <= 7 days;
- the **1-day** reminder while 0 < time left <= 1 day.

A window is a day wide and beat runs every hour: a missed run (the machine was down for an hour
or two) still sends the reminder due, and a late one is never sent out of its window (no "7 days
left" with 1 day left; a draft started 3 days before the deadline gets only the 1-day reminder).

Only drafts of calls open now are swept (a closed call's drafts can no longer be submitted), of
active applicants who did not turn the reminders off (``accounts.User.draft_reminders``, on the
call alerts page). The e-mail gives the call, the deadline with its time, what the draft still
lacks (completeness, the same steps its pages show; the eligibility rules are judged on its
checklist) and the link to the draft.

Idempotent: each reminder has a ``dedupe_key`` naming the application, its applicant (a
transferred draft reminds its new lead), the deadline (a call moved later reminds again) and the
step, so the sweep may run any number of times. Concurrent sweeps are serialised by a
transaction-level advisory lock on PostgreSQL.

Constant queries whatever the number of drafts: one for the drafts in a window (with what
completeness needs, annotated), one for the keys already used, bulk inserts (notify_many).
"""

from datetime import UTC, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from calls.models import Call
from notifications.models import Notification
from notifications.services import Message, notify_many

from .completeness import completeness
from .models import Application
from .notices import DRAFT_REMINDER

#: The reminders, in days before the call closes, earliest first.
REMINDER_DAYS = (7, 1)
#: pg_advisory_xact_lock key of the sweep ("APPDRAFT" as an int).
_LOCK_KEY = 0x4150504452414654 & 0x7FFFFFFFFFFFFFFF


def reminder_due(time_left):
    """The reminder (7 or 1, days before) whose window `time_left` (a timedelta) falls in, else None."""
    for days in REMINDER_DAYS:
        if timedelta(days=days - 1) < time_left <= timedelta(days=days):
            return days
    return None


def _in_a_window(now):
    """A Q over Application: its call closes within one of the reminders' windows from `now`."""
    condition = Q(pk__in=[])
    for days in REMINDER_DAYS:
        window = Q(call__closes_at__gt=now + timedelta(days=days - 1), call__closes_at__lte=now + timedelta(days=days))
        condition |= window
    return condition


def _drafts(now):
    return (
        Application.objects.filter(
            _in_a_window(now),
            status=Application.Status.DRAFT,
            call__status=Call.Status.OPEN,
            call__opens_at__lte=now,
            call__closes_at__gt=now,
            applicant__is_active=True,
            applicant__draft_reminders=True,
        )
        .select_related("call__instrument", "applicant")
        .only(
            *("id", "title", "abstract", "keywords", "collaboration_is_new", "status", "call_id", "applicant_id"),
            *("call__id", "call__title_fr", "call__title_en", "call__closes_at", "call__instrument__code"),
            *("applicant__id", "applicant__email", "applicant__language", "applicant__is_active"),
            *("applicant__draft_reminders", "applicant__first_name", "applicant__last_name"),
        )
        .with_parts()
        .order_by("call__closes_at", "pk")
    )


def missing_parts(application, language):
    """What the draft still lacks, in `language`: the words of its incomplete steps."""
    with translation.override(language):
        return [str(message) for step in completeness(application) for message in step.missing]


def reminder_context(application, days):
    call = application.call
    return {
        "application_title": application.title,
        "call_title_fr": call.title_fr,
        "call_title_en": call.title_en,
        "closes_at": call.closes_at.isoformat(),
        "days": days,
        "missing_fr": missing_parts(application, "fr"),
        "missing_en": missing_parts(application, "en"),
        "url_path": application.url_path,
    }


def reminder_key(application, days):
    closes_at = application.call.closes_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    return f"draft_reminder:{application.pk}:{application.applicant_id}:{closes_at}:{days}"


def _lock_sweep():
    """Two sweeps at once (beat plus a manual run) wait for each other instead of both inserting
    the same new keys (the second would fail on the unique dedupe_key)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def send_draft_reminders(now=None):
    """The hourly sweep (Celery beat, applications.draft_reminders): creates the reminders due
    now that were not created yet, through the outbox. Returns how many were created."""
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("send_draft_reminders() needs an aware datetime.")
    with transaction.atomic():
        _lock_sweep()
        due = []
        for application in _drafts(now):
            days = reminder_due(application.call.closes_at - now)
            if days is not None:
                due.append((application, days, reminder_key(application, days)))
        # Only the reminders not sent yet build their context (completeness in both languages).
        keys = [key for _application, _days, key in due]
        sent = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
        messages = [
            Message(
                application.applicant,
                DRAFT_REMINDER,
                reminder_context(application, days),
                target=application,
                dedupe_key=key,
            )
            for application, days, key in due
            if key not in sent
        ]
        created = notify_many(messages) if messages else []
    return len(created)


__all__ = ["REMINDER_DAYS", "reminder_due", "send_draft_reminders"]
