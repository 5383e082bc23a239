"""The outbox's duplicate window (issue 21): a worker process killed while the mail server holds
the 5th message of a 20-message batch re-sends that one message only, never the four it had
already handed over (each is marked sent as soon as it is accepted), and the rows it held are
taken back once their short claim runs out; a database connection lost just before a message is
marked sent costs no duplicate (the mark is retried on a new connection)."""

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import psycopg
import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Notification
from notifications.services import delivery
from tests.factories import ResearcherFactory
from tests.notifications.conftest import wait_until

pytestmark = pytest.mark.celery_worker

BATCH, HANG_AT = 20, 5


def _database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _message_ids(mail_folder):
    return Counter(str(message["Message-ID"]) for message in mail_folder.messages())


def test_a_worker_killed_mid_batch_resends_at_most_the_message_it_was_handing_over(
    transactional_db, broker, mail_folder, tmp_path
):
    marker = tmp_path / "accepted"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "EMAIL_BACKEND": "tests.notifications.backends.AcceptThenHangBackend",
        "EMAIL_FILE_PATH": str(mail_folder.path),
        "NOTIFICATIONS_TEST_MARKER": str(marker),
        "NOTIFICATIONS_TEST_ACCEPT_THEN_HANG": str(HANG_AT),
    }
    command = [sys.executable, "-m", "celery", "-A", "inserm_portal", "worker", "--pool=solo", "--loglevel=INFO"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--hostname=killed@%h"]
    worker = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        with transaction.atomic():
            services.notify_many(
                [
                    services.Message(ResearcherFactory(), "application.receipt", {"reference": f"PRI-2026-{n:04d}"})
                    for n in range(BATCH)
                ]
            )
        wait_until(marker.exists, timeout=60)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    statuses = Counter(Notification.objects.values_list("status", flat=True))
    # The four accepted before are marked; the fifth is out but not marked; the rest still held.
    assert statuses[Notification.Status.SENT] == HANG_AT - 1
    assert statuses[Notification.Status.SENDING] == BATCH - HANG_AT + 1

    with start_worker(tasks.sweep.app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        later = timezone.now() + timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT + 1)
        with time_machine.travel(later, tick=True):
            tasks.sweep.delay().get(timeout=20)
            wait_until(lambda: not Notification.objects.exclude(status=Notification.Status.SENT).exists(), timeout=60)

    sent = _message_ids(mail_folder)
    assert len(sent) == BATCH  # every notification delivered
    assert sum(sent.values()) == BATCH + 1  # and exactly one twice: the one being handed over
    assert settings.NOTIFICATIONS_SENDING_TIMEOUT <= 60  # taken back within a minute of the kill


def test_a_lost_database_connection_when_marking_sent_is_retried_without_a_duplicate(transactional_db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        rows = services.notify_many(
            [services.Message(ResearcherFactory(), "application.receipt", {"reference": f"PRI-{n}"}) for n in range(3)]
        )
    pid = connection.cursor().connection.info.backend_pid
    original = delivery._mark_sent
    killed = []

    def mark_after_the_server_dropped_us(pk, subject):
        if not killed:  # the first mark finds its connection terminated by the server
            with psycopg.connect(_database_url(), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.append(pk)
        return original(pk, subject)

    delivery._mark_sent = mark_after_the_server_dropped_us
    try:
        outcomes = services.deliver_batch([row.pk for row in rows])
    finally:
        delivery._mark_sent = original
    assert killed and {outcome.result for outcome in outcomes.values()} == {"sent"}
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


@pytest.mark.parametrize("how", ["batch", "one"])
def test_a_database_connection_lost_before_the_claim_is_retried_and_nothing_waits_for_the_sweeper(
    transactional_db, settings, how
):
    # Found by the fault figures (bench/faults, scenario 3): a worker whose idle connection had been
    # terminated failed its next batch at the claim, and the batch's 100 rows stayed pending, queued,
    # until the sweeper queued them again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        rows = services.notify_many(
            [services.Message(ResearcherFactory(), "application.receipt", {"reference": f"PRI-{n}"}) for n in range(3)]
        )
    pid = connection.cursor().connection.info.backend_pid
    with psycopg.connect(_database_url(), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])

    if how == "batch":
        outcomes = services.deliver_batch([row.pk for row in rows])
        assert {outcome.result for outcome in outcomes.values()} == {"sent"}
    else:
        assert {services.deliver(row.pk).result for row in rows} == {"sent"}
    assert len(mail.outbox) == 3
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}
