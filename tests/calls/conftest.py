import pytest
from django.utils import translation


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def french():
    with translation.override("fr"):
        yield
