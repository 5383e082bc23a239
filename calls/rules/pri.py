"""Projets de recherche internationaux (Consolidate): targeted zones and the two ceilings."""

from django.utils.translation import gettext_noop

from .base import Countries, InstrumentCode, Money, failed, passed, text, to_do
from .geography import foreign, is_european_partnership


def ceiling_for(call, partner_countries):
    """The ceiling the rules give an application to `call` with these partners (None: no ceiling).

    Source (PRI): "à hauteur de 60 000 € dans le cas partenariats européens, et de 75 000 € pour
    les partenariats hors Europe"; other instruments use the call's single ceiling.
    """
    if call.instrument_code == InstrumentCode.PRI:
        if is_european_partnership(partner_countries):
            return call.european_ceiling
        return call.non_european_ceiling
    return call.ceiling


def check_partners_in_zone(call, proposal):
    """Source: "Les appels sont ciblés géographiquement": every foreign partner of a PRI is in a
    country of the zones the call targets (France, not abroad, needs no zone)."""
    code = "pri.partner_outside_zone"
    if not foreign(proposal.partner_countries):
        return None  # no partner abroad yet: nothing to place in a zone
    outside = tuple(c for c in foreign(proposal.partner_countries) if c not in call.zone_countries)
    if outside:
        return failed(
            code,
            text(gettext_noop("%(countries)s: not in the zones this call targets."), countries=Countries(outside)),
            "partner_countries",
        )
    return passed(code, text(gettext_noop("Every partner abroad is in a country this call targets.")))


def check_pri_ceiling(call, proposal):
    """Source: "à hauteur de 60 000 € dans le cas partenariats européens, et de 75 000 € pour les
    partenariats hors Europe". European when every foreign partner is in geographic Europe."""
    code = "pri.over_ceiling"
    if not proposal.amount:
        return None  # nothing requested yet: check_amount_positive says so
    if not foreign(proposal.partner_countries):
        return _both_ceilings(call, proposal.amount)
    european = is_european_partnership(proposal.partner_countries)
    ceiling = ceiling_for(call, proposal.partner_countries)
    amount = proposal.amount
    params = {"amount": Money(amount), "ceiling": Money(ceiling or 0)}
    if amount > (ceiling or 0):
        msgid = (
            gettext_noop("%(amount)s EUR requested exceed the ceiling of %(ceiling)s EUR for European partnerships.")
            if european
            else gettext_noop(
                "%(amount)s EUR requested exceed the ceiling of %(ceiling)s EUR for partnerships outside Europe."
            )
        )
        return failed(code, text(msgid, **params), "amount")
    msgid = (
        gettext_noop("%(amount)s EUR requested, within the ceiling of %(ceiling)s EUR for European partnerships.")
        if european
        else gettext_noop(
            "%(amount)s EUR requested, within the ceiling of %(ceiling)s EUR for partnerships outside Europe."
        )
    )
    return passed(code, text(msgid, **params))


def _both_ceilings(call, amount):
    """No partner abroad yet: which ceiling applies is not known, so both are said."""
    code = "pri.over_ceiling"
    params = {
        "amount": Money(amount),
        "european": Money(call.european_ceiling or 0),
        "outside": Money(call.non_european_ceiling or 0),
    }
    low, high = sorted([call.european_ceiling or 0, call.non_european_ceiling or 0])
    if amount > high:
        return failed(
            code,
            text(
                gettext_noop(
                    "%(amount)s EUR requested exceed both ceilings: %(european)s EUR for a European "
                    "partnership, %(outside)s EUR outside Europe."
                ),
                **params,
            ),
            "amount",
        )
    if amount > low:
        return to_do(
            code,
            text(
                gettext_noop(
                    "%(amount)s EUR requested: within the %(outside)s EUR ceiling for a partnership outside "
                    "Europe, over the %(european)s EUR for a European one. Your partners will decide."
                ),
                **params,
            ),
        )
    return passed(
        code,
        text(
            gettext_noop(
                "%(amount)s EUR requested, within both ceilings (%(european)s EUR for a European partnership, "
                "%(outside)s EUR outside Europe)."
            ),
            **params,
        ),
    )
