"""Pages of the projects' changes (see views/__init__.py): the partners and changes sections of
the project page, the lead researcher's request page (?kind= chooses the form: it works without
JavaScript), staff's decide page and the lead's withdrawal."""

import rules
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.permissions import is_staff

from ..forms.changes import FORMS, DecideChangeForm
from ..models import ChangeRequest, Project
from ..services import changes as services
from ..services.base import ProjectError
from .base import ProjectMixin, StaffProjectsMixin, project_for, show_refusal
from .pages import section

Kind = ChangeRequest.Kind


def may_decide_changes(user):
    return is_staff(user) and user.has_perm("projects.decide_changes")


@section
def partners_section(project, user):
    """One query: the project's partner teams, current then former."""
    partners = list(project.partners.order_by("id"))
    return {
        "current_partners": [p for p in partners if p.left_on is None],
        "former_partners": sorted((p for p in partners if p.left_on is not None), key=lambda p: p.left_on),
    }


@section
def changes_section(project, user):
    """One query: the project's change requests with the team leaving."""
    is_lead = rules.has_perm("projects.lead_project", user, project)
    return {
        "change_requests": list(project.changes.select_related("partner_leaving").order_by("-requested_at", "-id")),
        "can_ask_change": is_lead and project.is_running,
        "can_withdraw_change": is_lead,
        "can_decide_changes": may_decide_changes(user) and not project.is_closed,
    }


class ChangeRequestView(ProjectMixin, TemplateView):
    """/projects/<id>/changes/new/: without ?kind=, the three kinds to choose from; with it, the
    form of that kind. Only the project's lead researcher asks (another researcher: 404 from
    ProjectMixin; staff: 403)."""

    template_name = "projects/changes/new.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = self.locate(request, kwargs["pk"])
        if not self.project.is_running:
            messages.error(
                request,
                _("Project %(reference)s is %(status)s: changes can no longer be asked for.")
                % {"reference": self.project.reference, "status": self.project.get_status_display().lower()},
            )
            return redirect(self.project.get_absolute_url())
        return TemplateView.dispatch(self, request, *args, **kwargs)

    def locate(self, request, pk):
        project = project_for(request.user, pk)
        if not rules.has_perm("projects.lead_project", request.user, project):
            raise PermissionDenied(_("Only the project's lead researcher asks for changes."))
        return project

    def kind_of(self, value):
        try:
            return Kind(value)
        except ValueError:
            return None

    def make_form(self, kind, data=None):
        form_class = FORMS[kind]
        extra = {}
        if kind == Kind.EXTENSION:
            extra["room"] = services.extension_room(self.project)
        elif kind == Kind.PARTNER:
            extra["partners"] = list(self.project.partners.filter(left_on__isnull=True).order_by("id"))
        else:
            extra["lines"] = list(self.project.budget_lines.order_by("category"))
        return form_class(data, project=self.project, **extra)

    def get_context_data(self, kind=None, form=None, **kwargs):
        return super().get_context_data(
            project=self.project,
            kind=kind,
            kind_label=Kind(kind).label if kind else "",
            form=form,
            kinds=Kind.choices,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        kind = self.kind_of(request.GET.get("kind"))
        form = self.make_form(kind) if kind else None
        return self.render_to_response(self.get_context_data(kind=kind, form=form))

    def post(self, request, *args, **kwargs):
        kind = self.kind_of(request.POST.get("kind"))
        if kind is None:
            return self.render_to_response(self.get_context_data())
        form = self.make_form(kind, request.POST)
        if form.is_valid():
            try:
                self.submit(kind, form.cleaned_data)
            except ProjectError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(request, _("Your request is sent: staff will approve or refuse it."))
                return redirect(self.project.get_absolute_url() + "#changes")
        return self.render_to_response(self.get_context_data(kind=kind, form=form))

    def submit(self, kind, data):
        user = self.request.user
        if kind == Kind.EXTENSION:
            return services.request_extension(self.project, data["months"], data["justification"], user)
        if kind == Kind.PARTNER:
            return services.request_partner_change(
                self.project,
                data["leaving"],
                data["institution"],
                data["city"],
                data["country"],
                data["team_leader"],
                data["email"],
                data["justification"],
                user,
            )
        return services.request_budget_transfer(
            self.project, data["from_category"], data["to_category"], data["amount"], data["justification"], user
        )


class DecideChangeView(StaffProjectsMixin, TemplateView):
    """Staff with projects.decide_changes read a request, what approving it would change, and
    approve or refuse it (a researcher gets 404, staff without the permission 403)."""

    template_name = "projects/changes/decide.html"
    permission_required = "projects.decide_changes"

    def load(self, pk, change_pk):
        self.project = get_object_or_404(Project.objects.select_related("instrument", "call", "lead"), pk=pk)
        self.change = get_object_or_404(
            ChangeRequest.objects.select_related("partner_leaving", "requested_by", "decided_by"),
            pk=change_pk,
            project=self.project,
        )

    def get_context_data(self, form=None, **kwargs):
        change = self.change
        return super().get_context_data(
            project=self.project,
            change=change,
            preview=services.approval_preview(self.project, change),
            form=form or DecideChangeForm(),
            can_decide=change.status == ChangeRequest.Status.PENDING
            and not self.project.is_closed
            and self.project.lead_id != self.request.user.pk,
            **kwargs,
        )

    def get(self, request, pk, change_pk):
        self.load(pk, change_pk)
        return self.render_to_response(self.get_context_data())

    def post(self, request, pk, change_pk):
        self.load(pk, change_pk)
        form = DecideChangeForm(request.POST)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                if form.cleaned_data["decision"] == "approve":
                    services.approve_change(self.change, request.user, note=reason)
                    message = _("The request is approved and applied; the researcher is told.")
                else:
                    services.refuse_change(self.change, reason, request.user)
                    message = _("The request is refused; the researcher is told why.")
            except ProjectError as error:
                for problem in error.reasons:
                    form.add_error(None, problem)
            else:
                messages.success(request, message)
                return redirect(self.project.get_absolute_url() + "#changes")
        return self.render_to_response(self.get_context_data(form=form))


class WithdrawChangeView(ProjectMixin, View):
    """The lead researcher withdraws a request still awaiting a decision (POST only)."""

    http_method_names = ["post"]

    def post(self, request, pk, change_pk):
        if not self.is_lead:
            if is_staff(request.user):
                raise PermissionDenied(_("Only the project's lead researcher withdraws a request."))
            raise Http404
        change = get_object_or_404(ChangeRequest, pk=change_pk, project=self.project)
        try:
            services.withdraw_change(change, request.user)
        except ProjectError as error:
            show_refusal(request, error)
        else:
            messages.success(request, _("Your request is withdrawn."))
        return redirect(self.project.get_absolute_url() + "#changes")
