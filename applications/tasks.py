"""Celery tasks: a few lines each around the domain functions (sent by name)."""

from celery import shared_task

from . import reminders


@shared_task(name="applications.draft_reminders", acks_late=True)
def draft_reminders():
    """Beat's hourly pass: the drafts whose call closes in 7 days or in 1 day are reminded to their
    applicant. Safe to run any number of times (each reminder has its key)."""
    return {"notifications": reminders.send_draft_reminders()}
