import pytest

from tests.factories import StaffFactory
from tests.isolation import fast_password_hashing, media_root, no_celery_broker  # noqa: F401


@pytest.fixture
def staff(db):
    return StaffFactory()
