"""Fixtures for the outbox tests: a mail folder shared across processes and a real Celery worker."""

import email
import time
from email import policy
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from inserm_portal.celery import app

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


class MailFolder:
    """Reads the messages the file-based e-mail backend wrote, from any process."""

    def __init__(self, path: Path):
        self.path = path

    def messages(self):
        found = []
        for file in sorted(self.path.glob("*.log")):
            for chunk in file.read_bytes().split(SEPARATOR):
                if chunk.strip():
                    found.append(email.message_from_bytes(chunk, policy=policy.default))
        return found

    def for_notification(self, notification_id):
        return [m for m in self.messages() if m["X-Portal-Notification"] == str(notification_id)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The factories set a password on every user; hashing it for real would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def mail_folder(tmp_path, settings):
    folder = tmp_path / "mail"
    folder.mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(folder)
    return MailFolder(folder)


def subject_of(message):
    return " ".join(str(message["Subject"]).split())


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()


def wait_until(predicate, timeout=20.0, interval=0.05):
    """Poll until predicate() is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


def purge_broker():
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        channel.queue_purge(app.conf.task_default_queue)
        # Messages a killed worker had taken (acks_late) wait an hour in "unacked": drop them too.
        channel.client.delete(channel.unacked_key, channel.unacked_index_key)


def _close_worker_connections(**kwargs):
    # The worker thread has its own database connection: close it after each task so the
    # transactional test can truncate the tables and the test database can be dropped.
    connections.close_all()


@pytest.fixture
def broker():
    """The real Redis broker, emptied of messages left by earlier tests."""
    assert app.conf.broker_url.startswith("redis://"), "these tests must run against the real Redis"
    purge_broker()
    yield app
    purge_broker()


@pytest.fixture
def celery_worker(transactional_db, broker, mail_folder):
    """A real Celery worker (solo pool, in a thread of this process) consuming from Redis."""
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_connections)
