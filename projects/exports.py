"""The staff's project list as CSV or XLSX: the rows the list's filters keep, every cell written
through accounts.exports (text neutralised against formula injection, numbers kept numbers)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from accounts import exports

from .selectors import partner_country_names

#: Rows read from the database at a time (the export holds the partners of this many projects).
CHUNK = 500


def header():
    return [
        _("Reference"),
        _("Title"),
        _("Instrument"),
        _("Call"),
        _("Year of the call"),
        _("Lead researcher"),
        _("Lead researcher's e-mail"),
        _("Partner countries"),
        _("Status"),
        _("Start date"),
        _("End date"),
        _("Awarded (EUR)"),
        _("Paid (EUR)"),
        _("Remaining (EUR)"),
        _("Next report due"),
        _("Overdue reports"),
    ]


def rows(projects):
    """One list per project of `projects` (staff_projects(), filtered), in header()'s order:
    amounts as Decimal, dates as dates (the writer formats them)."""
    for project in projects.iterator(chunk_size=CHUNK):
        yield [
            project.reference,
            project.title,
            project.instrument.name,
            project.call.title,
            project.call.year,
            project.lead.get_full_name() or project.lead.email,
            project.lead.email,
            ", ".join(partner_country_names(project)),
            project.get_status_display(),
            project.start_date,
            project.end_date,
            project.awarded,
            project.paid,
            max(project.awarded - project.paid, Decimal("0.00")),
            project.next_report_due or "",
            project.overdue_reports,
        ]


def as_csv(projects, *, delimiter=",", decimal_separator="."):
    """CSV text; dates in ISO 8601 (2027-12-01, str() of a date), which spreadsheets read as dates."""
    return exports.write_csv(header(), rows(projects), delimiter=delimiter, decimal_separator=decimal_separator)


def as_xlsx(projects):
    """XLSX bytes; dates as spreadsheet dates, amounts as numbers."""
    return exports.write_xlsx(header(), rows(projects), sheet_title=_("Funded projects"))
