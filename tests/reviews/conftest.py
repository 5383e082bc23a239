import pytest

from tests.factories import StaffFactory

from .factories import ClosedCallFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_celery_broker(monkeypatch):
    """Notifications are queued on commit; tests check the outbox rows, not the delivery."""
    import notifications.services

    monkeypatch.setattr(notifications.services, "enqueue", lambda ids: None)


@pytest.fixture
def call(db):
    return ClosedCallFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Many users per test (50-row pages): hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
