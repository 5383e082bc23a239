"""Celery tasks: a few lines each around the domain functions (sent by name)."""

from celery import shared_task

from . import information, partners, reminders


@shared_task(name="applications.draft_reminders", acks_late=True)
def draft_reminders():
    """Beat's hourly pass: the drafts whose call closes in 7 days or in 1 day are reminded to their
    applicant. Safe to run any number of times (each reminder has its key)."""
    return {"notifications": reminders.send_draft_reminders()}


@shared_task(name="applications.partner_reminders", acks_late=True)
def partner_reminders():
    """Beat's hourly pass: a partner team that has not answered 7 days after its invitation is
    reminded, once (reminded_at and a key per team and link: any number of runs send one)."""
    return {"notifications": partners.remind_partners()}


@shared_task(name="applications.lapsed_information_requests", acks_late=True)
def lapsed_information_requests():
    """Beat's hourly pass: staff are told, once, of each request for more information whose
    deadline passed unanswered (lapsed_at: any number of runs tell them once)."""
    return {"requests": information.tell_staff_of_lapsed_requests()}
