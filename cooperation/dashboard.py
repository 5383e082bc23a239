"""The staff dashboard's tables for one year (issue 19): the calls of the year, then the same
figures by instrument, by the calls' zones and by the partner teams' countries; the reviewers'
load; the project reports due. One query per table, whatever the year's size.

Definitions (one place): an application *counts* once submitted (withdrawn and drafts do not);
it is *decided* once its decision is published (the letter released), inadmissible ones included;
the *success rate* is funded / decided; the *funded amount* adds the published funded decisions.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from applications.models import Application, PartnerTeam
from calls.models import Call
from projects.models import Report
from reviews.models import Decision, Review, ReviewAssignment

COUNTED = (
    Application.Status.SUBMITTED,
    Application.Status.MORE_INFO,
    Application.Status.IN_REVIEW,
    Application.Status.DECIDED,
)
#: Report deadlines the dashboard looks ahead to.
REPORTS_AHEAD_DAYS = 60


def _published(prefix=""):
    return Q(**{f"{prefix}decision__released_at__isnull": False})


def _funded(prefix=""):
    return _published(prefix) & Q(**{f"{prefix}decision__outcome": Decision.Outcome.FUNDED})


def _rate(funded, decided):
    if not decided:
        return None
    return (Decimal(funded) * 100 / Decimal(decided)).quantize(Decimal("0.1"))


@dataclass
class Row:
    """One line of a table: its label and the figures every table shares."""

    label: str
    applications: int
    decided: int
    funded: int
    amount: Decimal
    envelope: Decimal | None = None
    key: str = ""

    @property
    def rate(self):
        return _rate(self.funded, self.decided)

    @property
    def envelope_share(self):
        if not self.envelope:
            return None
        return (self.amount * 100 / self.envelope).quantize(Decimal("0.1"))


def _aggregates(prefix=""):
    return {
        "n_applications": Count(f"{prefix}pk", filter=Q(**{f"{prefix}status__in": COUNTED}), distinct=True),
        "n_decided": Count(f"{prefix}pk", filter=_published(prefix), distinct=True),
        "n_funded": Count(f"{prefix}pk", filter=_funded(prefix), distinct=True),
        "funded_amount": Sum(f"{prefix}decision__amount", filter=_funded(prefix), default=Decimal("0")),
    }


def years():
    """The years staff may choose: every year a call was opened, newest first."""
    return list(
        Call.objects.exclude(status=Call.Status.DRAFT).order_by("-year").values_list("year", flat=True).distinct()
    )


def calls_table(year):
    calls = (
        Call.objects.filter(year=year)
        .exclude(status=Call.Status.DRAFT)
        .select_related("instrument")
        .annotate(**_aggregates("applications__"))
        .order_by("instrument__code", "opens_at", "pk")
    )
    return [
        Row(
            label=str(call.title),
            key=str(call.pk),
            applications=call.n_applications,
            decided=call.n_decided,
            funded=call.n_funded,
            amount=call.funded_amount,
            envelope=call.budget_envelope,
        )
        for call in calls
    ]


def _grouped(queryset, fields, label):
    rows = []
    for values in queryset.values(*fields).annotate(**_aggregates()).order_by(*fields):
        rows.append(
            Row(
                label=label(values),
                key=str(values[fields[0]] or ""),
                applications=values["n_applications"],
                decided=values["n_decided"],
                funded=values["n_funded"],
                amount=values["funded_amount"],
            )
        )
    return rows


def by_instrument(year):
    from django.utils.translation import get_language

    name = "call__instrument__name_en" if (get_language() or "fr").startswith("en") else "call__instrument__name_fr"
    applications = Application.objects.filter(call__year=year, status__in=COUNTED)
    return _grouped(applications, ["call__instrument__code", name], lambda v: v[name])


def by_zone(year):
    """By the zones the call targeted (a PRI call's zones of the rotation; an application of a call
    targeting two zones counts in each); calls targeting no zone under "No zone"."""
    from django.utils.translation import get_language

    name = "call__zones__name_en" if (get_language() or "fr").startswith("en") else "call__zones__name_fr"
    applications = Application.objects.filter(call__year=year, status__in=COUNTED)
    return _grouped(applications, ["call__zones__code", name], lambda v: v[name] or str(_("No zone")))


def by_country(year):
    """By the partner teams' countries (an application with teams in two countries counts in each,
    once in each even with two teams there), most applications first. One query: each distinct
    (country, application) pair with its published decision."""
    pairs = (
        PartnerTeam.objects.filter(application__call__year=year, application__status__in=COUNTED)
        .values_list(
            "country",
            "application_id",
            "application__decision__released_at",
            "application__decision__outcome",
            "application__decision__amount",
        )
        .distinct()
    )
    totals = {}
    for country, _application, released, outcome, amount in pairs:
        row = totals.setdefault(country, [0, 0, 0, Decimal("0")])
        row[0] += 1
        if released is not None:
            row[1] += 1
            if outcome == Decision.Outcome.FUNDED:
                row[2] += 1
                row[3] += amount or Decimal("0")
    rows = [
        Row(
            label=str(countries.name(code)) or code,
            key=code,
            applications=n,
            decided=decided,
            funded=funded,
            amount=amount,
        )
        for code, (n, decided, funded, amount) in totals.items()
    ]
    return sorted(rows, key=lambda row: (-row.applications, row.label))


@dataclass
class ReviewerRow:
    name: str
    email: str
    assigned: int
    submitted: int
    overdue: int


def reviewers(year, today=None):
    """Each reviewer with assignments on the year's calls: active ones, reviews submitted, overdue."""
    # Overdue as everywhere (ReviewAssignment.overdue_condition), while the review is still awaited:
    # once the application is decided nobody waits for it.
    overdue = ReviewAssignment.overdue_condition(today) & ~Q(application__status=Application.Status.DECIDED)
    rows = (
        ReviewAssignment.objects.filter(call__year=year, status=ReviewAssignment.Status.ACTIVE)
        .values("reviewer", first=F("reviewer__first_name"), last=F("reviewer__last_name"), mail=F("reviewer__email"))
        .annotate(
            assigned=Count("pk"),
            submitted=Count("pk", filter=Q(review__status=Review.Status.SUBMITTED)),
            overdue=Count("pk", filter=overdue),
        )
        .order_by("-overdue", "-assigned", "last", "first")
    )
    return [
        ReviewerRow(
            name=f"{row['first']} {row['last']}".strip() or row["mail"],
            email=row["mail"],
            assigned=row["assigned"],
            submitted=row["submitted"],
            overdue=row["overdue"],
        )
        for row in rows
    ]


def reports_due(today=None):
    """The project reports owed: overdue, due within 30 days, within 60 (one query)."""
    today = today or timezone.localdate()
    owed = Report.objects.filter(status__in=Report.OWED)
    return owed.aggregate(
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        within_30=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=30))),
        within_60=Count("pk", filter=Q(due_on__gte=today, due_on__lte=today + timedelta(days=REPORTS_AHEAD_DAYS))),
    )
