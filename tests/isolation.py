"""Autouse fixtures shared by the test packages that work on the outbox rows and uploaded files
(import them into a package's conftest.py to turn them on there)."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never to the project's media/ (the upload tests
    check that nothing lands outside it)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_celery_broker(monkeypatch):
    """Notifications are queued on commit; these tests check the outbox rows, not the delivery
    (tests/notifications runs a real worker on Redis for that)."""
    import notifications.services

    monkeypatch.setattr(notifications.services.queueing, "enqueue", lambda ids: None)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
