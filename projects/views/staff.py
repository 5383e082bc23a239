"""Pages of the projects' staff: the filtered list of every project, its exports, the dashboard of
reports due this month and overdue (see views/__init__.py)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from accounts.page_cache import CachedFragmentMixin

from .. import exports, selectors
from ..filters import ProjectFilter
from ..models import Project
from .base import StaffProjectsMixin

#: Reports listed at most in each table of the dashboard (the project list finds the rest).
DASHBOARD_ROWS = 50


class FilteredProjectsMixin(StaffProjectsMixin):
    """The list's filters, read from the querystring: the same rows on the page and in the exports."""

    def filterset(self, queryset):
        return ProjectFilter(self.request.GET or None, queryset=queryset)


class ProjectListView(FilteredProjectsMixin, CachedFragmentMixin, TemplateView):
    template_name = "projects/staff/list.html"
    fragment_template = "projects/staff/_list_content.html"
    fragment_per_user = False  # the same list for every staff member with access (filters are GET)
    paginate_by = 50

    def fragment_args(self):
        return (urlencode(sorted(self.request.GET.lists()), doseq=True),)

    def fragment_context(self):
        filterset = self.filterset(Project.objects.all())
        ids = filterset.qs.values_list("pk", flat=True)
        page = Paginator(ids, self.paginate_by).get_page(self.request.GET.get("page"))
        projects = selectors.staff_project_rows(list(page.object_list))
        for project in projects:
            project.partner_countries = selectors.partner_country_names(project)
        filtered = {key: value for key, value in self.request.GET.items() if key != "page" and value}
        return {
            "filter": filterset,
            "fields": filterset.fields_for_page(),
            "projects": projects,
            "page_obj": page,
            "filtered": bool(filtered),
        }


class ProjectExportView(FilteredProjectsMixin, View):
    def get(self, request, fmt):
        projects = self.filterset(selectors.staff_projects()).qs
        stem = f"projects-{timezone.localdate().isoformat()}"
        if fmt == "csv":
            # As the reader's spreadsheet expects it (as the ranking's export): French ones split
            # on ";" and read decimal commas; the byte-order mark tells Excel the file is UTF-8.
            french = translation.get_language() == "fr"
            body = exports.as_csv(projects, delimiter=";" if french else ",", decimal_separator="," if french else ".")
            response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                exports.as_xlsx(projects),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response


class DashboardView(StaffProjectsMixin, TemplateView):
    template_name = "projects/staff/dashboard.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        start, end = selectors.month_bounds(today)
        due = selectors.reports_due_between(start, end)
        overdue = selectors.overdue_reports(today)
        return super().get_context_data(
            today=today,
            month_start=start,
            due_reports=list(due[:DASHBOARD_ROWS]),
            due_count=due.count(),
            overdue_reports=selectors.days_overdue(overdue[:DASHBOARD_ROWS], today),
            overdue_count=overdue.count(),
            by_status=selectors.projects_by_status(),
            limit=DASHBOARD_ROWS,
            **kwargs,
        )
