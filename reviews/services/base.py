"""What the review services share: the refusal they raise and the permission check they start with."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class ReviewError(Exception):
    """A change the portal refuses; `reasons` are messages for the reader (lazy or str)."""

    def __init__(self, *reasons):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__("; ".join(self.reasons))


class DecisionRefused(ReviewError):
    pass


def _require(user, permission):
    """Services check the portal permission themselves (see permissions.STAFF_PERMISSIONS): a view
    is one caller among several (admin actions, commands, Celery)."""
    if not (user is not None and user.is_authenticated and user.has_perm(permission)):
        raise ReviewError(_("Your account does not have the permission to do this: ask an administrator."))


def _staff_recipients():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")
