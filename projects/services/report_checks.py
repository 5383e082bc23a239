"""What a report's draft must be, judged for services.reports: its texts, missions, co-publications
(DOIs normalised and checked, once per project) and spending by budget line. Each problem is
returned with where it is, so that a page shows it beside its field."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import Mission, Publication, Report, Spending
from .base import ProjectError

#: What the lead researcher writes, in the order of the page.
TEXT_FIELDS = (
    "scientific_progress",
    "partnership_outcome",
    "next_steps",
    "joint_grants",
    "students",
    "patents",
    "data_shared",
)
#: The texts a report cannot be submitted without, per kind.
REQUIRED_TEXT = {
    Report.Kind.PROGRESS: ("scientific_progress",),
    Report.Kind.FINAL: ("scientific_progress", "partnership_outcome", "next_steps"),
}
MISSION_FIELDS = ("traveller", "from_city", "from_country", "to_city", "to_country", "started_on", "ended_on")
PUBLICATION_FIELDS = ("doi", "title", "year")
FIRST_PUBLICATION_YEAR = 1990
#: Missions are dated from the decision to a year after the project's end (a late trip of the last year).
MISSION_DAYS_AFTER_END = 366
MAX_SPENT = Decimal("1e10")

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
DOI_PREFIXES = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)\s*", re.IGNORECASE)


class ReportRefused(ProjectError):
    """A draft the portal refuses, with where each problem is: `located` holds (place, message)
    pairs, place being ("fields", name), ("missions", index, field), ("publications", index,
    field), ("spending", category) or None for the report as a whole, so that a page can show each
    message beside its field; `reasons` say the same in sentences for any other caller."""

    def __init__(self, located):
        self.located = list(located)
        super().__init__(*(_sentence(place, message) for place, message in self.located))


def _sentence(place, message):
    if place is None:
        return str(message)
    section = place[0]
    if section == "fields":
        where = capfirst(Report._meta.get_field(place[1]).verbose_name)
    elif section in ("missions", "publications"):
        model = Mission if section == "missions" else Publication
        row = (_("Mission %(n)s") if section == "missions" else _("Co-publication %(n)s")) % {"n": place[1] + 1}
        field = place[2] if len(place) > 2 else None
        where = f"{row}, {model._meta.get_field(field).verbose_name}" if field else row
    else:
        where = _("Spending, %(line)s") % {"line": _category_label(place[1])}
    return _("%(where)s: %(message)s") % {"where": where, "message": message}


def _category_label(category):
    return dict(Spending._meta.get_field("category").choices).get(category, category)


def date_text(day):
    return formats.date_format(day, "DATE_FORMAT")


def normalize_doi(value):
    """A DOI as stored: without its resolver prefix (https://doi.org/, http://dx.doi.org/, doi:),
    without surrounding spaces, in lower case (DOIs are case-insensitive)."""
    text = str(value or "").strip()
    text = DOI_PREFIXES.sub("", text).strip()
    return text.lower()


def doi_error(doi):
    """The message for a DOI (normalised) that is not one, else None."""
    if not doi:
        return _("Give the DOI of the publication.")
    if not DOI_PATTERN.match(doi):
        return _(
            "“%(doi)s” is not a DOI: a DOI starts with 10., then 4 to 9 digits, a slash and the "
            "publication's own part, without spaces (e.g. 10.1038/s41586-020-2649-2)."
        ) % {"doi": doi[:200]}
    return None


def last_publication_year(today=None):
    return (today or timezone.localdate()).year + 1


def _validation_messages(error):
    """(field or None, message) pairs of a ValidationError."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                for message in item.messages:
                    yield (None if field == "__all__" else field), message
    else:
        for message in error.messages:
            yield None, message


def clean_texts(fields, located):
    cleaned = {}
    for name, value in (fields or {}).items():
        if name not in TEXT_FIELDS:
            located.append((None, _("“%(name)s” is not a part of a report.") % {"name": str(name)[:50]}))
            continue
        field = Report._meta.get_field(name)
        value = "" if value is None else str(value).strip()
        try:
            cleaned[name] = field.clean(value, None)
        except ValidationError as error:
            located.extend((("fields", name), message) for message in error.messages)
    return cleaned


def clean_missions(project, report, missions, located):
    earliest = project.decided_on
    latest = project.end_date + datetime.timedelta(days=MISSION_DAYS_AFTER_END)
    rows = []
    for index, data in enumerate(missions or ()):
        mission = Mission(report=report, **{name: (data or {}).get(name) for name in MISSION_FIELDS})
        try:
            mission.full_clean(exclude=["report"], validate_constraints=False)
        except ValidationError as error:
            located.extend((("missions", index, field), message) for field, message in _validation_messages(error))
            continue
        if mission.ended_on < mission.started_on:
            located.append((("missions", index, "ended_on"), _("The mission cannot end before it starts.")))
        for name in ("started_on", "ended_on"):
            day = getattr(mission, name)
            if not earliest <= day <= latest:
                located.append(
                    (
                        ("missions", index, name),
                        _("Give a date between %(start)s (the decision) and %(end)s.")
                        % {"start": date_text(earliest), "end": date_text(latest)},
                    )
                )
        rows.append(mission)
    return rows


def clean_publications(project, report, publications, located, today=None):
    last_year = last_publication_year(today)
    rows, seen = [], {}
    for index, data in enumerate(publications or ()):
        data = data or {}
        doi = normalize_doi(data.get("doi"))
        problem = doi_error(doi)
        if problem:
            located.append((("publications", index, "doi"), problem))
        elif doi in seen:
            located.append(
                (
                    ("publications", index, "doi"),
                    _("The DOI %(doi)s is listed twice in this report (co-publications %(first)s and %(again)s).")
                    % {"doi": doi, "first": seen[doi] + 1, "again": index + 1},
                )
            )
        else:
            seen[doi] = index
        publication = Publication(
            report=report, project=project, doi=doi, title=str(data.get("title") or "").strip(), year=data.get("year")
        )
        try:
            publication.full_clean(
                exclude=["report", "project", "doi"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            located.extend((("publications", index, field), message) for field, message in _validation_messages(error))
            continue
        if not FIRST_PUBLICATION_YEAR <= publication.year <= last_year:
            located.append(
                (
                    ("publications", index, "year"),
                    _("Give a year between %(first)s and %(last)s.")
                    % {"first": FIRST_PUBLICATION_YEAR, "last": last_year},
                )
            )
        rows.append(publication)
    elsewhere = (
        Publication.objects.filter(project=project, doi__in=list(seen))
        .exclude(report=report)
        .select_related("report")
        .order_by("pk")
    )
    for publication in elsewhere:
        located.append(
            (
                ("publications", seen[publication.doi], "doi"),
                _("The DOI %(doi)s is already reported in this project's %(report)s.")
                % {"doi": publication.doi, "report": str(publication.report).lower()},
            )
        )
    return rows


def clean_spending(project, report, spending, located):
    planned = {line.category: line.planned for line in project.budget_lines.all()}
    rows = []
    for category, value in (spending or {}).items():
        if category not in planned:
            located.append((None, _("“%(line)s” is not a budget line of this project.") % {"line": str(category)[:50]}))
            continue
        if value in (None, ""):
            continue
        try:
            amount = Decimal(str(value).strip())
            if not amount.is_finite() or abs(amount) >= MAX_SPENT:
                raise InvalidOperation
            amount = amount.quantize(Decimal("0.01"))
        except ArithmeticError:
            located.append((("spending", category), _("Give the amount in euros, e.g. 1200 or 1200.50.")))
            continue
        if amount < 0:
            located.append((("spending", category), _("The amount spent cannot be negative.")))
            continue
        rows.append(Spending(report=report, category=category, spent=amount))
    return rows
