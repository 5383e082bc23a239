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
def empty_cache(settings):
    """Each test starts with an empty cache: the sign-up and password-reset limits count in it.
    The page fragments are cached as in production (accounts/page_cache.py), so that every test that
    reads a page after a change proves the change shows at once."""
    from django.core.cache import cache

    settings.PAGE_CACHE = True

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def django_assert_num_queries(django_assert_num_queries, settings):
    """A query count is of the page rendered (a cached fragment costs fewer: tests/test_page_cache.py)."""
    settings.PAGE_CACHE = False
    return django_assert_num_queries


@pytest.fixture
def django_assert_max_num_queries(django_assert_max_num_queries, settings):
    settings.PAGE_CACHE = False
    return django_assert_max_num_queries


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks):
    """The callbacks a commit would run, the page cache's own left out (accounts/page_cache.py drops
    its stamp at every commit that wrote): the tests count what the portal queues."""
    from contextlib import contextmanager

    from accounts import page_cache

    @contextmanager
    def capture(**kwargs):
        with django_capture_on_commit_callbacks(**kwargs) as callbacks:
            yield callbacks
        callbacks[:] = [callback for callback in callbacks if callback not in page_cache.COMMIT_DROPS.values()]

    return capture


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
