"""The outbox under faults: a worker killed mid-delivery, and reminders scheduled days ahead."""

import os
import signal
import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Notification
from tests.factories import ResearcherFactory, ReviewerFactory
from tests.notifications.conftest import subject_of, text_of, wait_until

pytestmark = pytest.mark.celery_worker

PARIS = ZoneInfo("Europe/Paris")


def status_of(notification):
    return Notification.objects.values_list("status", flat=True).get(pk=notification.pk)


def _database_url():
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker_process(tmp_path, marker):
    """A real `celery worker` process whose mail server hangs once it holds a message."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "tests.notifications.backends.BlockingBackend",
        "NOTIFICATIONS_TEST_MARKER": str(marker),
    }
    log = (tmp_path / "worker.log").open("w")
    command = [sys.executable, "-m", "celery", "-A", "inserm_portal", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--hostname=doomed@%h"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def test_worker_killed_mid_delivery_yields_exactly_one_message(transactional_db, broker, mail_folder, tmp_path):
    marker = tmp_path / "holding-a-message"
    worker = start_worker_process(tmp_path, marker)
    try:
        with transaction.atomic():
            notification = services.notify(ResearcherFactory(), "application.receipt", {"reference": "PRI-2026-0001"})
        wait_until(marker.exists, timeout=60)
        os.kill(worker.pid, signal.SIGKILL)  # no warm shutdown, no ack, no cleanup
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert status_of(notification) == Notification.Status.SENDING
    assert mail_folder.messages() == []

    task_app = tasks.sweep.app
    with start_worker(task_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        tasks.sweep.delay().get(timeout=20)  # a live worker may still be sending: not taken over yet
        assert status_of(notification) == Notification.Status.SENDING
        later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT + 60)
        with time_machine.travel(later, tick=True):
            tasks.sweep.delay().get(timeout=20)
            wait_until(lambda: status_of(notification) == Notification.Status.SENT)
            tasks.sweep.delay().get(timeout=20)
            tasks.deliver_notification.delay(notification.pk).get(timeout=20)

    assert len(mail_folder.messages()) == 1
    notification.refresh_from_db()
    assert notification.attempts == 2
    connection.close()


def test_review_reminder_goes_out_on_its_day_and_not_again(celery_worker, mail_folder):
    reviewer = ReviewerFactory(language="fr")
    due = date(2026, 3, 20)
    key = f"review_reminder:17:{due - timedelta(days=3)}"
    context = {"reference": "TREMPLIN-2026-0017", "due_date": due.isoformat(), "url_path": "/reviews/17/"}

    def schedule():
        with transaction.atomic():
            return services.notify(
                reviewer,
                "review.reminder",
                context,
                not_before=datetime(2026, 3, 17, 8, 0, tzinfo=PARIS),
                dedupe_key=key,
            )

    with time_machine.travel(datetime(2026, 3, 2, 14, 0, tzinfo=PARIS), tick=True):
        reminder = schedule()
    with time_machine.travel(datetime(2026, 3, 17, 7, 59, tzinfo=PARIS), tick=True):
        tasks.sweep.delay().get(timeout=20)
        assert status_of(reminder) == Notification.Status.PENDING
    with time_machine.travel(datetime(2026, 3, 17, 8, 1, tzinfo=PARIS), tick=True):
        tasks.sweep.delay().get(timeout=20)
        wait_until(lambda: status_of(reminder) == Notification.Status.SENT)
    with time_machine.travel(datetime(2026, 3, 18, 8, 1, tzinfo=PARIS), tick=True):
        assert schedule().pk == reminder.pk  # the reviews app asking again the next day changes nothing
        tasks.sweep.delay().get(timeout=20)
        tasks.sweep.delay().get(timeout=20)

    [message] = mail_folder.messages()
    assert subject_of(message) == "Rappel : évaluation TREMPLIN-2026-0017 attendue le 20 mars 2026"
    assert "/fr/reviews/17/" in text_of(message)
    reminder.refresh_from_db()
    assert timezone.localtime(reminder.sent_at).date() == date(2026, 3, 17)
    assert Notification.objects.count() == 1


def test_reminder_cancelled_when_the_review_is_submitted_is_never_sent(celery_worker, mail_folder):
    reviewer = ReviewerFactory()
    with transaction.atomic():
        reminder = services.notify(
            reviewer,
            "review.reminder",
            {"reference": "X"},
            target=reviewer,
            not_before=timezone.now() + timedelta(days=2),
            dedupe_key="review_reminder:99",
        )
    assert services.cancel_pending(reviewer, ["review.reminder"]) == 1
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=True):
        tasks.sweep.delay().get(timeout=20)
    assert status_of(reminder) == Notification.Status.CANCELLED
    assert mail_folder.messages() == []
