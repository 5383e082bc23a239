"""Rules on a call itself, checked when staff save it and again when they open it."""

from django.utils.translation import gettext_noop

from .base import InstrumentCode, Moment, Money, failed, text

CEILING_LABELS = {
    "ceiling": gettext_noop("The ceiling"),
    "european_ceiling": gettext_noop("The ceiling for European partnerships"),
    "non_european_ceiling": gettext_noop("The ceiling for partnerships outside Europe"),
}
REQUIRED_CEILINGS = {
    InstrumentCode.TREMPLIN: ("ceiling",),
    InstrumentCode.PRI: ("european_ceiling", "non_european_ceiling"),
    InstrumentCode.PCT: ("ceiling",),
}


def _label(field):
    return text(CEILING_LABELS[field])


def check_call_values(call, instrument):
    """What a call must respect even as a draft: it closes after it opens; its ceilings are not
    below 0 nor above the instrument's (source: Tremplins 10 000 €; PRI 60 000 € / 75 000 €);
    its duration is not longer than the instrument's (1 year, 5 years); partner bounds make sense.
    Returns the problems only: an empty list means the values are sound."""
    problems = []
    if call.closes_at <= call.opens_at:
        problems.append(
            failed(
                "call.dates_order",
                text(
                    gettext_noop("The closing date (%(closes)s) must come after the opening date (%(opens)s)."),
                    closes=Moment(call.closes_at),
                    opens=Moment(call.opens_at),
                ),
                "closes_at",
            )
        )
    for field in CEILING_LABELS:
        value = getattr(call, field)
        if value is None:
            continue
        limit = getattr(instrument, field)
        if value < 0:
            problems.append(
                failed(
                    "call.ceiling_negative",
                    text(
                        gettext_noop("%(label)s (%(ceiling)s EUR) cannot be below 0 EUR."),
                        label=_label(field),
                        ceiling=Money(value),
                    ),
                    field,
                )
            )
        elif limit is not None and value > limit:
            problems.append(
                failed(
                    "call.ceiling_above_instrument",
                    text(
                        gettext_noop("%(label)s (%(ceiling)s EUR) cannot exceed the instrument's %(limit)s EUR."),
                        label=_label(field),
                        ceiling=Money(value),
                        limit=Money(limit),
                    ),
                    field,
                )
            )
    if call.duration_months is not None and instrument.duration_months is not None:
        if call.duration_months > instrument.duration_months:
            problems.append(
                failed(
                    "call.duration_above_instrument",
                    text(
                        gettext_noop("A duration of %(months)s months exceeds the instrument's %(max)s months."),
                        months=call.duration_months,
                        max=instrument.duration_months,
                    ),
                    "duration_months",
                )
            )
    if call.max_partners is not None and call.max_partners < call.min_partners:
        problems.append(
            failed(
                "call.partner_bounds",
                text(
                    gettext_noop("The maximum number of partners (%(max)s) is below the minimum (%(min)s)."),
                    max=call.max_partners,
                    min=call.min_partners,
                ),
                "max_partners",
            )
        )
    return problems


def check_call(call, instrument, now=None):
    """May staff open this call? Everything of `check_call_values`, plus: the instrument has calls
    (source: the PIC are "des accords institutionnels", not applied for), the call has not closed
    yet, its ceilings and duration are set, a PRI targets at least one zone (source: "Les appels
    sont ciblés géographiquement") and a PCT names its priority themes (source: "autour d'une
    thématique identifiée comme prioritaire"). Returns the problems only."""
    if instrument.code == InstrumentCode.PIC or not instrument.has_calls:
        return [
            failed(
                "call.instrument_without_calls",
                text(gettext_noop("Key international partnerships (PIC) are agreements, not calls for projects.")),
                "instrument",
            )
        ]
    problems = check_call_values(call, instrument)
    if now is not None and call.closes_at <= now:
        problems.append(
            failed(
                "call.closes_in_past",
                text(gettext_noop("The closing date (%(closes)s) has already passed."), closes=Moment(call.closes_at)),
                "closes_at",
            )
        )
    for field in REQUIRED_CEILINGS.get(call.instrument_code, ()):
        if getattr(call, field) is None:
            problems.append(
                failed(
                    "call.ceiling_missing",
                    text(gettext_noop("%(label)s must be set before the call opens."), label=_label(field)),
                    field,
                )
            )
    if call.duration_months is None:
        problems.append(
            failed(
                "call.duration_missing",
                text(gettext_noop("The duration must be set before the call opens.")),
                "duration_months",
            )
        )
    if call.instrument_code == InstrumentCode.PRI and not call.zone_countries:
        problems.append(
            failed("call.no_zones", text(gettext_noop("A PRI call must target at least one zone.")), "zones")
        )
    if call.instrument_code == InstrumentCode.PCT and not call.priority_themes:
        problems.append(
            failed(
                "call.no_priority_themes",
                text(gettext_noop("A PCT call must name at least one priority theme.")),
                "priority_themes",
            )
        )
    return problems
