"""The call is open on the server's clock (across DST), the rules on a call, and the rotation."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from calls.rules import (
    FRANCE,
    InstrumentFacts,
    Outcome,
    check_application,
    check_call,
    check_call_values,
    rotation_gaps,
    rotation_year_for,
)
from calls.rules.common import check_call_is_open

from .facts import applicant, call_facts, paris, pct_facts, pri_facts, proposal

TREMPLIN = InstrumentFacts("TREMPLIN", 12, Decimal("10000"), None, None, 1, 1)
PRI = InstrumentFacts("PRI", 60, None, Decimal("60000"), Decimal("75000"), 1, None)
PCT = InstrumentFacts("PCT", 60, None, None, None, 4, 5)
PIC = InstrumentFacts("PIC", None, None, None, None, 1, None, has_calls=False)


def open_at(call, now):
    return check_call_is_open(call, now).outcome == Outcome.PASS


def test_a_deadline_at_235959_paris_on_the_night_winter_time_starts():
    # 25 October 2026: clocks go back from 03:00 to 02:00; 23:59:59 that evening is 22:59:59 UTC.
    call = call_facts(closes_at=paris(2026, 10, 25, 23, 59, 59))
    assert call.closes_at == datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC)
    assert open_at(call, datetime(2026, 10, 25, 22, 30, tzinfo=UTC))  # 23:30 Paris
    assert open_at(call, call.closes_at - timedelta(microseconds=1))
    assert not open_at(call, call.closes_at)


def test_a_deadline_at_midnight_paris_after_the_change_to_winter_time():
    call = call_facts(closes_at=paris(2026, 10, 26, 0, 0, 0))
    assert open_at(call, paris(2026, 10, 25, 23, 59, 59))
    assert not open_at(call, paris(2026, 10, 26, 0, 0, 0))
    assert not open_at(call, datetime(2026, 10, 25, 23, 0, tzinfo=UTC))


def test_a_deadline_at_midnight_paris_after_the_change_to_summer_time():
    # 29 March 2026: clocks go forward; midnight of the 30th in Paris is 22:00 UTC on the 29th.
    call = call_facts(opens_at=paris(2026, 3, 1), closes_at=paris(2026, 3, 30, 0, 0, 0))
    assert open_at(call, datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC))
    assert not open_at(call, datetime(2026, 3, 29, 22, 30, tzinfo=UTC))


def test_a_call_accepts_applications_from_its_opening_second(english):
    call = call_facts()
    assert open_at(call, call.opens_at)
    early = check_call_is_open(call, call.opens_at - timedelta(seconds=1))
    assert early.outcome == Outcome.FAIL
    assert str(early.message).startswith("The call opens on")


def test_a_call_that_is_not_open_refuses_applications_whatever_the_dates():
    assert not open_at(call_facts(status="draft"), paris(2026, 11, 1))
    assert not open_at(call_facts(status="closed"), paris(2026, 11, 1))


def test_an_application_after_the_deadline_is_not_eligible():
    findings = check_application(applicant(atip=2020), call_facts(), proposal(), paris(2026, 12, 15, 17))
    assert [f.code for f in findings if not f.passed] == ["call.not_open"]


def codes(findings):
    return {f.code for f in findings}


def test_a_call_closing_before_it_opens_is_refused(english):
    call = call_facts(opens_at=paris(2026, 12, 1), closes_at=paris(2026, 11, 30))
    problems = check_call_values(call, TREMPLIN)
    assert codes(problems) == {"call.dates_order"}
    assert problems[0].subject == "closes_at"
    assert "must come after the opening date" in str(problems[0].message)


def test_a_call_closing_when_it_opens_is_refused():
    call = call_facts(opens_at=paris(2026, 12, 1), closes_at=paris(2026, 12, 1))
    assert codes(check_call_values(call, TREMPLIN)) == {"call.dates_order"}


@pytest.mark.parametrize(
    ("ceiling", "expected"),
    [
        ("-0.01", {"call.ceiling_negative"}),
        ("0", set()),
        ("10000", set()),
        ("10000.01", {"call.ceiling_above_instrument"}),
    ],
)
def test_a_tremplin_call_ceiling_lies_between_zero_and_the_instruments(ceiling, expected):
    assert codes(check_call_values(call_facts(ceiling=Decimal(ceiling)), TREMPLIN)) == expected


def test_a_pri_call_ceilings_cannot_exceed_sixty_and_seventy_five_thousand_euros(english):
    call = pri_facts(european_ceiling=Decimal("60001"), non_european_ceiling=Decimal("75001"))
    problems = check_call_values(call, PRI)
    assert [f.subject for f in problems] == ["european_ceiling", "non_european_ceiling"]
    assert str(problems[0].message) == (
        "The ceiling for European partnerships (60,001 EUR) cannot exceed the instrument's 60,000 EUR."
    )


def test_a_pct_call_ceiling_is_free_but_must_be_set_before_opening():
    assert check_call_values(pct_facts(ceiling=Decimal("900000")), PCT) == []
    assert "call.ceiling_missing" in codes(check_call(pct_facts(ceiling=None), PCT))


def test_a_call_cannot_fund_longer_than_its_instrument():
    assert codes(check_call_values(call_facts(duration_months=13), TREMPLIN)) == {"call.duration_above_instrument"}


def test_a_sound_call_may_open():
    assert check_call(call_facts(), TREMPLIN, now=paris(2026, 11, 25)) == []


def test_a_call_whose_deadline_has_passed_may_not_open():
    assert codes(check_call(call_facts(), TREMPLIN, now=paris(2026, 12, 15, 17))) == {"call.closes_in_past"}


def test_a_pri_call_must_target_a_zone_and_a_pct_call_name_a_theme():
    assert codes(check_call(pri_facts(zone_countries=frozenset()), PRI)) == {"call.no_zones"}
    assert codes(check_call(pct_facts(priority_themes=frozenset()), PCT)) == {"call.no_priority_themes"}


def test_key_partnerships_have_no_call():
    assert codes(check_call(call_facts(instrument_code="PIC"), PIC)) == {"call.instrument_without_calls"}


def test_partner_bounds_must_make_sense():
    assert codes(check_call_values(pct_facts(min_partners=5, max_partners=4), PCT)) == {"call.partner_bounds"}


WORLD = {"DE", "GB", "JP", "US", "BR", FRANCE}


def test_a_rotation_covering_every_country_but_france_has_no_gap():
    cycle = {2025: {"DE", "GB"}, 2026: {"JP"}, 2027: {"US", "BR"}}
    assert rotation_gaps(cycle, WORLD) == set()


def test_a_rotation_missing_one_country_names_it_and_never_france():
    cycle = {2025: {"DE", "GB"}, 2026: {"JP"}, 2027: {"US"}}
    assert rotation_gaps(cycle, WORLD) == {"BR"}


def test_the_rotation_cycle_repeats_beyond_its_years():
    years = [2025, 2026, 2027, 2028]
    assert rotation_year_for(2026, years) == 2026
    assert rotation_year_for(2029, years) == 2025
    assert rotation_year_for(2034, years) == 2026
    assert rotation_year_for(2024, years) == 2028
    assert rotation_year_for(2026, []) is None
