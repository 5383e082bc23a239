"""Scoring by the reviewer, reopening by staff; recusal and declared conflicts of interest, which
end an assignment and propose a replacement. A conflicted reviewer is refused here
(``_working_assignment``) as well as hidden by the querysets (models.conflict_filter)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from calls.models import ReviewCriterion
from notifications.services import cancel_pending, notify

from .. import notices
from ..actions import ReviewAction
from ..models import (
    SCORE_MAX,
    SCORE_MIN,
    ConflictOfInterest,
    CriterionScore,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewVersion,
    RoutingProposal,
)
from ..models.reviewing import COMMENT_FOR_APPLICANT_MAX_CHARS
from ..selectors import has_conflict
from .base import ReviewError, _require, _staff_recipients
from .routing import _default_due_date, _end_assignment, run_routing


def _working_assignment(assignment, by_user):
    """The locked assignment, if `by_user` is its reviewer, it is active and no conflict exists."""
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application", "call")
        .get(pk=assignment.pk)
    )
    if locked.reviewer_id != by_user.pk or not locked.is_active or has_conflict(by_user, locked.application):
        raise ReviewError(_("You are not assigned to this application."))
    return locked


def _plain_text(value):
    """A comment as the database can store it (PostgreSQL refuses the NUL character)."""
    text = str(value or "")
    if "\x00" in text:
        raise ReviewError(_("A comment contains a null character: remove it and save again."))
    return text


def save_review(
    assignment, by_user, *, scores, recommendation="", general_comment="", comment_for_applicant="", submit=False
):
    """Save the reviewer's scores ({criterion id: (score or None, comment)}) as a draft, or submit
    them: every criterion scored and a recommendation given; the review is then locked and the
    pending reminders cancelled."""
    with transaction.atomic():
        locked = _working_assignment(assignment, by_user)
        review, _created = Review.objects.select_for_update().get_or_create(assignment=locked)
        if review.is_locked:
            raise ReviewError(_("This review is submitted: ask the staff to reopen it to change it."))
        criteria = list(ReviewCriterion.objects.filter(call=locked.call_id).order_by("position", "id"))
        if recommendation and recommendation not in Recommendation.values:
            raise ReviewError(_("Choose a recommendation from the list."))
        values = {}
        for criterion in criteria:
            score, comment = scores.get(criterion.pk, (None, ""))
            if score is not None:
                try:
                    score = int(score)
                except (TypeError, ValueError):
                    raise ReviewError(_("A score is between 1 and 5.")) from None
                if not (SCORE_MIN <= score <= SCORE_MAX):
                    raise ReviewError(_("A score is between 1 and 5."))
            values[criterion.pk] = (score, _plain_text(comment))
        if submit:
            missing = [c.name for c in criteria if values[c.pk][0] is None]
            problems = [_("Score the criterion “%(name)s”.") % {"name": name} for name in missing]
            if not recommendation:
                problems.append(_("Give an overall recommendation."))
            if problems:
                raise ReviewError(*problems)
        existing = {s.criterion_id: s for s in CriterionScore.objects.filter(review=review)}
        for criterion in criteria:
            score, comment = values[criterion.pk]
            row = existing.get(criterion.pk)
            if row is None:
                CriterionScore.objects.create(review=review, criterion=criterion, score=score, comment=comment)
            elif (row.score, row.comment) != (score, comment):
                row.score, row.comment = score, comment
                row.save(update_fields=["score", "comment"])
        review.recommendation = recommendation or ""
        review.general_comment = _plain_text(general_comment)
        review.comment_for_applicant = _plain_text(comment_for_applicant).strip()
        if len(review.comment_for_applicant) > COMMENT_FOR_APPLICANT_MAX_CHARS:
            raise ReviewError(
                _("The comment for the applicant has at most %(max)s characters.")
                % {"max": COMMENT_FOR_APPLICANT_MAX_CHARS}
            )
        fields = ["recommendation", "general_comment", "comment_for_applicant", "updated_at"]
        review.save(update_fields=fields)
        if submit:
            review.transition(Review.Status.SUBMITTED, by=by_user, submitted_at=timezone.now())
            cancel_pending(locked, kinds=notices.REMINDER_KINDS)
    return review


RECONSIDER_REASON_MAX_CHARS = 3000


def reopen_review(review, by_user, reason=""):
    """Staff unlock a submitted review so its reviewer may change it. What was submitted is kept
    as a numbered ReviewVersion (with `reason`, what staff ask to reconsider), and the reviewer is
    told by e-mail; reopening a review already open changes nothing."""
    _require(by_user, "reviews.reopen_review")
    reason = _plain_text(reason).strip()
    if len(reason) > RECONSIDER_REASON_MAX_CHARS:
        raise ReviewError(_("Your request has at most %(max)s characters.") % {"max": RECONSIDER_REASON_MAX_CHARS})
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("assignment__application").get(pk=review.pk)
        if not locked.can_become(Review.Status.DRAFT):
            return locked
        if locked.assignment.application.status == Application.Status.DECIDED:
            raise ReviewError(_("The application is decided: its reviews no longer change."))
        number = ReviewVersion.objects.filter(review=locked).count() + 1
        scores = [
            {
                "criterion": row.criterion_id,
                "name_fr": row.criterion.name_fr,
                "name_en": row.criterion.name_en,
                "score": row.score,
                "comment": row.comment,
            }
            for row in CriterionScore.objects.filter(review=locked).select_related("criterion")
        ]
        now = timezone.now()
        ReviewVersion.objects.create(
            review=locked,
            number=number,
            recommendation=locked.recommendation,
            general_comment=locked.general_comment,
            comment_for_applicant=locked.comment_for_applicant,
            scores=scores,
            submitted_at=locked.submitted_at,
            reopened_at=now,
            reopened_by=by_user,
            reason=reason,
        )
        locked.transition(
            Review.Status.DRAFT,
            by=by_user,
            action=ReviewAction.REVIEW_REOPENED,
            reopened_at=now,
            reopened_by=by_user,
        )
        application = locked.assignment.application
        notify(
            locked.assignment.reviewer,
            notices.REVIEW_REOPENED,
            {
                "reference": application.reference or "",
                "application_title": application.title,
                "reason": reason,
                "url_path": locked.assignment.url_path,
            },
            target=locked.assignment,
            dedupe_key=f"review-reopened:{locked.pk}:{number}",
        )
    return locked


def ask_to_reconsider(review, by_user, reason):
    """Staff ask a reviewer to reconsider their submitted review, saying what (required)."""
    if not _plain_text(reason).strip():
        raise ReviewError(_("Say what you ask the reviewer to reconsider."))
    return reopen_review(review, by_user, reason)


# --- Recusal and replacement ---------------------------------------------------------------------


def propose_replacement(application, by_user=None):
    """A one-application routing proposal: the router picks one more reviewer, the current ones
    kept (a reviewer who left the application is never proposed again). Computed inline."""
    active_count = ReviewAssignment.objects.active().filter(application=application).count()
    due = (
        ReviewAssignment.objects.filter(application=application)
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    due = max(due or _default_due_date(), timezone.localdate() + timedelta(days=14))
    proposal = RoutingProposal.objects.create(
        call_id=application.call_id,
        application=application,
        reviewers_per_application=active_count + 1,
        due_date=due,
        created_by=by_user,
    )
    run_routing(proposal.pk)
    proposal.refresh_from_db()
    return proposal


def _after_recusal(assignment, reason):
    proposal = propose_replacement(assignment.application)
    reviewer = assignment.reviewer
    for staff in _staff_recipients():
        notify(
            staff,
            notices.RECUSAL,
            {
                "reviewer_name": str(reviewer),
                "reference": assignment.application.reference or "",
                "reason": reason,
                "url_path": f"/reviews/staff/proposals/{proposal.pk}/",
            },
            target=assignment,
            dedupe_key=f"recusal:{assignment.pk}:{staff.pk}",
        )
    return proposal


def recuse(assignment, by_user, reason, *, conflict_kind=None):
    """The reviewer steps down with a reason (optionally declaring a conflict of interest): the
    assignment ends, its reminders are cancelled, staff are told, a replacement is proposed."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give the reason why you step down."))
    with transaction.atomic():
        locked = (
            ReviewAssignment.objects.select_for_update().select_related("application", "reviewer").get(pk=assignment.pk)
        )
        if locked.reviewer_id != by_user.pk or not locked.is_active:
            raise ReviewError(_("You are not assigned to this application."))
        if conflict_kind:
            ConflictOfInterest.objects.update_or_create(
                reviewer=by_user,
                application=locked.application,
                defaults={
                    "kind": ConflictOfInterest.Kind(conflict_kind),
                    "reason": reason,
                    "source": ConflictOfInterest.Source.REVIEWER,
                    "recorded_by": by_user,
                },
            )
        _end_assignment(locked, ReviewAssignment.Status.RECUSED, reason, by_user)
        proposal = _after_recusal(locked, reason)
    return proposal


# --- Conflicts declared --------------------------------------------------------------------------


def declare_conflict(reviewer, application, kind, reason, by_user):
    """Record a conflict (by the reviewer on their page, or by staff). An active assignment on the
    application ends at once; when the reviewer declares it, staff are told and a replacement is
    proposed, as for a recusal."""
    kind = ConflictOfInterest.Kind(kind)
    by_reviewer = by_user.pk == reviewer.pk
    if not by_reviewer:
        _require(by_user, "reviews.record_conflicts")
    with transaction.atomic():
        conflict, _created = ConflictOfInterest.objects.update_or_create(
            reviewer=reviewer,
            application=application,
            defaults={
                "kind": kind,
                "reason": reason,
                "source": ConflictOfInterest.Source.REVIEWER if by_reviewer else ConflictOfInterest.Source.STAFF,
                "recorded_by": by_user,
            },
        )
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .active()
            .filter(reviewer=reviewer, application=application)
            .first()
        )
        if assignment is not None:
            status = ReviewAssignment.Status.RECUSED if by_reviewer else ReviewAssignment.Status.REMOVED
            _end_assignment(assignment, status, reason or str(kind.label), by_user)
            if by_reviewer:
                _after_recusal(assignment, reason or str(kind.label))
    return conflict
