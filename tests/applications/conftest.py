import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files go to a temporary folder, never to the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_celery_broker(monkeypatch):
    """Notifications are queued on commit; tests check the outbox rows, not the delivery."""
    import notifications.services

    monkeypatch.setattr(notifications.services, "enqueue", lambda ids: None)
