"""The final evaluation's pages: the reviewer's list and evaluation page (the project's summary and
the form), staff's part of the project page (request, cancel, the result).

Who sees what: the reviewer asked sees their evaluation (another reviewer or a researcher gets
404); staff who see projects read it without the form; the lead researcher sees on the project
page that the evaluation is asked, then in and the project closed, but neither the reviewer's
name nor the scores, recommendation and comments, which are for the DPRE.
"""

import rules
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from django_countries import countries

from accounts.access import ReviewerRequiredMixin
from accounts.permissions import is_staff, missing_permissions
from applications.models import BudgetLine

from ..forms.evaluation import EvaluationForm, EvaluationRequestForm
from ..models import Evaluation, Project, Report, ReportVersion
from ..services import ProjectError
from ..services import evaluation as services
from ..services.report_checks import TEXT_FIELDS
from .pages import StaffActionView, section

# --- The project page's part ---------------------------------------------------------------------


@section
def evaluation_section(project, user):
    """The evaluation's state on the project page; for staff who may ask one, the request form
    (reviewers without conflict only) once the final report is accepted."""
    staff = is_staff(user) and user.has_perm("projects.see_projects")
    evaluations = list(project.evaluations.select_related("reviewer").order_by("-requested_at", "-id"))
    live = next((e for e in evaluations if e.status in services.LIVE), None)
    context = {
        "evaluations": evaluations if staff else [],
        "live_evaluation": live,
        "sees_evaluation_details": staff,
        "may_request_evaluation": False,
        "may_cancel_evaluation": False,
        "final_report_accepted": None,
    }
    if not staff:
        return context
    may_request = user.has_perm("projects.request_evaluations")
    context["may_cancel_evaluation"] = may_request and live is not None and live.status == Evaluation.Status.REQUESTED
    if live is None and not project.is_closed:
        accepted = services.final_report_accepted(project)
        context["final_report_accepted"] = accepted
        if may_request and accepted and project.status != Project.Status.SUSPENDED:
            context["may_request_evaluation"] = True
            context["evaluation_form"] = EvaluationRequestForm(reviewers=services.eligible_reviewers(project))
    return context


class RequestEvaluationView(StaffActionView):
    """Staff ask a reviewer for the final evaluation (POST from the project page)."""

    permission_required = "projects.request_evaluations"
    form_name = "evaluation_form"

    def get_form(self):
        return EvaluationRequestForm(self.request.POST, reviewers=services.eligible_reviewers(self.project))

    def perform(self, form):
        self.evaluation = services.request_evaluation(
            self.project, form.chosen_reviewer(), form.cleaned_data["due_on"], self.request.user
        )
        return self.project

    def success_message(self, project):
        return _("The final evaluation is asked of %(name)s, due on %(date)s; they are told by e-mail.") % {
            "name": self.evaluation.reviewer.get_full_name() or self.evaluation.reviewer.email,
            "date": formats.date_format(self.evaluation.due_on, "DATE_FORMAT"),
        }


class CancelEvaluationView(StaffActionView):
    """Staff cancel the request not yet answered, to ask another reviewer."""

    permission_required = "projects.request_evaluations"
    form_name = "cancel_evaluation_form"

    def get_form(self):
        return None

    def perform(self, form):
        live = services.live_evaluation(self.project)
        if live is None or live.status != Evaluation.Status.REQUESTED:
            raise ProjectError(_("No evaluation request is waiting for an answer: there is nothing to cancel."))
        services.cancel_evaluation(live, self.request.user)
        self.cancelled = live
        return self.project

    def success_message(self, project):
        return _("The evaluation asked of %(name)s is cancelled: you may ask another reviewer.") % {
            "name": self.cancelled.reviewer.get_full_name() or self.cancelled.reviewer.email
        }


# --- The reviewer's pages ------------------------------------------------------------------------


class EvaluationListView(ReviewerRequiredMixin, TemplateView):
    """The final evaluations asked of me (not those cancelled): the open ones first. One query."""

    template_name = "projects/evaluation/list.html"

    def get_context_data(self, **kwargs):
        open_first = Case(
            When(status=Evaluation.Status.REQUESTED, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        evaluations = (
            Evaluation.objects.filter(reviewer=self.request.user)
            .exclude(status=Evaluation.Status.CANCELLED)
            .select_related("project")
            .only(
                *("id", "status", "due_on", "submitted_at", "reviewer", "project"),
                *("project__id", "project__reference", "project__title"),
            )
            .annotate(open_first=open_first)
            .order_by("open_first", "due_on", "id")
        )
        return super().get_context_data(evaluations=list(evaluations), **kwargs)


def _day(value):
    return parse_date(str(value or "")[:10])


def report_display(content):
    """A report version's frozen content (services.reports.frozen_content) as the page shows it:
    labelled texts, missions, co-publications, spending by line, attachments' names."""
    content = content or {}
    texts = []
    fields = content.get("fields") or {}
    # In the order of the report's page (the stored JSON keeps its keys in no useful order).
    order = {name: position for position, name in enumerate(TEXT_FIELDS)}
    for name, text in sorted(fields.items(), key=lambda item: order.get(item[0], len(order))):
        if not str(text or "").strip():
            continue
        try:
            label = capfirst(Report._meta.get_field(name).verbose_name)
        except Exception:  # a field a later version of the form no longer has
            label = capfirst(name.replace("_", " "))
        texts.append((label, text))
    missions = [
        {
            **mission,
            "from_country_name": countries.name(mission.get("from_country") or "") or mission.get("from_country"),
            "to_country_name": countries.name(mission.get("to_country") or "") or mission.get("to_country"),
            "started": _day(mission.get("started_on")),
            "ended": _day(mission.get("ended_on")),
        }
        for mission in content.get("missions") or ()
    ]
    categories = dict(BudgetLine.Category.choices)
    spending = [
        {**row, "label": categories.get(row.get("category"), row.get("category"))}
        for row in content.get("spending") or ()
    ]
    return {
        "texts": texts,
        "missions": missions,
        "publications": list(content.get("publications") or ()),
        "spending": spending,
        "attachments": list(content.get("attachments") or ()),
    }


def _latest_versions():
    return Prefetch("versions", queryset=ReportVersion.objects.order_by("-number"), to_attr="latest_versions")


class EvaluationView(LoginRequiredMixin, TemplateView):
    """One final evaluation: the project's summary for the evaluator and, while it is open, the
    form. The reviewer asked (not cancelled) → the page with the form; staff who see projects →
    the page without it; anyone else → 404 (staff lacking the permission: 403 naming it)."""

    template_name = "projects/evaluation/detail.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.evaluation = get_object_or_404(
            Evaluation.objects.select_related("project__instrument", "project__call", "project__lead", "reviewer"),
            pk=kwargs["pk"],
        )
        self.is_evaluator = (
            rules.has_perm("projects.evaluate", request.user, self.evaluation)
            and self.evaluation.status != Evaluation.Status.CANCELLED
        )
        if not self.is_evaluator:
            if not is_staff(request.user):
                raise Http404
            if not request.user.has_perm("projects.see_projects"):
                raise PermissionDenied(
                    _("Your account lacks the permission for this page (%(missing)s): ask an administrator.")
                    % {"missing": "; ".join(missing_permissions(request.user, "projects.see_projects"))}
                )
        return super().dispatch(request, *args, **kwargs)

    @property
    def is_open(self):
        return self.is_evaluator and self.evaluation.status == Evaluation.Status.REQUESTED

    def get_context_data(self, form=None, **kwargs):
        project = self.evaluation.project
        reports = list(
            project.reports.filter(status=Report.Status.ACCEPTED)
            .prefetch_related(_latest_versions())
            .order_by("due_on", "id")
        )
        for report in reports:
            version = report.latest_versions[0] if report.latest_versions else None
            report.version = version
            report.display = report_display(version.content if version else None)
        final = next((r for r in reports if r.kind == Report.Kind.FINAL), None)
        progress = [r for r in reports if r.kind == Report.Kind.PROGRESS]
        if form is None and self.is_open:
            form = EvaluationForm()
        return super().get_context_data(
            evaluation=self.evaluation,
            project=project,
            partners=list(project.partners.all()),
            final_report=final,
            progress_reports=progress,
            is_evaluator=self.is_evaluator,
            form=form if self.is_open else None,
            **kwargs,
        )

    def post(self, request, pk):
        if not self.is_evaluator:
            raise PermissionDenied(_("Only the reviewer asked for this evaluation may submit it."))
        form = EvaluationForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("The evaluation is not submitted: correct the fields marked below."))
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            services.submit_evaluation(
                self.evaluation,
                request.user,
                data["objectives_score"],
                data["partnership_score"],
                data["outputs_score"],
                data["recommendation"],
                data["comments"],
            )
        except ProjectError as error:
            for reason in error.reasons:
                messages.error(request, reason)
            self.evaluation.refresh_from_db()
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Your evaluation is submitted and the project is closed. Thank you."))
        return redirect("projects:evaluation", pk=pk)
