"""PRI (zones, European and non-European ceilings) and PCT (4-5 partners, priority theme)."""

from decimal import Decimal

import pytest

from calls.rules import EUROPEAN_COUNTRIES, Outcome, ceiling_for, check_application, is_eligible

from .facts import applicant, finding, paris, pct_facts, pri_facts, proposal

NOW = paris(2026, 11, 25, 10)
NOBODY = applicant()  # PRI and PCT do not look at the applicant's grade


def pri(partners, amount):
    return check_application(NOBODY, pri_facts(), proposal(partners, amount), NOW)


def test_a_european_partnership_may_ask_for_sixty_thousand_euros():
    assert finding(pri(("DE",), "60000"), "pri.over_ceiling").outcome == Outcome.PASS


def test_a_european_partnership_over_sixty_thousand_euros_is_refused(english):
    result = finding(pri(("DE",), "60000.01"), "pri.over_ceiling")
    assert result.outcome == Outcome.FAIL
    assert str(result.message) == (
        "60,000.01 EUR requested exceed the ceiling of 60,000 EUR for European partnerships."
    )


def test_a_partnership_outside_europe_may_ask_for_seventy_five_thousand_euros():
    assert finding(pri(("JP",), "75000"), "pri.over_ceiling").outcome == Outcome.PASS


def test_a_partnership_outside_europe_over_its_ceiling_is_refused_naming_the_numbers(english):
    result = finding(pri(("JP",), "80000"), "pri.over_ceiling")
    assert result.outcome == Outcome.FAIL
    assert str(result.message) == (
        "80,000 EUR requested exceed the ceiling of 75,000 EUR for partnerships outside Europe."
    )


def test_the_message_is_rendered_in_the_language_active_when_shown():
    from django.utils import translation

    result = finding(pri(("JP",), "80000"), "pri.over_ceiling")
    with translation.override("fr"):
        french = str(result.message)
    with translation.override("en"):
        english = str(result.message)
    assert "80\xa0000" in french and "75\xa0000" in french
    assert "80,000" in english


def test_a_mixed_european_and_non_european_partnership_gets_the_non_european_ceiling():
    assert ceiling_for(pri_facts(), ("DE", "JP")) == Decimal("75000")
    assert finding(pri(("DE", "JP"), "70000"), "pri.over_ceiling").outcome == Outcome.PASS


@pytest.mark.parametrize("country", ["GB", "CH", "NO"])
def test_the_united_kingdom_switzerland_and_norway_are_european(country):
    assert country in EUROPEAN_COUNTRIES
    assert ceiling_for(pri_facts(), (country,)) == Decimal("60000")
    assert finding(pri((country,), "60000.01"), "pri.over_ceiling").outcome == Outcome.FAIL


def test_french_partners_do_not_make_a_partnership_non_european():
    assert ceiling_for(pri_facts(), ("FR", "DE")) == Decimal("60000")


def test_france_as_the_only_partner_is_not_a_partner_abroad(english):
    findings = pri(("FR",), "10000")
    result = finding(findings, "partners.none_abroad")
    assert result.outcome == Outcome.FAIL
    assert "France, overseas France included, is not abroad" in str(result.message)
    assert not is_eligible(findings)


def test_an_application_with_no_partner_is_asked_for_one_once_as_something_to_do(english):
    findings = pri((), "10000")
    codes = [f.code for f in findings]
    assert "partners.none_abroad" not in codes and "pri.partner_outside_zone" not in codes
    result = finding(findings, "partners.count")
    assert result.outcome == Outcome.TODO and not result.passed
    assert str(result.message) == "Add 1 partner team abroad."
    assert not is_eligible(findings)


def test_a_pri_without_partner_yet_states_both_ceilings(english):
    within = finding(pri((), "50000"), "pri.over_ceiling")
    assert within.outcome == Outcome.PASS
    assert "within both ceilings (60,000 EUR for a European partnership, 75,000 EUR outside Europe)" in str(
        within.message
    )
    between = finding(pri((), "70000"), "pri.over_ceiling")
    assert between.outcome == Outcome.TODO
    assert "within the 75,000 EUR ceiling for a partnership outside Europe, over the 60,000 EUR" in str(between.message)
    over = finding(pri((), "75000.01"), "pri.over_ceiling")
    assert over.outcome == Outcome.FAIL and "exceed both ceilings" in str(over.message)


def test_france_only_names_what_is_wrong_and_never_passes_the_zone_check(english):
    findings = pri(("FR",), "10000")
    assert finding(findings, "partners.none_abroad").outcome == Outcome.FAIL
    assert "pri.partner_outside_zone" not in [f.code for f in findings]


def test_a_partner_one_country_outside_the_targeted_zone_is_refused_by_name(english):
    call = pri_facts(zone_countries=frozenset({"DE", "AT", "CH"}))
    findings = check_application(NOBODY, call, proposal(("DE", "IT"), "50000"), NOW)
    result = finding(findings, "pri.partner_outside_zone")
    assert result.outcome == Outcome.FAIL
    assert str(result.message) == "Italy: not in the zones this call targets."


def test_partners_all_in_the_targeted_zones_pass_and_france_needs_no_zone():
    call = pri_facts(zone_countries=frozenset({"DE", "AT"}))
    findings = check_application(NOBODY, call, proposal(("FR", "DE", "AT"), "50000"), NOW)
    assert finding(findings, "pri.partner_outside_zone").outcome == Outcome.PASS
    assert is_eligible(findings)


@pytest.mark.parametrize(("months", "outcome"), [(59, Outcome.FAIL), (60, Outcome.PASS), (61, Outcome.FAIL)])
def test_a_pri_lasts_exactly_sixty_months(months, outcome):
    findings = check_application(NOBODY, pri_facts(), proposal(("DE",), "1000", duration=months), NOW)
    assert finding(findings, "duration.not_the_instruments").outcome == outcome


def pct(partners, theme="ageing", amount="100000"):
    return check_application(NOBODY, pct_facts(), proposal(partners, amount, theme=theme), NOW)


@pytest.mark.parametrize(
    ("partners", "outcome"),
    [
        (("DE", "US", "JP"), Outcome.FAIL),
        (("DE", "US", "JP", "BR"), Outcome.PASS),
        (("DE", "US", "JP", "BR", "IN"), Outcome.PASS),
        (("DE", "US", "JP", "BR", "IN", "CA"), Outcome.FAIL),
    ],
)
def test_a_pct_federates_four_or_five_partners(partners, outcome):
    assert finding(pct(partners), "pct.partner_count").outcome == outcome


def test_a_pct_theme_must_be_one_of_the_calls_priority_themes():
    partners = ("DE", "US", "JP", "BR")
    assert finding(pct(partners, "ageing"), "pct.theme_not_priority").outcome == Outcome.PASS
    assert finding(pct(partners, "oncology"), "pct.theme_not_priority").outcome == Outcome.FAIL
    assert finding(pct(partners, None), "pct.theme_not_priority").outcome == Outcome.TODO  # not chosen yet


def test_a_pct_amount_is_capped_by_the_ceiling_staff_set_on_the_call():
    partners = ("DE", "US", "JP", "BR")
    assert finding(pct(partners, amount="300000"), "amount.over_ceiling").outcome == Outcome.PASS
    assert finding(pct(partners, amount="300000.01"), "amount.over_ceiling").outcome == Outcome.FAIL
    assert ceiling_for(pct_facts(), partners) == Decimal("300000")


def test_an_amount_of_zero_is_still_to_fill_in_and_no_ceiling_is_judged():
    findings = pri(("DE",), "0")
    assert finding(findings, "amount.not_positive").outcome == Outcome.TODO
    assert "pri.over_ceiling" not in [f.code for f in findings]
    assert not is_eligible(findings)


def test_a_negative_amount_is_refused():
    assert finding(pri(("DE",), "-1"), "amount.not_positive").outcome == Outcome.FAIL
