"""What the projects' views share: who may open a project, staff pages' checks, refusals shown."""

import rules
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.permissions import is_staff, missing_permissions

from ..models import Project


def project_for(user, pk):
    """The project `pk` if `user` may open it (its lead researcher, or staff who may see
    projects), else 404: nothing tells another researcher that the project exists."""
    project = get_object_or_404(
        Project.objects.select_related("instrument", "call", "lead", "application", "decision"), pk=pk
    )
    if rules.has_perm("projects.lead_project", user, project):
        return project
    if is_staff(user) and user.has_perm("projects.see_projects"):
        return project
    if is_staff(user):
        raise PermissionDenied(
            _("Your account lacks the permission for this page (%(missing)s): ask an administrator.")
            % {"missing": "; ".join(missing_permissions(user, "projects.see_projects"))}
        )
    raise Http404


class ProjectMixin(LoginRequiredMixin):
    """A page about one project: self.project, checked before anything else is done."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.project = project_for(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def is_lead(self):
        return rules.has_perm("projects.lead_project", self.request.user, self.project)


class StaffProjectsMixin(LoginRequiredMixin):
    """Staff pages: login, the staff role and `permission_required` are checked before anything
    is looked up (anonymous → login, others → 404, staff without it → 403 naming it)."""

    permission_required = "projects.see_projects"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_staff(request.user):
            raise Http404
        self.require(self.permission_required)
        return super().dispatch(request, *args, **kwargs)

    def require(self, permission):
        if not self.request.user.has_perm(permission):
            raise PermissionDenied(
                _("Your account lacks the permission for this page (%(missing)s): ask an administrator.")
                % {"missing": "; ".join(missing_permissions(self.request.user, permission))}
            )


def show_refusal(request, error):
    """A ProjectError's reasons as error messages on the next page."""
    for reason in error.reasons:
        messages.error(request, reason)
