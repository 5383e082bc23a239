"""Celery tasks: a few lines each around the domain functions of services (sent by name)."""

from celery import shared_task

from .services import lifecycle, reminders


@shared_task(name="projects.daily", acks_late=True)
def daily():
    """Beat's daily pass: statuses follow the projects' dates, then the reports' reminders and
    overdue notices go out. Safe to run any number of times a day (each notice has its key)."""
    changed = lifecycle.advance_projects()
    created = reminders.send_report_reminders()
    return {"projects_changed": changed, "notifications": created}
