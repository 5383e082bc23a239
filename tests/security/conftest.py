import pytest

from tests.isolation import fast_password_hashing, media_root, no_celery_broker  # noqa: F401


@pytest.fixture
def world(db):
    from .factories import build_world

    return build_world()
