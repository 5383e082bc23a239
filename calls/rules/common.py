"""Rules every instrument with a call shares: the call is open, partners abroad, amount, duration."""

from datetime import timedelta

from django.utils.translation import gettext_noop

from .base import (
    PARIS,
    CallStatus,
    Countries,
    Moment,
    Money,
    failed,
    ngettext_noop,
    passed,
    plural_text,
    text,
    to_do,
    warned,
)
from .geography import foreign, unknown_countries


def closing_day(call):
    """The last day on which applications are accepted, in Paris: a call closing at midnight
    (00:00:00) closed at the end of the day before."""
    return (call.closes_at - timedelta(microseconds=1)).astimezone(PARIS).date()


def check_call_is_open(call, now):
    """domain.md: researchers "submit before the deadline"; the server's clock decides. A call is
    open from `opens_at` (included) to `closes_at` (excluded)."""
    code = "call.not_open"
    if call.status != CallStatus.OPEN:
        return failed(code, text(gettext_noop("This call is not open for applications.")))
    if now < call.opens_at:
        return failed(code, text(gettext_noop("The call opens on %(opens)s."), opens=Moment(call.opens_at)))
    if now >= call.closes_at:
        return failed(
            code,
            text(
                gettext_noop("The call closed on %(closes)s: applications are no longer accepted."),
                closes=Moment(call.closes_at),
            ),
        )
    return passed(code, text(gettext_noop("The call is open until %(closes)s."), closes=Moment(call.closes_at)))


def check_partner_countries(proposal):
    """Source: partner teams are "étrangères", each in a country (domain.md: "ISO 3166 codes").
    Every partner's country is a code of ISO 3166-1; a code of no country ("XX") is named, since
    its team counts neither as abroad nor as in France. Says nothing when every code is known."""
    unknown = unknown_countries(proposal.partner_countries)
    if not unknown:
        return None
    return failed(
        "partners.country_unknown",
        text(
            gettext_noop("Unknown country code: %(codes)s. Choose each partner team's country from the list."),
            codes=", ".join(str(code) for code in unknown),
        ),
        "partner_countries",
    )


def check_partner_abroad(proposal):
    """Source (Tremplins): "une nouvelle collaboration entre un jeune chercheur Inserm ... et une
    équipe étrangère"; (PRI) "une équipe Inserm et une ou plusieurs équipe(s) étrangère(s)".
    At least one partner team is abroad, and France (overseas France included) is not abroad."""
    code = "partners.none_abroad"
    abroad = foreign(proposal.partner_countries)
    if abroad:
        return passed(code, text(gettext_noop("Partner teams abroad: %(countries)s."), countries=Countries(abroad)))
    if proposal.partner_countries:
        return failed(
            code,
            text(
                gettext_noop(
                    "At least one partner team must be abroad: France, overseas France included, is not abroad."
                )
            ),
        )
    return None  # no partner yet: check_partner_count says what to add, once


def check_partner_count(call, proposal, code="partners.count"):
    """Source (PCT): "un PCT fédère un nombre restreint de partenaires (4–5)"; (Tremplins) "une
    équipe étrangère". The call's minimum and maximum number of partner teams."""
    count = len(proposal.partner_countries)
    low, high = call.min_partners, call.max_partners
    if count == 0:
        if high is not None and high != low:
            return to_do(
                code,
                text(
                    gettext_noop("Add %(min)s to %(max)s partner teams, at least one of them abroad."),
                    min=low,
                    max=high,
                ),
            )
        return to_do(
            code,
            plural_text(
                ngettext_noop(
                    "Add %(min)s partner team abroad.",
                    "Add at least %(min)s partner teams, at least one of them abroad.",
                ),
                "min",
                min=low,
            ),
        )
    if count < low:
        return failed(
            code,
            plural_text(
                ngettext_noop(
                    "%(count)s partner team: this call needs at least %(min)s.",
                    "%(count)s partner teams: this call needs at least %(min)s.",
                ),
                "count",
                count=count,
                min=low,
            ),
        )
    if high is not None and count > high:
        return failed(
            code,
            plural_text(
                ngettext_noop(
                    "%(count)s partner team: this call allows at most %(max)s.",
                    "%(count)s partner teams: this call allows at most %(max)s.",
                ),
                "count",
                count=count,
                max=high,
            ),
        )
    if high is None:
        return passed(
            code,
            plural_text(
                ngettext_noop(
                    "%(count)s partner team (at least %(min)s).", "%(count)s partner teams (at least %(min)s)."
                ),
                "count",
                count=count,
                min=low,
            ),
        )
    return passed(
        code,
        plural_text(
            ngettext_noop(
                "%(count)s partner team, within the %(min)s to %(max)s this call allows.",
                "%(count)s partner teams, within the %(min)s to %(max)s this call allows.",
            ),
            "count",
            count=count,
            min=low,
            max=high,
        ),
    )


def check_amount_positive(proposal):
    """A request asks for money: the amount is more than 0 EUR."""
    code = "amount.not_positive"
    if proposal.amount is None or proposal.amount == 0:
        return to_do(
            code, text(gettext_noop("Fill in the budget: the amount requested is the total of its lines.")), "amount"
        )
    if proposal.amount < 0:
        return failed(code, text(gettext_noop("The requested amount must be more than 0 EUR.")), "amount")
    return passed(code, text(gettext_noop("Requested amount: %(amount)s EUR."), amount=Money(proposal.amount)))


def check_amount_within_call_ceiling(call, proposal):
    """Source (Tremplins): "des crédits d'un montant total de 10 000 €"; domain.md (PCT): "the
    ceiling is set per call by staff". The amount requested is at most the call's ceiling."""
    code = "amount.over_ceiling"
    if call.ceiling is None:
        return warned(code, text(gettext_noop("This call sets no ceiling: the committee will judge the amount.")))
    if not proposal.amount:
        return None  # nothing requested yet: check_amount_positive says so
    amount = proposal.amount
    params = {"amount": Money(amount), "ceiling": Money(call.ceiling)}
    if amount > call.ceiling:
        return failed(
            code,
            text(gettext_noop("%(amount)s EUR requested exceed the call's ceiling of %(ceiling)s EUR."), **params),
            "amount",
        )
    return passed(
        code, text(gettext_noop("%(amount)s EUR requested, within the call's ceiling of %(ceiling)s EUR."), **params)
    )


def check_duration(call, proposal):
    """Source: Tremplins "sur une durée d'un an"; PRI "pour 5 ans"; PCT "sur cinq ans". A project
    lasts the instrument's duration: the applicant does not choose another (issue 14)."""
    code = "duration.not_the_instruments"
    limit = call.duration_months
    months = proposal.duration_months
    if months is None or months == limit:
        return passed(
            code,
            plural_text(
                ngettext_noop("Funded for %(max)s month.", "Funded for %(max)s months."),
                "max",
                max=limit,
            ),
        )
    return failed(
        code,
        plural_text(
            ngettext_noop(
                "%(months)s month: projects of this call last exactly %(max)s months.",
                "%(months)s months: projects of this call last exactly %(max)s months.",
            ),
            "months",
            months=months,
            max=limit,
        ),
        "duration_months",
    )


__all__ = [
    "check_amount_positive",
    "check_amount_within_call_ceiling",
    "check_call_is_open",
    "check_duration",
    "check_partner_abroad",
    "check_partner_count",
    "check_partner_countries",
    "closing_day",
]
