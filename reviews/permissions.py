"""Who may do what in the review process: small named predicates (django-rules), declared once.

Staff pages of the portal ask for the same Django model permissions as the admin pages that show
or change the same records: a staff member whose account holds no permission gets 403 in admin and
403 here too, with the permission named. Views, services and templates ask ``user.has_perm(NAME)``
with the names below; nothing compares ``is_staff`` by itself.
"""

from django.db.models import Exists, OuterRef

from accounts.permissions import add_staff_perm, is_reviewer, is_staff  # noqa: F401 (used by the views)

# Each portal permission: the staff role and the model permissions admin asks for the same data.
STAFF_PERMISSIONS = {
    # The list of calls under review, a call's routing page and its proposals.
    "reviews.see_calls": ("calls.view_call", "reviews.view_routingproposal"),
    # Computing a routing proposal, adding or removing pairs.
    "reviews.route_applications": ("reviews.add_routingproposal", "reviews.change_routingproposal"),
    "reviews.discard_proposal": ("reviews.delete_routingproposal",),
    # Confirming a proposal creates the reviewers' assignments.
    "reviews.confirm_proposal": ("reviews.change_routingproposal", "reviews.add_reviewassignment"),
    "reviews.end_assignment": ("reviews.change_reviewassignment",),
    "reviews.invite_reviewers": ("reviews.add_reviewerinvitation",),
    # The administrative screening after a call closes; an inadmissible application gets a decision.
    "reviews.screen_applications": (
        "applications.view_application",
        "reviews.add_screening",
        "reviews.change_screening",
        "reviews.add_decision",
    ),
    "reviews.record_conflicts": ("reviews.add_conflictofinterest",),
    "reviews.reopen_review": ("reviews.change_review",),
    # The ranking and its exports show every application's scores and applicant.
    "reviews.see_ranking": ("reviews.view_review", "applications.view_application"),
    "reviews.decide": ("applications.view_application", "reviews.add_decision", "reviews.change_decision"),
    # Releasing the held decision letters publishes the decisions and sends the letters.
    "reviews.release_decisions": ("reviews.change_decision", "notifications.change_notification"),
}

for _name, _model_permissions in STAFF_PERMISSIONS.items():
    add_staff_perm(_name, *_model_permissions)


def assigned_reviewer_sees_application(user):
    """Visibility rule for applications: a reviewer with an active assignment and no conflict of
    interest sees the application (registered with applications.permissions)."""
    if not is_reviewer(user):
        return None
    from .models import ReviewAssignment, conflict_filter

    assigned = ReviewAssignment.objects.filter(
        application=OuterRef("pk"), reviewer=user.pk, status=ReviewAssignment.Status.ACTIVE
    )
    return Exists(assigned) & ~conflict_filter(user)
