"""A partner's country is a code of ISO 3166-1: a code of no country ("XX") is named by a finding
of its own, and "abroad" means a known country that is not France (overseas France included)."""

import pytest
from django.utils import translation

from calls.rules import Outcome, check_application, foreign, is_country, is_eligible, is_european_partnership

from .facts import applicant, call_facts, finding, paris, pct_facts, pri_facts, proposal

NOW = paris(2026, 11, 25, 10)
CRCN = applicant(grade="CRCN", recruited_on=paris(2024, 1, 1).date())


def test_a_tremplin_whose_only_partner_is_in_country_xx_is_not_eligible():
    result = check_application(CRCN, call_facts(), proposal(("XX",), "9000"), NOW)
    unknown = finding(result, "partners.country_unknown")
    assert unknown.outcome == Outcome.FAIL and unknown.subject == "partner_countries"
    assert finding(result, "partners.none_abroad").outcome == Outcome.FAIL
    assert not is_eligible(result)


def test_the_finding_names_the_unknown_code_in_both_languages():
    result = check_application(CRCN, call_facts(max_partners=3), proposal(("JP", "XX", "ZZ"), "9000"), NOW)
    unknown = finding(result, "partners.country_unknown")
    with translation.override("en"):
        assert "XX, ZZ" in str(unknown.message) and "Unknown country code" in str(unknown.message)
    with translation.override("fr"):
        assert "XX, ZZ" in str(unknown.message)
    # Japan is abroad: that rule passes, but the unknown codes still make the application ineligible.
    assert finding(result, "partners.none_abroad").outcome == Outcome.PASS
    assert not is_eligible(result)


@pytest.mark.parametrize("facts", [call_facts, pri_facts, pct_facts])
def test_every_instrument_with_partners_checks_their_countries(facts):
    result = check_application(CRCN, facts(), proposal(("DE", "XX"), "9000", theme="ageing"), NOW)
    assert finding(result, "partners.country_unknown").outcome == Outcome.FAIL


def test_known_countries_raise_no_finding_about_their_codes():
    result = check_application(CRCN, call_facts(), proposal(("JP",), "9000"), NOW)
    assert [f for f in result if f.code == "partners.country_unknown"] == []
    assert is_eligible(result)


def test_abroad_means_a_known_country_that_is_not_france():
    assert foreign(("XX", "FR", "RE", "jp", "JP", "", "BR")) == ("JP", "BR")
    assert is_country("jp") and is_country("RE") and not is_country("XX") and not is_country("FRA")


def test_a_code_of_no_country_does_not_make_a_pri_partnership_european_or_not():
    assert is_european_partnership(("DE", "XX"))
    assert not is_european_partnership(("DE", "JP", "XX"))
