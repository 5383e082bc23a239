"""The rules of Inserm's international cooperation programmes, in plain Python.

Source: /work/shared/seed/inserm-international.fr.txt, read through domain.md. No Django model is
imported here: the rules take frozen dataclasses of plain values and return findings, each with a
stable code (the rule's name: the same code with PASS, FAIL or WARNING), an outcome and a message
translated when shown. Forms, admin, services and Celery tasks ask these functions; nothing else
re-implements a rule.
"""

from .base import (
    ApplicantFacts,
    CallFacts,
    CallStatus,
    Finding,
    InstrumentCode,
    InstrumentFacts,
    Outcome,
    ProposalFacts,
    Text,
    is_eligible,
)
from .common import (
    check_amount_positive,
    check_amount_within_call_ceiling,
    check_call_is_open,
    check_duration,
    check_partner_abroad,
    check_partner_count,
    check_partner_countries,
    closing_day,
)
from .confirmation import check_partners_confirmed
from .geography import (
    EUROPEAN_COUNTRIES,
    FRANCE,
    FRENCH_TERRITORIES,
    ISO_COUNTRIES,
    foreign,
    is_country,
    is_european_partnership,
    is_france,
    rotation_gaps,
    rotation_year_for,
)
from .opening import check_call, check_call_values
from .pct import PCT_PARTNER_CODE, check_pct_theme
from .pri import ceiling_for, check_partners_in_zone, check_pri_ceiling
from .tremplin import check_new_collaboration, check_tremplin_applicant, earliest_eligible_recruitment, five_year_mark


def check_application(applicant, call, proposal, now):
    """Every rule that applies to an application to `call`, passes included (for a live checklist).

    `now` is the server's clock, timezone-aware. An application is eligible when no finding fails.
    """
    findings = [check_call_is_open(call, now)]
    code = call.instrument_code
    if code == InstrumentCode.TREMPLIN:
        findings += [
            check_tremplin_applicant(applicant, call),
            check_new_collaboration(proposal),
            check_partner_countries(proposal),
            check_partner_abroad(proposal),
            check_partner_count(call, proposal),
            check_amount_positive(proposal),
            check_amount_within_call_ceiling(call, proposal),
        ]
    elif code == InstrumentCode.PRI:
        findings += [
            check_partner_countries(proposal),
            check_partner_abroad(proposal),
            check_partner_count(call, proposal),
            check_partners_in_zone(call, proposal),
            check_amount_positive(proposal),
            check_pri_ceiling(call, proposal),
        ]
    elif code == InstrumentCode.PCT:
        findings += [
            check_partner_countries(proposal),
            check_partner_abroad(proposal),
            check_partner_count(call, proposal, PCT_PARTNER_CODE),
            check_pct_theme(call, proposal),
            check_amount_positive(proposal),
            check_amount_within_call_ceiling(call, proposal),
        ]
    if call.duration_months is not None:
        findings.append(check_duration(call, proposal))
    findings.append(check_partners_confirmed(call, proposal))
    # A rule with nothing to judge yet (no partner, no amount) says nothing: another one already
    # says what to fill in, once.
    return [finding for finding in findings if finding is not None]


__all__ = [
    "EUROPEAN_COUNTRIES",
    "FRANCE",
    "FRENCH_TERRITORIES",
    "ISO_COUNTRIES",
    "ApplicantFacts",
    "CallFacts",
    "CallStatus",
    "Finding",
    "InstrumentCode",
    "InstrumentFacts",
    "Outcome",
    "ProposalFacts",
    "Text",
    "ceiling_for",
    "check_application",
    "check_call",
    "check_call_values",
    "check_partner_abroad",
    "check_partner_countries",
    "check_partners_confirmed",
    "closing_day",
    "earliest_eligible_recruitment",
    "five_year_mark",
    "foreign",
    "is_country",
    "is_france",
    "is_eligible",
    "is_european_partnership",
    "rotation_gaps",
    "rotation_year_for",
]
