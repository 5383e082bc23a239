"""Mail backends for the fault tests: they fail, stall or block like a real mail server can."""

import os
import smtplib
import threading
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FailingBackend(BaseEmailBackend):
    """A mail server that always drops the connection."""

    calls = 0
    lock = threading.Lock()

    def send_messages(self, email_messages):
        with self.lock:
            type(self).calls += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FlakyBackend(FileBackend):
    """Fails the first `failures` sends, then delivers to the mail folder."""

    failures = 2
    calls = 0

    def send_messages(self, email_messages):
        type(self).calls += 1
        if type(self).calls <= type(self).failures:
            raise smtplib.SMTPDataError(451, b"4.3.0 Try again later")
        return super().send_messages(email_messages)


class BlockingBackend(BaseEmailBackend):
    """Signals that it holds a message (a file named by NOTIFICATIONS_TEST_MARKER), then hangs
    before handing it over, so that the test can kill the worker in the middle of a delivery."""

    def send_messages(self, email_messages):
        Path(os.environ["NOTIFICATIONS_TEST_MARKER"]).write_text("sending")
        time.sleep(120)
        raise AssertionError("the worker should have been killed")


class BrokenBackend(BaseEmailBackend):
    """A bug, not a mail server problem: must not be retried blindly."""

    def send_messages(self, email_messages):
        raise RuntimeError("backend misconfigured")


class AcceptThenHangBackend(FileBackend):
    """A mail server that accepts messages (they land in the mail folder) and, once it has accepted
    the NOTIFICATIONS_TEST_ACCEPT_THEN_HANG-th, signals it (NOTIFICATIONS_TEST_MARKER) and hangs
    before answering: the worst moment to kill a worker, the message out but not yet marked sent."""

    accepted = 0

    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        type(self).accepted += sent
        if type(self).accepted >= int(os.environ["NOTIFICATIONS_TEST_ACCEPT_THEN_HANG"]):
            Path(os.environ["NOTIFICATIONS_TEST_MARKER"]).write_text("accepted")
            time.sleep(120)
        return sent
