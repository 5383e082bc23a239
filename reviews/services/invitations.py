"""Reviewers, their invitations to a call, and the conflict check every assignment passes
(``check_assignable``; a declared conflict ends an assignment: scoring.declare_conflict)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import notify

from .. import notices
from ..models import ReviewerInvitation, ReviewerProfile
from ..selectors import has_conflict
from .base import ReviewError, _require

# --- Reviewers and invitations ------------------------------------------------------------------


def ensure_profile(user):
    profile, _created = ReviewerProfile.objects.get_or_create(user=user)
    return profile


def invite_reviewer(call, reviewer, by_user):
    """Invite `reviewer` to review the call's applications (the user becomes a reviewer); the
    invitation e-mail is queued. Inviting again someone who has not answered changes nothing."""
    _require(by_user, "reviews.invite_reviewers")
    with transaction.atomic():
        if not reviewer.is_reviewer:
            reviewer.is_reviewer = True
            reviewer.save(update_fields=["is_reviewer"])
        ensure_profile(reviewer)
        invitation, created = ReviewerInvitation.objects.get_or_create(
            call=call, reviewer=reviewer, defaults={"invited_by": by_user}
        )
        if created:
            notify(
                reviewer,
                notices.REVIEWER_INVITATION,
                {"call_title_fr": call.title_fr, "call_title_en": call.title_en, "url_path": invitation.url_path},
                target=invitation,
                dedupe_key=f"reviewer_invitation:{invitation.pk}",
            )
    return invitation


def answer_invitation(invitation, accept, by_user):
    with transaction.atomic():
        locked = ReviewerInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.reviewer_id != by_user.pk:
            raise ReviewError(_("This invitation is not yours."))
        target = ReviewerInvitation.Status.ACCEPTED if accept else ReviewerInvitation.Status.DECLINED
        if locked.status == target:
            return locked
        if not locked.can_become(target):
            raise ReviewError(_("This invitation can no longer be answered."))
        locked.transition(target, by=by_user, responded_at=timezone.now())
        if accept:
            ensure_profile(by_user)
    return locked


# --- Conflicts of interest -----------------------------------------------------------------------


def check_assignable(application, reviewer):
    """Raise ReviewError when `reviewer` may not review `application` (conflict, not a reviewer)."""
    if not (reviewer.is_active and reviewer.is_reviewer):
        raise ReviewError(_("%(name)s is not an active reviewer.") % {"name": reviewer})
    if has_conflict(reviewer, application):
        raise ReviewError(
            _("%(name)s has a conflict of interest with %(application)s.")
            % {"name": reviewer, "application": application}
        )
