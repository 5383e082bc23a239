"""Tremplins: who may apply (CRCN < 5 years at the closing date, ATIP-Avenir, ERC Starting)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calls.rules import Outcome, check_application, earliest_eligible_recruitment, is_eligible
from calls.rules.tremplin import check_tremplin_applicant, five_year_mark

from .facts import applicant, call_facts, finding, paris, proposal

NOW = paris(2026, 11, 25, 10)
CALL = call_facts(closes_at=paris(2026, 12, 15, 17))  # closing day: 15 December 2026


def eligibility(who, call=CALL):
    return check_tremplin_applicant(who, call)


def test_crcn_recruited_the_day_after_the_five_year_mark_is_eligible():
    assert eligibility(applicant("CRCN", date(2021, 12, 16))).outcome == Outcome.PASS


def test_crcn_recruited_exactly_five_years_before_closing_is_not_eligible():
    result = eligibility(applicant("CRCN", date(2021, 12, 15)))
    assert result.outcome == Outcome.FAIL
    assert result.code == "tremplin.applicant_not_eligible"


def test_crcn_recruited_the_day_before_the_five_year_mark_is_not_eligible():
    assert eligibility(applicant("CRCN", date(2021, 12, 14))).outcome == Outcome.FAIL


def test_five_years_are_counted_at_the_closing_day_in_paris_not_at_midnight_utc():
    # Closing at 00:30 Paris on 16 December is 23:30 UTC on the 15th: the closing day is the 16th.
    call = call_facts(closes_at=paris(2026, 12, 16, 0, 30))
    assert eligibility(applicant("CRCN", date(2021, 12, 16)), call).outcome == Outcome.FAIL
    assert eligibility(applicant("CRCN", date(2021, 12, 17)), call).outcome == Outcome.PASS


def test_a_call_closing_at_midnight_closes_at_the_end_of_the_day_before():
    call = call_facts(closes_at=paris(2026, 12, 16, 0, 0))
    assert eligibility(applicant("CRCN", date(2021, 12, 15)), call).outcome == Outcome.FAIL
    assert eligibility(applicant("CRCN", date(2021, 12, 16)), call).outcome == Outcome.PASS


def test_recruited_on_29_february_reaches_five_years_on_1_march():
    assert five_year_mark(date(2020, 2, 29)) == date(2025, 3, 1)
    recruited = applicant("CRCN", date(2020, 2, 29))
    on_28_feb = call_facts(opens_at=paris(2025, 1, 1), closes_at=paris(2025, 2, 28, 17))
    on_1_march = call_facts(opens_at=paris(2025, 1, 1), closes_at=paris(2025, 3, 1, 17))
    assert eligibility(recruited, on_28_feb).outcome == Outcome.PASS
    assert eligibility(recruited, on_1_march).outcome == Outcome.FAIL


def test_a_call_closing_on_29_february_accepts_recruitment_from_1_march_five_years_before():
    call = call_facts(opens_at=paris(2028, 1, 1), closes_at=paris(2028, 2, 29, 17))
    assert eligibility(applicant("CRCN", date(2023, 2, 28)), call).outcome == Outcome.FAIL
    assert eligibility(applicant("CRCN", date(2023, 3, 1)), call).outcome == Outcome.PASS
    assert earliest_eligible_recruitment(date(2028, 2, 29)) == date(2023, 3, 1)


@given(
    closing=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    offset=st.integers(min_value=-40, max_value=40),
)
def test_the_earliest_recruitment_day_shown_on_the_call_page_agrees_with_the_rule(closing, offset):
    earliest = earliest_eligible_recruitment(closing)
    recruited = earliest + timedelta(days=offset)
    call = call_facts(opens_at=paris(2000, 1, 1), closes_at=paris(closing.year, closing.month, closing.day, 17))
    assert eligibility(applicant("CRCN", recruited), call).passed == (recruited >= earliest)


def test_grade_is_read_without_case_or_spaces():
    assert eligibility(applicant(" crcn ", date(2024, 1, 1))).outcome == Outcome.PASS


@pytest.mark.parametrize(("atip", "erc"), [(2019, None), (None, 2015)])
def test_atip_avenir_laureates_and_erc_starting_holders_are_eligible_whatever_their_grade(atip, erc):
    assert eligibility(applicant("DR2", date(2005, 1, 1), atip=atip, erc=erc)).outcome == Outcome.PASS


def test_a_crcn_recruited_too_long_ago_is_eligible_through_atip_avenir():
    assert eligibility(applicant("CRCN", date(2010, 1, 1), atip=2012)).outcome == Outcome.PASS


def test_a_researcher_with_none_of_the_three_conditions_is_refused_with_the_reason(english):
    result = eligibility(applicant("DR2", date(2024, 1, 1)))
    assert result.outcome == Outcome.FAIL
    assert "ATIP-Avenir" in str(result.message) and "ERC Starting Grant" in str(result.message)


def test_a_crcn_without_recruitment_date_is_asked_for_it(english):
    result = eligibility(applicant("CRCN", None))
    assert result.outcome == Outcome.FAIL
    assert "recruitment date" in str(result.message)


def test_the_refusal_names_the_dates_it_compared(english):
    message = str(eligibility(applicant("CRCN", date(2021, 12, 15))).message)
    assert "Dec. 15, 2021" in message and "Dec. 15, 2026" in message


def test_an_eligible_tremplin_application_shows_every_rule_ticked():
    findings = check_application(applicant("CRCN", date(2023, 9, 1)), CALL, proposal(("US",), "10000", 12), NOW)
    assert {f.code for f in findings} == {
        "call.not_open",
        "tremplin.applicant_not_eligible",
        "tremplin.collaboration_not_new",
        "partners.none_abroad",
        "partners.count",
        "amount.not_positive",
        "amount.over_ceiling",
        "duration.not_the_instruments",
    }
    assert all(f.outcome == Outcome.PASS for f in findings)
    assert is_eligible(findings)


def test_ten_thousand_euros_is_within_the_tremplin_ceiling():
    findings = check_application(applicant(atip=2020), CALL, proposal(amount="10000"), NOW)
    assert finding(findings, "amount.over_ceiling").outcome == Outcome.PASS


def test_ten_thousand_euros_and_one_cent_exceeds_the_tremplin_ceiling(english):
    findings = check_application(applicant(atip=2020), CALL, proposal(amount="10000.01"), NOW)
    result = finding(findings, "amount.over_ceiling")
    assert result.outcome == Outcome.FAIL
    assert str(result.message) == "10,000.01 EUR requested exceed the call's ceiling of 10,000 EUR."
    assert not is_eligible(findings)


@pytest.mark.parametrize(("months", "outcome"), [(11, Outcome.FAIL), (12, Outcome.PASS), (13, Outcome.FAIL)])
def test_a_tremplin_lasts_exactly_twelve_months(months, outcome):
    findings = check_application(applicant(atip=2020), CALL, proposal(duration=months), NOW)
    assert finding(findings, "duration.not_the_instruments").outcome == outcome


def test_an_empty_draft_never_shows_a_check_as_passed_beside_its_contrary(english):
    findings = check_application(applicant(atip=2020), CALL, proposal((), "0"), NOW)
    by_code = {f.code: f for f in findings}
    assert by_code["amount.not_positive"].outcome == Outcome.TODO
    assert "amount.over_ceiling" not in by_code  # no "0 EUR within the ceiling" in green
    assert "partners.none_abroad" not in by_code  # the missing partner is said once
    assert by_code["partners.count"].outcome == Outcome.TODO
    assert str(by_code["partners.count"].message) == "Add 1 partner team abroad."


def test_a_tremplin_has_one_foreign_team():
    findings = check_application(applicant(atip=2020), CALL, proposal(("DE", "US")), NOW)
    assert finding(findings, "partners.count").outcome == Outcome.FAIL


def test_a_tremplin_starts_a_new_collaboration():
    existing = check_application(applicant(atip=2020), CALL, proposal(new=False), NOW)
    unanswered = check_application(applicant(atip=2020), CALL, proposal(new=None), NOW)
    assert finding(existing, "tremplin.collaboration_not_new").outcome == Outcome.FAIL
    assert finding(unanswered, "tremplin.collaboration_not_new").outcome == Outcome.WARNING
    assert is_eligible(unanswered)  # a warning does not block


def test_the_partner_and_duration_messages_take_the_singular_for_one():
    from django.utils import translation

    one = check_application(applicant("CRCN", date(2024, 1, 1)), CALL, proposal(("JP",), duration=1), NOW)
    two = check_application(applicant("CRCN", date(2024, 1, 1)), CALL, proposal(("JP", "BR")), NOW)
    with translation.override("en"):
        assert str(finding(one, "partners.count").message) == "1 partner team, within the 1 to 1 this call allows."
        assert str(finding(two, "partners.count").message) == "2 partner teams: this call allows at most 1."
        assert str(finding(one, "duration.not_the_instruments").message) == (
            "1 month: projects of this call last exactly 12 months."
        )
    with translation.override("fr"):
        assert str(finding(one, "partners.count").message) == (
            "1 équipe partenaire, dans la fourchette de 1 à 1 de cet appel."
        )
        assert str(finding(two, "partners.count").message) == "2 équipes partenaires : cet appel en permet au plus 1."
