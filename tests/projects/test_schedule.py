"""The schedule each instrument declares, at its edges (projects/schedule.py is plain Python)."""

from datetime import date
from decimal import Decimal

from projects import schedule
from projects.schedule import FINAL, PROGRESS


def dates(reports):
    return [(r.kind, r.sequence, r.due_on) for r in reports]


def test_a_tremplin_owes_one_final_report_at_twelve_months():
    plan = schedule.plan_for("TREMPLIN")
    assert dates(schedule.reports(plan, date(2027, 1, 1), plan.months)) == [(FINAL, 0, date(2028, 1, 1))]
    assert schedule.end_date(date(2027, 1, 1), 12) == date(2027, 12, 31)


def test_a_pri_owes_a_progress_report_on_each_anniversary_and_a_final_report_at_five_years():
    plan = schedule.plan_for("PRI")
    assert dates(schedule.reports(plan, date(2027, 3, 1), plan.months)) == [
        (PROGRESS, 1, date(2028, 3, 1)),
        (PROGRESS, 2, date(2029, 3, 1)),
        (PROGRESS, 3, date(2030, 3, 1)),
        (PROGRESS, 4, date(2031, 3, 1)),
        (FINAL, 0, date(2032, 3, 1)),
    ]
    assert schedule.end_date(date(2027, 3, 1), 60) == date(2032, 2, 29)  # 2032 is a leap year


def test_a_project_starting_on_29_february_has_its_anniversaries_on_28_february():
    plan = schedule.plan_for("PCT")
    due = schedule.reports(plan, date(2028, 2, 29), plan.months)
    assert [r.due_on for r in due] == [
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),  # a leap year again: the day exists
        date(2033, 2, 28),
    ]
    assert schedule.end_date(date(2028, 2, 29), 12) == date(2029, 2, 27)


def test_an_extension_across_a_year_end_moves_the_final_report_into_the_next_year():
    plan = schedule.plan_for("TREMPLIN")
    start = date(2027, 3, 1)
    assert schedule.end_date(start, 12 + 10) == date(2028, 12, 31)
    due = schedule.reports(plan, start, 12 + 10)
    assert dates(due) == [(FINAL, 0, date(2029, 1, 1))]


def test_an_extended_pri_adds_the_anniversary_the_extension_reaches():
    plan = schedule.plan_for("PRI")
    due = schedule.reports(plan, date(2027, 1, 1), 60 + 6)
    assert [(r.kind, r.sequence) for r in due][-2:] == [(PROGRESS, 5), (FINAL, 0)]
    assert due[-1].due_on == date(2032, 7, 1)


def test_yearly_instalments_add_up_to_the_award_to_the_cent():
    plan = schedule.plan_for("PRI")
    parts = schedule.instalments(plan, date(2027, 1, 1), 60, Decimal("75000.01"))
    assert [p.amount for p in parts] == [Decimal("15000.00")] * 4 + [Decimal("15000.01")]
    assert sum(p.amount for p in parts) == Decimal("75000.01")
    assert [p.due_on for p in parts] == [date(y, 1, 1) for y in range(2027, 2032)]


def test_a_tremplin_is_paid_in_one_instalment_at_the_start():
    plan = schedule.plan_for("TREMPLIN")
    assert [(p.due_on, p.amount) for p in schedule.instalments(plan, date(2027, 2, 1), 12, Decimal("9500"))] == [
        (date(2027, 2, 1), Decimal("9500"))
    ]


def test_the_default_start_is_the_first_day_of_the_month_after_the_decision():
    assert schedule.default_start(date(2026, 12, 31)) == date(2027, 1, 1)
    assert schedule.default_start(date(2027, 1, 1)) == date(2027, 2, 1)


def test_elapsed_time_runs_from_zero_to_a_hundred_percent():
    start, end = date(2027, 1, 1), date(2027, 12, 31)
    assert schedule.elapsed_percent(start, end, date(2026, 12, 31)) == 0
    assert schedule.elapsed_percent(start, end, date(2027, 7, 2)) == 50
    assert schedule.elapsed_percent(start, end, date(2028, 1, 1)) == 100
