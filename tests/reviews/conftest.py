import pytest

from tests.factories import StaffFactory
from tests.isolation import fast_password_hashing, media_root, no_celery_broker  # noqa: F401

from .factories import ClosedCallFactory


@pytest.fixture
def call(db):
    return ClosedCallFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()
