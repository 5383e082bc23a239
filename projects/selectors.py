"""What the projects' pages read, in a constant number of queries whatever the number of rows.

The staff's list reads one page of projects with what it shows of each (paid so far, the next
report due, how many are overdue) as correlated subqueries, and the current partner teams as one
prefetch: the same SQL on PostgreSQL and on SQLite (the first run, `make run`).
"""

import calendar
import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Payment, Project, ProjectPartner, Report


def current_partners():
    """The partner teams still in their project (a team that left keeps its row, with left_on)."""
    return ProjectPartner.objects.filter(left_on__isnull=True).order_by("country", "id")


def owed_reports(project_ref=None):
    """Reports owed and not yet in (planned or draft), of the project `project_ref` if given."""
    reports = Report.objects.filter(status__in=Report.OWED)
    if project_ref is not None:
        reports = reports.filter(project=project_ref)
    return reports


def _per_project(queryset, aggregate):
    """One value per project of the outer query: `aggregate` over `queryset`'s rows of it."""
    return Subquery(queryset.order_by().values("project").annotate(value=aggregate).values("value")[:1])


def staff_projects(today=None):
    """Every project, with instrument, call and lead, and:

    - ``paid``: what was paid so far (Decimal, 0 when nothing yet);
    - ``next_report_due``: the due date of the first report still owed (None when none is);
    - ``overdue_reports``: how many owed reports are past their due date (Paris time);
    - ``current_partners``: the current partner teams (a list, prefetched in one query).
    """
    today = today or timezone.localdate()
    owed = owed_reports(OuterRef("pk"))
    payments = Payment.objects.filter(project=OuterRef("pk"))
    money = DecimalField(max_digits=12, decimal_places=2)
    return (
        Project.objects.select_related("instrument", "call", "lead")
        .annotate(
            paid=Coalesce(_per_project(payments, Sum("amount")), Value(Decimal("0.00")), output_field=money),
            next_report_due=Subquery(owed.order_by("due_on").values("due_on")[:1]),
            overdue_reports=Coalesce(
                _per_project(owed.filter(due_on__lt=today), Count("pk")), Value(0), output_field=IntegerField()
            ),
        )
        .prefetch_related(Prefetch("partners", queryset=current_partners(), to_attr="current_partners"))
    )


def staff_project_rows(ids, today=None):
    """The projects `ids` (a page of the list) as staff_projects() rows, in the order of `ids`.

    The list pages its filtered ids first (an index scan: ``-start_date, -id``), then reads the
    annotations of those 50 rows only: a page deep in the list costs what the first one does
    (PostgreSQL computes the select list of every row an OFFSET skips)."""
    rows = {project.pk: project for project in staff_projects(today).filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


def with_overdue_reports(queryset, overdue=True, today=None):
    """The projects of `queryset` that have (or, `overdue=False`, have no) overdue report."""
    today = today or timezone.localdate()
    late = Exists(owed_reports(OuterRef("pk")).filter(due_on__lt=today))
    return queryset.filter(late if overdue else ~late)


def partner_country_names(project):
    """The countries of the project's current partner teams (prefetched by staff_projects), each
    once, in the reader's language."""
    names = []
    for partner in project.current_partners:
        name = str(partner.country.name)
        if name not in names:
            names.append(name)
    return names


# --- The staff's dashboard ----------------------------------------------------------------------


def _reports():
    return Report.objects.select_related("project__lead", "project__instrument")


def month_bounds(today=None):
    """The first and last day of the month of `today` (Paris time)."""
    today = today or timezone.localdate()
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), datetime.date(today.year, today.month, last)


def reports_due_between(start, end):
    """Reports due from `start` to `end` (both included), waived ones left out, the earliest first."""
    return (
        _reports()
        .filter(due_on__gte=start, due_on__lte=end)
        .exclude(status=Report.Status.WAIVED)
        .order_by("due_on", "id")
    )


def overdue_reports(today=None):
    """Reports still owed past their due date, the longest overdue first (see days_overdue)."""
    today = today or timezone.localdate()
    return _reports().filter(status__in=Report.OWED, due_on__lt=today).order_by("due_on", "project__reference", "id")


def days_overdue(reports, today=None):
    """`reports` as a list, each with ``days_overdue`` (days since its due date)."""
    today = today or timezone.localdate()
    rows = list(reports)
    for report in rows:
        report.days_overdue = (today - report.due_on).days
    return rows


def projects_by_status():
    """(status, label, count) for every status, in the order of Project.Status (one query)."""
    rows = Project.objects.order_by().values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(status, label, counts.get(status, 0)) for status, label in Project.Status.choices]
