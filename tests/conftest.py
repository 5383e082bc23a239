import pytest

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
