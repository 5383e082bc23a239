"""Shared by the API's tests: a world with a row of each kind, the endpoints, a generous rate."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from cooperation.models import Cooperation, Site, YearlyFigures
from tests.calls.factories import ZoneFactory
from tests.factories import CallFactory, InstrumentFactory

ENDPOINTS = ("/api/v1/calls/", "/api/v1/projects/", "/api/v1/sites/", "/api/v1/figures/")
UNTHROTTLED = {"anon": "100000/minute"}


@pytest.fixture
def unthrottled(settings):
    """The tests send more requests a minute than a visitor may: the rate is raised for them."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNTHROTTLED}


def open_pri_call(countries=("JP",), **kwargs):
    return CallFactory(
        instrument=InstrumentFactory(code="PRI"), zones=[ZoneFactory(countries=list(countries))], **kwargs
    )


def upcoming_call(**kwargs):
    now = timezone.now()
    return CallFactory(opens_at=now + timedelta(days=5), closes_at=now + timedelta(days=40), **kwargs)


def closed_call(**kwargs):
    now = timezone.now()
    return CallFactory(
        status=Call.Status.CLOSED, opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=1), **kwargs
    )


def site(**kwargs):
    defaults = {
        "name_fr": "Laboratoire international associé",
        "name_en": "International associated laboratory",
        "kind": Site.Kind.JOINT_UNIT,
        "city": "Irvine",
        "country": "US",
        "latitude": "33.68390",
        "longitude": "-117.79470",
        "active_from": 2019,
    }
    return Site.objects.create(**{**defaults, **kwargs})


def cooperation(year=2020, country="JP", **kwargs):
    defaults = {
        "unit_code": "U1234",
        "partner_institution": f"Institute {Cooperation.objects.count()}",
        "city": "Tokyo",
        "kind": Cooperation.Kind.COPUBLICATION,
    }
    return Cooperation.objects.create(year=year, country=country, **{**defaults, **kwargs})


def entered_figures(year=2020, **kwargs):
    defaults = {
        "declared_cooperations": 6580,
        "countries": 102,
        "international_copublications": 8880,
        "international_share": "52.0",
        "source": "Inserm, rapport d'activité 2020",
    }
    return YearlyFigures.objects.create(year=year, **{**defaults, **kwargs})


def results(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]
