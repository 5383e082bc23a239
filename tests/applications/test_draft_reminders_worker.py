"""Beat's hourly task, sent by name to a real Celery worker on the real Redis, twice: each draft's
reminder reaches its applicant once, in their language (only SMTP is replaced: Django's locmem
backend)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone, translation

import applications.tasks  # noqa: F401 (the worker knows the task by name)
from notifications.models import Notification
from tests.factories import CallFactory
from tests.notifications import conftest as outbox

from .factories import ApplicationFactory, ProfileFactory

pytestmark = pytest.mark.celery_worker

# The outbox tests' fixtures: the real Redis broker, emptied, and a real worker in a thread.
broker, celery_worker, mail_folder = outbox.broker, outbox.celery_worker, outbox.mail_folder
wait_until = outbox.wait_until


@pytest.fixture(autouse=True)
def no_celery_broker():
    """Overrides tests/applications/conftest.py's: here notifications are really queued on Redis."""


@pytest.fixture
def locmem_mail(celery_worker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


def all_delivered():
    rows = Notification.objects.filter(kind="application.draft_reminder")
    return rows.exists() and not rows.exclude(status=Notification.Status.SENT).exists()


def deadline(language, moment):
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def test_the_hourly_task_run_twice_by_a_real_worker_reminds_each_draft_once(celery_worker, locmem_mail):
    now = timezone.now()
    closing_tomorrow = CallFactory(closes_at=now + timedelta(hours=20), title_fr="Tremplins 2027")
    closing_in_a_week = CallFactory(closes_at=now + timedelta(days=6, hours=20), title_en="PRI 2027")
    french = ApplicationFactory(call=closing_tomorrow, applicant=ProfileFactory().user)
    english = ApplicationFactory(call=closing_in_a_week, applicant=ProfileFactory(user__language="en").user)
    ApplicationFactory(call=CallFactory(closes_at=now + timedelta(days=3)), applicant=ProfileFactory().user)

    first = celery_worker.app.send_task("applications.draft_reminders").get(timeout=30)
    wait_until(all_delivered)
    second = celery_worker.app.send_task("applications.draft_reminders").get(timeout=30)

    assert first == {"notifications": 2}
    assert second == {"notifications": 0}
    wait_until(all_delivered)
    delivered = sorted((message.to[0], message.subject) for message in locmem_mail)
    assert delivered == sorted(
        [
            (
                french.applicant.email,
                "Rappel : déposez votre brouillon pour Tremplins 2027 avant le "
                + deadline("fr", closing_tomorrow.closes_at),
            ),
            (
                english.applicant.email,
                "Reminder: submit your draft to PRI 2027 before " + deadline("en", closing_in_a_week.closes_at),
            ),
        ]
    )
    assert Notification.objects.filter(kind="application.draft_reminder").count() == 2
