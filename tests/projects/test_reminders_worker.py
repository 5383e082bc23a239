"""Beat's daily task, sent by name to a real Celery worker on the real Redis, twice: each reminder
and overdue notice reaches its recipient once (only SMTP is replaced: Django's locmem backend)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

import projects.tasks  # noqa: F401 (the worker knows the task by name)
from notifications.models import Notification
from projects.models import Project, Report
from tests.notifications import conftest as outbox

from .factories import funded_project

pytestmark = pytest.mark.celery_worker

# The outbox tests' fixtures: the real Redis broker, emptied, and a real worker in a thread.
broker, celery_worker, mail_folder = outbox.broker, outbox.celery_worker, outbox.mail_folder
wait_until = outbox.wait_until
KINDS = ("report.reminder", "report.overdue", "report.overdue_staff")


@pytest.fixture(autouse=True)
def no_celery_broker():
    """Overrides tests/projects/conftest.py's: here notifications are really queued on Redis."""


@pytest.fixture
def locmem_mail(celery_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def owed_report(staff, due_on, language):
    project = funded_project(staff=staff)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.ACTIVE)
    project.lead.language = language
    project.lead.save(update_fields=["language"])
    report = project.reports.get(kind=Report.Kind.FINAL)
    Report.objects.filter(pk=report.pk).update(due_on=due_on)
    report.refresh_from_db()
    return report


def all_delivered():
    rows = Notification.objects.filter(kind__in=KINDS)
    return rows.exists() and not rows.exclude(status=Notification.Status.SENT).exists()


def test_beats_daily_task_run_twice_by_a_real_worker_sends_each_email_once(celery_worker, locmem_mail, staff):
    today = timezone.localdate()
    due_today = owed_report(staff, today, "fr")
    overdue = owed_report(staff, today - timedelta(days=20), "en")
    # The decision letters and "project set up" messages of the setup are out of the way first.
    wait_until(lambda: not Notification.objects.exclude(status=Notification.Status.SENT).exists())
    locmem_mail.clear()

    first = celery_worker.app.send_task("projects.daily").get(timeout=30)
    wait_until(all_delivered)
    second = celery_worker.app.send_task("projects.daily").get(timeout=30)

    with translation.override("en"):
        english_date = formats.date_format(overdue.due_on, "DATE_FORMAT")
    assert first["notifications"] == 3  # the due-day reminder, the overdue notice to the lead and to staff
    assert second["notifications"] == 0
    wait_until(all_delivered)
    delivered = sorted((message.to[0], message.subject) for message in locmem_mail)
    assert delivered == sorted(
        [
            (
                due_today.project.lead.email,
                f"Rappel : le rapport final du projet {due_today.project.reference} est attendu aujourd'hui",
            ),
            (
                overdue.project.lead.email,
                f"Overdue: the final report of project {overdue.project.reference} was due on {english_date}",
            ),
            (
                staff.email,
                f"Rapport en retard : projet {overdue.project.reference}, rapport final (2 semaines de retard)",
            ),
        ]
    )
    assert Notification.objects.filter(kind__in=KINDS).count() == 3
