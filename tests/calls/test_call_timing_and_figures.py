"""A call's being open or upcoming means the same on every page and in every query; a call's funding and
partner figures are named once (calls.models.CALL_FIGURES) and every use follows that list."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls import rules, services
from calls.admin import AUDITED_CALL_FIELDS, CallAdmin, InstrumentAdmin
from calls.models import CALL_FIGURES, INSTRUMENT_DEFAULTS, Call, Instrument
from tests.factories import CallFactory, InstrumentFactory

pytestmark = pytest.mark.django_db

MOMENTS = {
    "a second before it opens": timedelta(seconds=-1),
    "the instant it opens": timedelta(0),
    "a second after it opens": timedelta(seconds=1),
}


@pytest.mark.parametrize("status", [Call.Status.OPEN, Call.Status.DRAFT, Call.Status.CLOSED])
@pytest.mark.parametrize("moment", MOMENTS)
def test_the_queries_and_the_call_itself_agree_on_open_and_upcoming_around_the_opening(status, moment):
    opens = timezone.now() + timedelta(days=2)
    call = CallFactory(status=status, opens_at=opens, closes_at=opens + timedelta(days=30))
    when = opens + MOMENTS[moment]
    assert Call.objects.upcoming_at(when).filter(pk=call.pk).exists() == call.is_upcoming_at(when)
    assert Call.objects.open_at(when).filter(pk=call.pk).exists() == call.is_open_at(when)
    listed = Call.objects.listed_at(when).filter(pk=call.pk).exists()
    assert listed == (call.is_open_at(when) or call.is_upcoming_at(when))
    assert call.is_upcoming_at(when) == (status == Call.Status.OPEN and moment == "a second before it opens")


def test_an_upcoming_call_is_announced_alike_on_the_list_on_its_page_and_by_the_filter(client):
    upcoming = CallFactory(title_en="Opening next week", opens_at=timezone.now() + timedelta(days=7))
    running = CallFactory(title_en="Running now")
    listing = client.get("/en/calls/").content.decode()
    row = listing.split("Opening next week")[1].split("</tr>")[0]
    assert "Opening soon" in row
    assert "Opening soon" not in listing.split("Running now")[1].split("</tr>")[0]
    assert client.get(f"/en/calls/{upcoming.pk}/").context["is_upcoming"] is True
    assert client.get(f"/en/calls/{running.pk}/").context["is_upcoming"] is False
    filtered = client.get("/en/calls/", {"status": "upcoming"}).content.decode()
    assert "Opening next week" in filtered and "Running now" not in filtered


def test_a_new_call_takes_every_figure_from_its_instrument_and_the_rules_see_each_of_them(staff):
    instrument = InstrumentFactory(
        code=Instrument.Code.PRI,
        default_duration_months=48,
        ceiling=Decimal("1234"),
        european_ceiling=Decimal("55000"),
        non_european_ceiling=Decimal("70000"),
        min_partners=2,
        max_partners=3,
    )
    now = timezone.now()
    call = services.create_call_from_instrument(
        instrument, 2027, by_user=staff, opens_at=now, closes_at=now + timedelta(days=30), zones=[]
    )
    judged = {field.name for field in dataclasses.fields(rules.CallFacts)}
    not_figures = {"instrument_code", "status", "opens_at", "closes_at", "zone_countries", "priority_themes"}
    assert set(CALL_FIGURES) == judged - not_figures
    defaults = instrument.call_defaults()
    assert set(defaults) == set(CALL_FIGURES)
    assert defaults["duration_months"] == 48
    for figure in CALL_FIGURES:
        assert getattr(call, figure) == getattr(instrument, INSTRUMENT_DEFAULTS[figure]), figure
        assert getattr(call.facts(), figure) == getattr(call, figure), figure
        assert getattr(instrument.facts(), figure) == defaults[figure], figure


def test_staff_see_and_the_audit_trail_follows_every_figure_of_a_call():
    call_fields = [field for _name, options in CallAdmin.fieldsets for field in options["fields"]]
    instrument_fields = [field for _name, options in InstrumentAdmin.fieldsets for field in options["fields"]]
    assert set(CALL_FIGURES) <= set(call_fields)
    assert set(INSTRUMENT_DEFAULTS.values()) <= set(instrument_fields)
    assert set(CALL_FIGURES) <= set(AUDITED_CALL_FIELDS)
