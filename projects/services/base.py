"""What the project services share: the refusal they raise, the permission checks they start with
and the row lock every change takes."""

import rules
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..models import Project


class ProjectError(Exception):
    """A change the portal refuses; `reasons` are translated messages for the reader. Raised
    before anything is written, or inside the transaction it rolls back: nothing is half-saved."""

    def __init__(self, *reasons):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__("; ".join(self.reasons))


def require(user, permission, obj=None):
    """Services check the permission themselves: a view is one caller among several (admin,
    commands, Celery). ``rules.has_perm``, never ``user.has_perm``: a superuser is not the lead
    researcher of every project."""
    allowed = user is not None and user.is_authenticated and rules.has_perm(permission, user, obj)
    if not allowed:
        raise ProjectError(_("Your account does not have the permission to do this: ask an administrator."))


def lock(project):
    """The project's row, locked for the rest of the caller's transaction."""
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("instrument", "call", "lead", "application")
        .get(pk=project.pk)
    )


def refuse_when_closed(project):
    if project.is_closed:
        raise ProjectError(
            _("Project %(reference)s is %(status)s: nothing more can be changed or submitted.")
            % {"reference": project.reference, "status": project.get_status_display().lower()}
        )


def staff_recipients():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")
