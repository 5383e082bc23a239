"""The queries of the public page "Inserm in the world": a constant number whatever the size of the
register (the counts by country are one grouped query, the sites one query, a country's lists one
paginated query each)."""

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Cooperation, Site, YearlyFigures


def years():
    """The years the page offers, newest first: those with figures or with declared cooperations."""
    with_figures = YearlyFigures.objects.order_by().values_list("year", flat=True)
    declared = Cooperation.objects.order_by().values_list("year", flat=True).distinct()
    return sorted(set(with_figures.union(declared)), reverse=True)


def default_year():
    """The latest year with yearly figures; else the latest declared; else this year."""
    latest = YearlyFigures.objects.aggregate(latest=Max("year"))["latest"]
    if latest is None:
        latest = Cooperation.objects.aggregate(latest=Max("year"))["latest"]
    return latest or timezone.localdate().year


def cooperations(year, instrument=""):
    """The cooperations declared for `year`; with an instrument, only those linked to a funded
    project of that instrument."""
    rows = Cooperation.objects.filter(year=year)
    if instrument:
        rows = rows.filter(project__instrument__code=instrument)
    return rows


def counts_by_country(year, instrument=""):
    """{"JP": 12, ...}: the number of cooperations of each country, in ONE grouped query."""
    rows = cooperations(year, instrument).order_by().values("country").annotate(n=Count("pk"))
    return {row["country"]: row["n"] for row in rows}


def sites(year, kind=""):
    """The sites active in `year` (of one kind, if given), in one query."""
    rows = Site.objects.filter(
        Q(active_from__isnull=True) | Q(active_from__lte=year),
        Q(active_until__isnull=True) | Q(active_until__gte=year),
    )
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("kind", "country", "city", "pk"))


def country_cooperations(year, country, instrument=""):
    """A country's cooperations of the year, for the list under the map (paginated by the view)."""
    return cooperations(year, instrument).filter(country=country).order_by("partner_institution", "city", "pk")


def country_projects(country, instrument=""):
    """The funded projects with a partner team in `country`: public fields only (title, instrument,
    start, amount), never a person. One query (the partner's country through a subquery)."""
    from projects.models import Project, ProjectPartner

    rows = Project.objects.filter(
        pk__in=ProjectPartner.objects.filter(country=country).values("project_id")
    ).select_related("instrument")
    if instrument:
        rows = rows.filter(instrument__code=instrument)
    return rows.only(
        "pk", "title", "start_date", "awarded", "instrument__code", "instrument__name_fr", "instrument__name_en"
    ).order_by("-start_date", "pk")
