"""The sign-up and password reset pages only queue a Celery task (accounts.services): these
fixtures keep what a page queues, and run it in this process afterwards, as a worker would."""

import pytest

from accounts import tasks
from tests.isolation import fast_password_hashing, no_celery_broker  # noqa: F401

ACCOUNT_TASKS = (tasks.complete_signup, tasks.send_password_reset, tasks.resend_verification)


class QueuedTasks:
    """The accounts tasks the pages queued (name, args, kwargs), kept instead of published."""

    def __init__(self):
        self.queued = []

    def names(self):
        return [name for name, _args, _kwargs in self.queued]

    def run(self):
        """Run and forget every queued task, oldest first; return their results."""
        by_name = {task.name: task for task in ACCOUNT_TASKS}
        results = []
        while self.queued:
            name, args, kwargs = self.queued.pop(0)
            results.append(by_name[name].apply(args=args, kwargs=kwargs, throw=True).get())
        return results


@pytest.fixture
def account_tasks(monkeypatch):
    queued = QueuedTasks()
    for task in ACCOUNT_TASKS:
        # Bound now: each patched delay() records its own task's name.
        def delay(*args, _name=task.name, **kwargs):
            queued.queued.append((_name, args, kwargs))

        monkeypatch.setattr(task, "delay", delay)
    return queued


@pytest.fixture
def submit(client, account_tasks, django_capture_on_commit_callbacks):
    """POST a page as a visitor does, then let the worker run what it queued: the tests see what
    the owner of the address would find in the outbox."""

    def post(url, data, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, data, **extra)
        account_tasks.run()
        return response

    return post
