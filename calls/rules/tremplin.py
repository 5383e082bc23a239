"""Tremplins internationaux (Explore): who may apply, and for a new collaboration."""

from datetime import date, timedelta

from django.utils.translation import gettext_noop

from .base import Day, failed, passed, text, warned
from .common import closing_day

CRCN = "CRCN"
YEARS_SINCE_RECRUITMENT = 5


def five_year_mark(recruited_on):
    """The day five years after recruitment; for someone recruited on 29 February, 1 March of a
    year with no 29 February (before that day, fewer than five whole years have passed)."""
    year = recruited_on.year + YEARS_SINCE_RECRUITMENT
    try:
        return recruited_on.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def earliest_eligible_recruitment(closing):
    """The first CRCN recruitment day that is less than 5 years before `closing` (the same rule as
    `five_year_mark`, solved for the recruitment day, to tell applicants in plain words)."""
    try:
        five_years_before = closing.replace(year=closing.year - YEARS_SINCE_RECRUITMENT)
    except ValueError:  # closing on 29 February
        five_years_before = date(closing.year - YEARS_SINCE_RECRUITMENT, 2, 28)
    return five_years_before + timedelta(days=1)


def check_tremplin_applicant(applicant, call):
    """Source: "un jeune chercheur Inserm (recruté CRCN depuis moins de 5 ans, lauréat du programme
    ATIP-Avenir ou d'un financement ERC Starting)". One of the three suffices; "moins de 5 ans" is
    strict and counted at the call's closing date (exactly 5 years is not eligible)."""
    code = "tremplin.applicant_not_eligible"
    closing = closing_day(call)
    is_crcn = (applicant.grade or "").strip().upper() == CRCN
    if is_crcn and applicant.recruited_on and closing < five_year_mark(applicant.recruited_on):
        return passed(
            code,
            text(
                gettext_noop(
                    "Recruited as CRCN on %(recruited)s, less than 5 years before the call closes (%(closing)s)."
                ),
                recruited=Day(applicant.recruited_on),
                closing=Day(closing),
            ),
        )
    if applicant.atip_avenir_year:
        return passed(
            code,
            text(gettext_noop("Laureate of the ATIP-Avenir programme (%(year)s)."), year=applicant.atip_avenir_year),
        )
    if applicant.erc_starting_grant_year:
        return passed(
            code,
            text(gettext_noop("Holder of an ERC Starting Grant (%(year)s)."), year=applicant.erc_starting_grant_year),
        )
    if is_crcn and applicant.recruited_on is None:
        return failed(
            code,
            text(gettext_noop("Your profile says CRCN but gives no recruitment date: add it to check eligibility.")),
            "recruited_on",
        )
    if is_crcn:
        return failed(
            code,
            text(
                gettext_noop(
                    "Recruited as CRCN on %(recruited)s: 5 years had passed on %(mark)s, before the call closes "
                    "(%(closing)s). Neither ATIP-Avenir laureate nor ERC Starting Grant holder."
                ),
                recruited=Day(applicant.recruited_on),
                mark=Day(five_year_mark(applicant.recruited_on)),
                closing=Day(closing),
            ),
            "recruited_on",
        )
    return failed(
        code,
        text(
            gettext_noop(
                "Tremplins are open to researchers recruited as CRCN less than 5 years before the call closes, "
                "ATIP-Avenir laureates and ERC Starting Grant holders: your profile shows none of these."
            )
        ),
        "grade",
    )


def check_new_collaboration(proposal):
    """Source: "Il appuie la mise en place d'une nouvelle collaboration": a Tremplin starts a
    collaboration; an established one is consolidated by a PRI instead."""
    code = "tremplin.collaboration_not_new"
    if proposal.collaboration_is_new is None:
        return warned(code, text(gettext_noop("Confirm that the collaboration with the foreign team is new.")))
    if not proposal.collaboration_is_new:
        return failed(
            code,
            text(
                gettext_noop(
                    "Tremplins start a new collaboration: an established partnership may apply to a PRI instead."
                )
            ),
            "collaboration_is_new",
        )
    return passed(code, text(gettext_noop("The collaboration is new.")))
