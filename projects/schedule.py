"""The life of a funded project in dates and money, as each instrument declares it: its length,
its yearly instalments and its reports. Plain Python (no model, no database), like calls/rules.

Domain: "Tremplins: durée 1 an" (a final report at 12 months: missions made, the partnership's
outcome, plans for a PRI or a European application); "PRI: 5 ans" and "PCT: 5 ans" (a progress
report on each anniversary, a final report at the end, the award paid in one instalment a year).

A project that starts on ``start`` and lasts ``months`` runs to ``end_date(start, months)``
inclusive; its final report is due the day after (``start`` plus ``months`` months: "at 12
months"); its progress reports fall on each anniversary before that. A date that does not exist in
the target month falls back to the month's last day (29 February 2028 + 12 months is 28 February
2029)."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

#: A no-cost extension may add at most this many months in all, over the project's life.
MAX_EXTENSION_MONTHS = 12

PROGRESS = "progress"
FINAL = "final"


@dataclass(frozen=True)
class Plan:
    """What an instrument declares: its length, its instalments (one a year, or one), and whether
    it asks a progress report on each anniversary besides the final report."""

    months: int
    yearly_instalments: bool
    yearly_progress_reports: bool


PLANS = {
    "TREMPLIN": Plan(months=12, yearly_instalments=False, yearly_progress_reports=False),
    "PRI": Plan(months=60, yearly_instalments=True, yearly_progress_reports=True),
    "PCT": Plan(months=60, yearly_instalments=True, yearly_progress_reports=True),
}
#: An instrument with no plan of its own (a call created for a new instrument) is followed like
#: a PRI: yearly instalments and reports over its own duration.
DEFAULT_PLAN = Plan(months=12, yearly_instalments=True, yearly_progress_reports=True)


def plan_for(instrument_code, duration_months=None):
    """The plan of `instrument_code`, its length taken from the call's duration when it has one."""
    plan = PLANS.get(instrument_code, DEFAULT_PLAN)
    if duration_months:
        plan = Plan(duration_months, plan.yearly_instalments, plan.yearly_progress_reports)
    return plan


def add_months(day, months):
    """`day` moved by `months` calendar months, the day clamped to the target month's length."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_start(decided_on):
    """The first day of the month after the decision."""
    return add_months(decided_on.replace(day=1), 1)


def end_date(start, months):
    """The project's last day: the day before `months` months after `start`."""
    return add_months(start, months) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class DueReport:
    kind: str  # PROGRESS or FINAL
    sequence: int  # 1, 2 ... for progress reports (the anniversary); 0 for the final report
    due_on: datetime.date


def reports(plan, start, months):
    """The reports a project of `plan` starting on `start` and lasting `months` (its duration with
    any extension) owes, in date order."""
    final_due = add_months(start, months)
    due = []
    if plan.yearly_progress_reports:
        year = 1
        while (anniversary := add_months(start, 12 * year)) < final_due:
            due.append(DueReport(PROGRESS, year, anniversary))
            year += 1
    due.append(DueReport(FINAL, 0, final_due))
    return due


@dataclass(frozen=True)
class DueInstalment:
    sequence: int  # 1, 2 ...
    due_on: datetime.date
    amount: Decimal


def instalments(plan, start, months, awarded):
    """The award split into instalments: one a year (the first at the start, then on each
    anniversary) when the plan says so, else one at the start. Amounts in euros and cents; the
    last instalment takes the cents the division leaves, so they always add up to the award."""
    awarded = Decimal(awarded)
    count = max(1, -(-months // 12)) if plan.yearly_instalments else 1
    share = (awarded / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [awarded - share * (count - 1)]
    return [DueInstalment(i + 1, add_months(start, 12 * i), amount) for i, amount in enumerate(amounts)]


def elapsed_percent(start, end, today):
    """How much of the project's time has passed, 0 to 100 (for the progress bar)."""
    if today <= start:
        return 0
    if today > end:
        return 100
    total = (end - start).days + 1
    return min(100, round(100 * ((today - start).days) / total))
