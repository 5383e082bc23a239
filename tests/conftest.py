import pytest
from django.utils import translation

from tests.factories import PASSWORD, ResearcherFactory, ReviewerFactory, StaffFactory


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def researcher(db):
    return ResearcherFactory()


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the sign-up and password-reset limits count in it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the portal's default language (French), whatever a previous test's
    requests activated: a test that reads English messages asks for them (`english`)."""
    translation.activate("fr")
    yield
    translation.deactivate()


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def french():
    with translation.override("fr"):
        yield
