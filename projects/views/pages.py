"""The project page (the lead researcher's and staff's) and its sections, staff's actions on it
(start date, suspend, resume, end early) and the researcher's "My projects" on the dashboard."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.page_cache import CachedFragmentMixin
from accounts.permissions import is_researcher, is_staff

from .. import timeline
from ..forms.pages import StartDateForm, SuspendForm, TerminateForm
from ..models import Project, Report
from ..services import ProjectError, lifecycle
from .base import ProjectMixin, StaffProjectsMixin

#: Each part of the project page adds its own context: functions (project, user) -> dict,
#: listed here so that the page costs the queries its parts ask for, and no more.
SECTIONS = []


def section(function):
    SECTIONS.append(function)
    return function


class ProjectDetailView(ProjectMixin, CachedFragmentMixin, TemplateView):
    template_name = "projects/detail.html"
    fragment_template = "projects/_detail_content.html"

    def fragment_args(self):
        return (self.project.pk,)

    def fragment_context(self):
        context = {}
        for function in SECTIONS:
            context.update(function(self.project, self.request.user))
        # What the caller passes (a form sent back with its errors) wins over a section's default.
        context.update(self.passed)
        return context

    def get_context_data(self, **kwargs):
        self.passed = kwargs
        return super().get_context_data(project=self.project, is_lead=self.is_lead, **kwargs)


# --- The page's header and timeline ------------------------------------------------------------


@section
def header(project, user):
    return {"elapsed_percent": project.elapsed_percent()}


@section
def project_timeline(project, user):
    history, coming_up = timeline.build(project, user)
    return {"timeline": history, "coming_up": coming_up}


# --- Staff's actions ---------------------------------------------------------------------------


def may_manage(user):
    return is_staff(user) and user.has_perm("projects.manage_projects")


@section
def staff_actions(project, user):
    if not may_manage(user) or project.is_closed:
        return {"can_manage": False}
    # Dated from the start: once a report is submitted or a payment recorded, the start stays
    # (lifecycle.set_start_date refuses), so the page says so instead of offering the form.
    start_locked = (
        project.payments.exists()
        or project.reports.exclude(
            status__in=[Report.Status.PLANNED, Report.Status.DRAFT, Report.Status.WAIVED]
        ).exists()
    )
    return {
        "can_manage": True,
        "start_locked": start_locked,
        "start_form": StartDateForm(project=project),
        "suspend_form": SuspendForm(),
        "terminate_form": TerminateForm(),
    }


class StaffActionView(StaffProjectsMixin, ProjectDetailView):
    """A POST from the staff actions of the project page: the form is checked, the lifecycle
    service called; success → back to the page with a message, refusal → the page again with the
    form as typed and the reasons beside it. A researcher (even the lead) gets 404, staff without
    projects.manage_projects 403."""

    http_method_names = ["post"]
    permission_required = "projects.manage_projects"
    form_class = None
    form_name = None

    def get_form(self):
        return self.form_class(self.request.POST)

    def perform(self, form):
        raise NotImplementedError

    def success_message(self, project):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form is None or form.is_valid():
            try:
                project = self.perform(form)
            except ProjectError as error:
                if form is None:
                    for reason in error.reasons:
                        messages.error(request, reason)
                    return redirect(self.project.get_absolute_url())
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(request, self.success_message(project))
                return redirect(self.project.get_absolute_url())
        return self.render_to_response(self.get_context_data(**{self.form_name: form}))


class SetStartDateView(StaffActionView):
    form_name = "start_form"

    def get_form(self):
        return StartDateForm(self.request.POST, project=self.project)

    def perform(self, form):
        return lifecycle.set_start_date(self.project, form.cleaned_data["start"], self.request.user)

    def success_message(self, project):
        return _("The project starts on %(start)s and ends on %(end)s.") % {
            "start": formats.date_format(project.start_date, "DATE_FORMAT"),
            "end": formats.date_format(project.end_date, "DATE_FORMAT"),
        }


class SuspendView(StaffActionView):
    form_class = SuspendForm
    form_name = "suspend_form"

    def perform(self, form):
        return lifecycle.suspend_project(self.project, self.request.user, form.cleaned_data["reason"])

    def success_message(self, project):
        return _("Project %(reference)s is suspended.") % {"reference": project.reference}


class ResumeView(StaffActionView):
    form_name = "resume_form"

    def get_form(self):
        return None

    def perform(self, form):
        return lifecycle.resume_project(self.project, self.request.user)

    def success_message(self, project):
        return _("Project %(reference)s is resumed: %(status)s.") % {
            "reference": project.reference,
            "status": project.get_status_display().lower(),
        }


class TerminateView(StaffActionView):
    form_class = TerminateForm
    form_name = "terminate_form"

    def perform(self, form):
        return lifecycle.terminate_project(self.project, self.request.user, form.cleaned_data["reason"])

    def success_message(self, project):
        return _("Project %(reference)s has ended early; its reports not yet submitted are waived.") % {
            "reference": project.reference
        }


# --- "My projects" on the researcher's dashboard (registered in ProjectsConfig.ready) ----------

MY_PROJECTS_TEMPLATE = "projects/partials/my_projects.html"


def my_projects(user):
    """The projects `user` leads, each with `elapsed_percent` and `next_report` (the earliest
    report still owed, with `overdue`): two queries whatever their number, one without any.
    Nothing (an empty dict) for a researcher who leads none."""
    if not is_researcher(user):
        return {}
    owed = Report.objects.filter(status__in=Report.OWED).order_by("due_on", "id")
    projects = list(
        Project.objects.filter(lead=user)
        .select_related("instrument")
        .prefetch_related(Prefetch("reports", queryset=owed[:1], to_attr="owed_reports"))
        .order_by("-start_date", "-id")
    )
    if not projects:
        return {}
    today = timezone.localdate()
    for project in projects:
        project.elapsed = project.elapsed_percent(today)
        project.next_report = project.owed_reports[0] if project.owed_reports and project.is_running else None
        if project.next_report is not None:
            project.next_report.overdue = project.next_report.is_overdue(today)
    return {"projects": projects}
