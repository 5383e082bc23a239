"""The staff dashboard of a year (issue 19): its tables (cooperation/dashboard.py), two charts,
and each table as CSV."""

from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.exports import write_csv
from projects.views.base import StaffProjectsMixin

from . import dashboard


def _application_header():
    return [_("Applications"), _("Decided"), _("Funded"), _("Success rate (%)"), _("Funded amount (EUR)")]


def _figures(row):
    return [row.applications, row.decided, row.funded, row.rate, row.amount]


class DashboardView(StaffProjectsMixin, TemplateView):
    """Staff who may see the dashboard; ?year= (a year with calls) and ?export=<table> for CSV."""

    permission_required = "cooperation.see_dashboard"
    template_name = "cooperation/dashboard.html"
    TABLES = ("calls", "instruments", "zones", "countries", "reviewers")

    def year(self, years):
        raw = self.request.GET.get("year", "")
        if raw.isdigit() and int(raw) in years:
            return int(raw)
        return years[0] if years else timezone.localdate().year

    def get(self, request, *args, **kwargs):
        years = dashboard.years()
        year = self.year(years)
        export = request.GET.get("export")
        if export:
            if export not in self.TABLES:
                raise Http404
            return self.csv(export, year)
        return self.render_to_response(self.get_context_data(year=year, years=years))

    def get_context_data(self, year, years, **kwargs):
        return super().get_context_data(
            year=year,
            years=years,
            calls=dashboard.calls_table(year),
            instruments=dashboard.by_instrument(year),
            zones=dashboard.by_zone(year),
            countries=dashboard.by_country(year),
            reviewers=dashboard.reviewers(year),
            reports=dashboard.reports_due(),
            **kwargs,
        )

    def csv(self, table, year):
        if table == "reviewers":
            header = [_("Reviewer"), _("E-mail"), _("Assigned"), _("Submitted"), _("Overdue")]
            rows = [[r.name, r.email, r.assigned, r.submitted, r.overdue] for r in dashboard.reviewers(year)]
        elif table == "calls":
            header = [_("Call"), *_application_header(), _("Budget envelope (EUR)")]
            rows = [[r.label, *_figures(r), r.envelope] for r in dashboard.calls_table(year)]
        else:
            source = {
                "instruments": dashboard.by_instrument,
                "zones": dashboard.by_zone,
                "countries": dashboard.by_country,
            }
            label = {"instruments": _("Instrument"), "zones": _("Zone"), "countries": _("Country")}[table]
            header = [label, *_application_header()]
            rows = [[r.label, *_figures(r)] for r in source[table](year)]
        french = translation.get_language() == "fr"
        body = write_csv(
            header,
            [[cell if cell is not None else "" for cell in row] for row in rows],
            delimiter=";" if french else ",",
            decimal_separator="," if french else ".",
        )
        response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dashboard-{table}-{year}.csv"'
        return response
