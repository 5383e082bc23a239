"""The yearly figures of many years in a constant number of queries, for the API's pages.

The same figures as ``register.figures(year)`` for each year (tests/cooperation/test_api.py
compares them): an entered figure wins over the register's; the register's are the year's declared
cooperations, their distinct countries and the PIC agreements in force that year."""

from django.db.models import Count

from calls.models import InstitutionalAgreement

from ..models import Cooperation, YearlyFigures

NAMES = (
    "declared_cooperations",
    "countries",
    "agreements_in_force",
    "international_copublications",
    "international_share",
    "eu_copublications",
    "eu_share",
)


def years_with_figures():
    """Every year with entered figures or declared cooperations, the latest first (two queries)."""
    years = set(YearlyFigures.objects.values_list("year", flat=True))
    years |= set(Cooperation.objects.order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


def _in_force(agreements, year):
    return sum(
        1
        for starts_on, ends_on in agreements
        if (starts_on is None or starts_on.year <= year) and (ends_on is None or ends_on.year >= year)
    )


def figures_of(years):
    """[{year, source, figures: {name: {value, entered}}}] for `years`, in three queries."""
    years = list(years)
    entered = {row.year: row for row in YearlyFigures.objects.filter(year__in=years)}
    declared = {
        row["year"]: row
        for row in Cooperation.objects.filter(year__in=years)
        .order_by()
        .values("year")
        .annotate(declared_cooperations=Count("id"), countries=Count("country", distinct=True))
    }
    agreements = list(
        InstitutionalAgreement.objects.exclude(status=InstitutionalAgreement.Status.NEGOTIATION).values_list(
            "starts_on", "ends_on"
        )
    )
    result = []
    for year in years:
        row = entered.get(year)
        computed = {
            "declared_cooperations": declared.get(year, {}).get("declared_cooperations", 0),
            "countries": declared.get(year, {}).get("countries", 0),
            "agreements_in_force": _in_force(agreements, year),
        }
        figures = {}
        for name in NAMES:
            value = getattr(row, name, None) if row is not None else None
            if value is not None:
                figures[name] = {"value": value, "entered": True}
            else:
                figures[name] = {"value": computed.get(name), "entered": False}
        result.append({"year": year, "source": row.source if row is not None else "", "figures": figures})
    return result
