"""Who may see what in the review process: small named predicates, declared once."""

from django.db.models import Exists, OuterRef


def is_reviewer(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_reviewer)


def is_staff(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def assigned_reviewer_sees_application(user):
    """Visibility rule for applications: a reviewer with an active assignment and no conflict of
    interest sees the application (registered with applications.permissions)."""
    if not is_reviewer(user):
        return None
    from .models import ReviewAssignment
    from .selectors import conflict_filter

    assigned = ReviewAssignment.objects.filter(
        application=OuterRef("pk"), reviewer=user.pk, status=ReviewAssignment.Status.ACTIVE
    )
    return Exists(assigned) & ~conflict_filter(user)
