"""The calls demo data: the source's figures, every country in a zone, idempotent."""

import pytest
from django.apps import apps
from django.utils import timezone
from django_countries import countries as world

from accounts import demo as accounts_demo
from calls import demo, rules, services
from calls.models import Call, InstitutionalAgreement, Instrument, ZoneCountry
from calls.rules import FRENCH_TERRITORIES

pytestmark = pytest.mark.django_db


def counts():
    return {m._meta.label: m.objects.count() for m in apps.get_app_config("calls").get_models()}


def load():
    accounts_demo.load()
    demo.load()


def test_demo_loaded_twice_leaves_the_same_rows():
    load()
    first = counts()
    load()
    assert counts() == first
    assert first["calls.Instrument"] == 4


def test_demo_instruments_carry_the_source_figures():
    load()
    tremplin = Instrument.objects.get(code="TREMPLIN")
    pri = Instrument.objects.get(code="PRI")
    pct = Instrument.objects.get(code="PCT")
    assert (tremplin.ceiling, tremplin.default_duration_months) == (10000, 12)
    assert (pri.european_ceiling, pri.non_european_ceiling, pri.default_duration_months) == (60000, 75000, 60)
    assert (pct.min_partners, pct.max_partners, pct.default_duration_months) == (4, 5, 60)
    assert not Instrument.objects.get(code="PIC").has_calls


def test_demo_zones_hold_every_country_but_france_exactly_once():
    load()
    codes = list(ZoneCountry.objects.values_list("country", flat=True))
    assert len(codes) == len(set(codes))
    assert set(codes) == {code for code, _ in world} - FRENCH_TERRITORIES


def test_one_full_demo_rotation_cycle_targets_every_country_but_france():
    load()
    assert services.rotation_cycle().missing_countries == set()


def test_demo_opens_a_tremplin_a_pri_on_this_years_zones_and_a_healthy_ageing_pct():
    load()
    open_calls = {c.instrument.code: c for c in Call.objects.open_now().select_related("instrument")}
    assert set(open_calls) == {"TREMPLIN", "PRI", "PCT"}
    pri = open_calls["PRI"]
    assert set(pri.zones.all()) == set(services.zones_for_year(timezone.localdate().year))
    assert list(open_calls["PCT"].priority_themes.values_list("code", flat=True)) == ["ageing"]
    for call in open_calls.values():
        assert rules.check_call(services.call_facts(call), call.instrument.facts(), timezone.now()) == []


def test_demo_registers_the_key_partnerships_of_the_source():
    load()
    countries = set(InstitutionalAgreement.objects.values_list("country", flat=True))
    assert countries == {"US", "BR", "CA", "AU", "SG", "IN", "RW"}
