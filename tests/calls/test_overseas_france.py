"""Overseas France is France: never a partner "abroad", never in a PRI zone, never a rotation gap."""

import pytest
from django.core.exceptions import ValidationError

from calls.models import Zone, ZoneCountry
from calls.rules import Outcome, check_application, foreign, rotation_gaps

from .facts import applicant, call_facts, finding, paris, pri_facts, proposal

NOW = paris(2026, 11, 25, 10)
OVERSEAS = ["GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC", "TF"]


@pytest.mark.parametrize("territory", OVERSEAS)
def test_a_tremplin_partner_in_overseas_france_is_not_abroad(territory):
    result = check_application(applicant(), call_facts(), proposal((territory,), "9000"), NOW)
    assert finding(result, "partners.none_abroad").outcome == Outcome.FAIL


def test_a_pri_partner_in_martinique_is_not_abroad_even_when_the_zone_lists_it():
    facts = pri_facts(zone_countries=frozenset({"MQ", "BR"}))
    result = check_application(applicant(), facts, proposal(("MQ",), "50000"), NOW)
    assert finding(result, "partners.none_abroad").outcome == Outcome.FAIL
    with_brazil = check_application(applicant(), facts, proposal(("MQ", "BR"), "50000"), NOW)
    assert finding(with_brazil, "partners.none_abroad").outcome == Outcome.PASS
    assert foreign(("MQ", "BR", "re")) == ("BR",)


def test_a_rotation_that_never_targets_overseas_france_has_no_gap_there():
    assert rotation_gaps({2027: {"BR"}}, ["BR", "GP", "RE", "FR"]) == set()


@pytest.mark.django_db
def test_staff_cannot_put_reunion_in_a_zone(english):
    zone = Zone.objects.create(code="africa-test", name_fr="Afrique", name_en="Africa")
    with pytest.raises(ValidationError, match="overseas France"):
        ZoneCountry(zone=zone, country="RE").full_clean()


@pytest.mark.django_db
def test_the_demo_zones_hold_no_french_territory():
    from calls.demo import load

    load()
    assert not ZoneCountry.objects.filter(country__in=["FR", *OVERSEAS]).exists()
