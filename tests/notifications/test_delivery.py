"""Delivery through the real Redis broker and a real Celery worker."""

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from bench.procs import free_port
from notifications import services, tasks
from notifications.models import Notification
from tests.factories import ResearcherFactory, ReviewerFactory
from tests.notifications.backends import FailingBackend, FlakyBackend
from tests.notifications.conftest import html_of, subject_of, text_of, wait_until

pytestmark = pytest.mark.celery_worker

RECEIPT = {
    "reference": "TREMPLIN-2026-0042",
    "application_title": "Cohortes franco-brésiliennes",
    "call_title_fr": "Tremplins internationaux 2026",
    "call_title_en": "International springboards 2026",
    "url_path": "/applications/42/",
}


def status_of(notification):
    return Notification.objects.values_list("status", flat=True).get(pk=notification.pk)


def submit_event(recipient, context=RECEIPT):
    """Stands for the application's submission: the notification is written in its transaction."""
    with transaction.atomic():
        return services.notify(recipient, "application.receipt", context)


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "link"),
    [
        ("fr", "Accusé de réception de votre candidature TREMPLIN-2026-0042", "Bonjour", "/fr/applications/42/"),
        ("en", "Receipt for your application TREMPLIN-2026-0042", "Dear", "/en/applications/42/"),
    ],
)
def test_event_delivers_exactly_one_message_in_the_recipients_language(
    celery_worker, mail_folder, settings, language, subject, greeting, link
):
    researcher = ResearcherFactory(language=language, first_name="Ana", last_name="Silva")

    notification = submit_event(researcher)

    wait_until(lambda: status_of(notification) == Notification.Status.SENT)
    [message] = mail_folder.messages()
    assert message["To"] == researcher.email
    assert subject_of(message) == subject
    text, html = text_of(message), html_of(message)
    assert f"{greeting} Ana Silva" in text
    assert settings.PORTAL_BASE_URL + link in text
    assert f'href="{settings.PORTAL_BASE_URL}{link}"' in html
    notification.refresh_from_db()
    assert notification.attempts == 1
    assert notification.sent_at is not None


def test_event_succeeds_with_the_broker_down_and_the_sweeper_delivers_once(celery_worker, mail_folder, monkeypatch):
    researcher = ResearcherFactory()
    monkeypatch.setattr(celery_worker.app.conf, "broker_write_url", "redis://127.0.0.1:1/0")

    notification = submit_event(researcher)  # raises nothing: the event (the submission) succeeds

    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.queued_at is None
    monkeypatch.undo()  # Redis is back

    tasks.sweep.delay()  # too early: the notification is seconds old (its own queueing may be under way)
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        tasks.sweep.delay()
        wait_until(lambda: status_of(notification) == Notification.Status.SENT)
        tasks.sweep.delay().get(timeout=20)
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=True):
        tasks.sweep.delay().get(timeout=20)
    assert len(mail_folder.for_notification(notification.pk)) == 1
    assert len(mail_folder.messages()) == 1


def test_delivery_task_run_twice_sends_once(celery_worker, mail_folder):
    notification = submit_event(ResearcherFactory())
    wait_until(lambda: status_of(notification) == Notification.Status.SENT)

    tasks.deliver_notification.delay(notification.pk).get(timeout=20)
    tasks.deliver_notification.delay(notification.pk).get(timeout=20)

    assert len(mail_folder.messages()) == 1


OUTBOX = '"notifications_notification"'
# The status changes a delivery makes, in their order: the claim, then the mark of what was sent.
STEPS = {Notification.Status.SENDING: 1, Notification.Status.SENT: 2}


def step_of(sql, params):
    """1 for the UPDATE that claims outbox rows (to sending), 2 for the one that marks them sent
    (transition() and transition_rows() set the status first), else 0."""
    if sql.startswith("UPDATE") and OUTBOX in sql and params:
        return STEPS.get(params[0], 0)
    return 0


def race_at_the_claim(work, runs):
    """Run work(*args) for each args of `runs` in its own thread, on its own database connection,
    with the deliveries made to overlap for sure, whatever the scheduler does:

    1. a barrier before each thread's first query on the outbox: no thread reads anything before
       every thread is about to;
    2. before it claims rows (to sending), then before it marks them sent, a thread waits until
       every other thread has come as far, or is held by PostgreSQL on a row lock, or is done.
       With the row locks, the others wait for this claim's commit and then find the rows taken;
       without them, every thread reads the rows as pending, claims them and sends them before
       any marks them sent.

    Returns the results of `work`, in no particular order."""
    barrier = threading.Barrier(len(runs), timeout=10)
    backend_pids, step, done = {}, dict.fromkeys(range(len(runs)), 0), {}
    results, errors = [], []

    def run(index, args):
        from django.db import connection

        first_read = True

        def is_held_by_a_lock(pid):
            with connection.cursor() as cursor:
                cursor.execute("SELECT cardinality(pg_blocking_pids(%s)) > 0", [pid])
                return cursor.fetchone()[0]

        def others_came_as_far(reached):
            return all(
                step[other] >= reached or other in done or is_held_by_a_lock(backend_pids[other])
                for other in step
                if other != index
            )

        def deliver_together(execute, sql, params, many, context):
            nonlocal first_read
            if first_read and OUTBOX in sql:
                first_read = False
                backend_pids[index] = connection.connection.info.backend_pid
                barrier.wait()
            elif reached := step_of(sql, params):
                step[index] = max(step[index], reached)
                wait_until(lambda: others_came_as_far(reached))
            return execute(sql, params, many, context)

        try:
            with connection.execute_wrapper(deliver_together):
                results.append(work(*args))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            done[index] = True
            connection.close()

    threads = [threading.Thread(target=run, args=(index, args)) for index, args in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(backend_pids) == len(runs), "every thread read the outbox"
    return results


def test_two_deliveries_racing_for_the_same_notification_send_once(transactional_db, mail_folder):
    notification = services.notify(ResearcherFactory(), "application.receipt", RECEIPT)

    outcomes = race_at_the_claim(lambda pk: services.deliver(pk).result, [(notification.pk,), (notification.pk,)])

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(mail_folder.for_notification(notification.pk)) == 1
    assert len(mail_folder.messages()) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 1)


def test_batch_waits_for_rows_another_transaction_is_updating_and_still_delivers_them(transactional_db, mail_folder):
    # What `make bench` once caught: a worker took a batch while the queueing transaction still held
    # its rows; the batch skipped them and the letters waited for the sweeper.
    users = [ResearcherFactory(language="en") for _ in range(3)]
    ids = [services.notify(user, "application.receipt", RECEIPT).pk for user in users]
    holding, release = threading.Event(), threading.Event()

    def hold_the_rows():
        from django.db import connection

        try:
            with transaction.atomic():
                Notification.objects.filter(pk__in=ids).update(queued_at=timezone.now())
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_rows)
    holder.start()
    assert holding.wait(10)
    releaser = threading.Timer(0.3, release.set)
    releaser.start()

    outcomes = services.deliver_batch(ids)
    holder.join()
    releaser.join()

    assert {outcome.result for outcome in outcomes.values()} == {"sent"}
    assert sorted(int(m["X-Portal-Notification"]) for m in mail_folder.messages()) == sorted(ids)


def test_two_batches_racing_for_the_same_notifications_send_each_once(transactional_db, mail_folder):
    users = [ResearcherFactory() for _ in range(4)]
    ids = [services.notify(user, "application.receipt", RECEIPT).pk for user in users]

    batches = race_at_the_claim(
        lambda batch: [outcome.result for outcome in services.deliver_batch(batch).values()],
        [(ids,), (list(reversed(ids)),)],
    )

    assert sorted(result for batch in batches for result in batch) == ["sent"] * 4 + ["skipped"] * 4
    assert sorted(int(m["X-Portal-Notification"]) for m in mail_folder.messages()) == sorted(ids)
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", "attempts")) == {("sent", 1)}


def test_a_batch_reaches_the_mail_server_in_one_smtp_session(db, settings, tmp_path):
    # A real SMTP server on loopback (the benchmark's sink), Django's SMTP backend: the server sees
    # every message of the batch in a single session, not one connection per message.
    port, stats = free_port(), tmp_path / "sink.count"
    sink = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve().parents[2] / "bench" / "smtp_sink.py"),
            "--port",
            str(port),
            "--stats",
            str(stats),
        ]
    )
    try:
        wait_until(stats.exists)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        ids = [services.notify(ResearcherFactory(), "application.receipt", RECEIPT).pk for _ in range(4)]

        outcomes = services.deliver_batch(ids)

        assert {outcome.result for outcome in outcomes.values()} == {"sent"}
        wait_until(lambda: stats.read_text().split() == ["4", "1"], timeout=10)
    finally:
        sink.terminate()
        sink.wait(10)


@pytest.mark.parametrize("references", [["0042"] * 5, ["0042", "0043", "0042"], [f"{n:04}" for n in range(1, 8)]])
def test_each_row_of_a_batch_keeps_the_subject_it_was_sent_with(db, settings, references):
    # One subject for the whole batch, a few, or more than the grouped UPDATEs take (CASE).
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = [
        services.notify(ResearcherFactory(), "application.receipt", {**RECEIPT, "reference": ref}).pk
        for ref in references
    ]

    services.deliver_batch(ids)

    sent = {int(message.extra_headers["X-Portal-Notification"]): message.subject for message in mail.outbox}
    assert sorted(sent) == sorted(ids)
    stored = dict(Notification.objects.filter(pk__in=ids, status="sent").values_list("pk", "subject"))
    assert stored == sent
    assert {stored[pk] for pk in ids} == {f"Accusé de réception de votre candidature {ref}" for ref in references}


def test_smtp_failure_is_retried_with_backoff_then_failed_with_the_error(celery_worker, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FailingBackend"
    settings.NOTIFICATIONS_RETRY_BACKOFF = 0.05
    FailingBackend.calls = 0

    notification = submit_event(ResearcherFactory())

    wait_until(lambda: status_of(notification) == Notification.Status.FAILED)
    notification.refresh_from_db()
    assert FailingBackend.calls == settings.NOTIFICATIONS_MAX_ATTEMPTS == 5
    assert notification.attempts == 5
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in notification.last_error


def test_smtp_failure_then_success_delivers_one_message(celery_worker, mail_folder, settings):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    settings.NOTIFICATIONS_RETRY_BACKOFF = 0.05
    FlakyBackend.calls = 0

    notification = submit_event(ResearcherFactory())

    wait_until(lambda: status_of(notification) == Notification.Status.SENT)
    notification.refresh_from_db()
    assert notification.attempts == 3
    assert notification.last_error == ""
    assert len(mail_folder.messages()) == 1


def test_failed_notification_resent_by_staff_is_delivered(celery_worker, mail_folder):
    notification = submit_event(ResearcherFactory())
    wait_until(lambda: status_of(notification) == Notification.Status.SENT)
    failed = services.notify(ReviewerFactory(), "review.assignment", {"reference": "X"})
    wait_until(lambda: status_of(failed) == Notification.Status.SENT)
    Notification.objects.filter(pk=failed.pk).update(status=Notification.Status.FAILED, last_error="boom")

    assert services.resend_failed([failed.pk, notification.pk]) == 1

    wait_until(lambda: status_of(failed) == Notification.Status.SENT)
    assert len(mail_folder.for_notification(failed.pk)) == 2  # sent, marked failed by hand, sent again
    assert len(mail_folder.for_notification(notification.pk)) == 1


def test_held_decision_goes_out_only_once_released(celery_worker, mail_folder):
    applicant = ResearcherFactory(language="en")
    with transaction.atomic():
        letter = services.notify(
            applicant,
            "decision.letter",
            {"reference": "PRI-2026-0007", "outcome": "funded", "amount": "15000.00", "url_path": "/applications/7/"},
        )
    tasks.sweep.delay().get(timeout=20)
    assert status_of(letter) == Notification.Status.HELD

    Notification.objects.filter(pk=letter.pk).update(subject_override="Your PRI application: good news")
    assert services.release_held([letter.pk], by_owner=True) == 1

    wait_until(lambda: status_of(letter) == Notification.Status.SENT)
    [message] = mail_folder.messages()
    assert subject_of(message) == "Your PRI application: good news"
    text = text_of(message)
    assert "Funded" in text
    assert "15,000\xa0€" in text


def test_many_notifications_are_delivered_in_batches_once_each(celery_worker, mail_folder, settings):
    settings.NOTIFICATIONS_BATCH_SIZE = 2
    for user in [ResearcherFactory(language="en") for _ in range(5)]:
        services.set_subscriptions(user, ["instrument:PRI"])
    context = {"call_title_fr": "PRI 2027", "call_title_en": "PRI 2027", "url_path": "/calls/9/"}

    with transaction.atomic():
        assert services.notify_topic("instrument:PRI", "call.opened", context) == 5

    wait_until(lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == 5)
    messages = mail_folder.messages()
    assert len(messages) == 5
    assert {subject_of(message) for message in messages} == {"New call open: PRI 2027"}


def test_the_sweeper_runs_every_20_seconds_on_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]
    assert entry == {"task": "notifications.sweep", "schedule": 20.0}
    assert tasks.sweep.name in tasks.sweep.app.tasks
