"""Plain facts for the rules tests: a call, an applicant and a proposal with sensible defaults."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from calls.rules import ApplicantFacts, CallFacts, ProposalFacts

PARIS = ZoneInfo("Europe/Paris")


def paris(*args):
    return datetime(*args, tzinfo=PARIS)


def call_facts(**overrides):
    """A Tremplin call open from 1 October to 15 December 2026, 17:00 Paris time."""
    values = {
        "instrument_code": "TREMPLIN",
        "status": "open",
        "opens_at": paris(2026, 10, 1, 9),
        "closes_at": paris(2026, 12, 15, 17),
        "duration_months": 12,
        "ceiling": Decimal("10000"),
        "european_ceiling": None,
        "non_european_ceiling": None,
        "zone_countries": frozenset(),
        "priority_themes": frozenset(),
        "min_partners": 1,
        "max_partners": 1,
    }
    values.update(overrides)
    return CallFacts(**values)


def pri_facts(**overrides):
    values = {
        "instrument_code": "PRI",
        "duration_months": 60,
        "ceiling": None,
        "european_ceiling": Decimal("60000"),
        "non_european_ceiling": Decimal("75000"),
        "zone_countries": frozenset({"GB", "CH", "NO", "DE", "JP", "CN", "US"}),
        "max_partners": None,
    }
    values.update(overrides)
    return call_facts(**values)


def pct_facts(**overrides):
    values = {
        "instrument_code": "PCT",
        "duration_months": 60,
        "ceiling": Decimal("300000"),
        "priority_themes": frozenset({"ageing"}),
        "min_partners": 4,
        "max_partners": 5,
    }
    values.update(overrides)
    return call_facts(**values)


def applicant(grade=None, recruited_on=None, atip=None, erc=None):
    return ApplicantFacts(grade=grade, recruited_on=recruited_on, atip_avenir_year=atip, erc_starting_grant_year=erc)


def proposal(partners=("DE",), amount="10000", duration=None, theme=None, new=True):
    return ProposalFacts(
        partner_countries=tuple(partners),
        amount=Decimal(amount),
        duration_months=duration,
        theme=theme,
        collaboration_is_new=new,
    )


def finding(findings, code):
    matches = [f for f in findings if f.code == code]
    assert len(matches) == 1, f"expected one {code} in {[f.code for f in findings]}"
    return matches[0]
