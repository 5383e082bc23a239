"""The reviewer's section of the personal-data download and of an erasure (accounts.personal_data).

Exported: the reviewer profile (expertise, themes, institution, unit, load, availability), the
invitations to review and their answers, the conflicts of interest declared by the reviewer or
recorded about them, the routing proposals' pairs naming them (with the affinity computed), and
their assignments with the review, scores and comments they wrote (and the earlier versions kept
when staff reopened it); for a researcher, the decisions on their applications once the letters
are released (before that the decision is not theirs yet).
Applications appear by reference only: a reviewer may be named beside an application they never
saw (a conflict recorded by staff, a pair of a draft proposal).

Erasure mirrors the researcher's (applications.personal_data), on the same line:
- kept: everything tied to a *decided* application, i.e. the assignments (active, recused or
  removed) with their reviews and scores, and the conflicts of interest. They are the evaluation
  behind a decision on public funding, part of the same grant record as the application, for the
  same retention period; the account they point to is anonymised.
- erasure waits while the reviewer holds an active assignment on an application submitted or in
  review: the committee needs that review. Staff end the assignment (and route a replacement) or
  wait for the decision.
- deleted: the reviewer profile, the invitations, the bids, the syntheses and discussion
  messages of undecided applications (those of decided ones are kept with their reviews), every
  routing pair naming them (a draft proposal confirmed later would otherwise refuse the erased
  account), and the assignments,
  reviews and conflicts of applications not decided (withdrawn, drafts, or ended assignments).

Staff appear in these models as the one who invited, recorded, routed, assigned, reopened,
screened, decided or asked for a committee dossier: those columns are the audit of staff work,
exported with the account's audit trail, and a staff account is closed by the administrators
rather than erased here.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import ErasureError
from applications.personal_data import BLOCKING_STATUSES, KEPT_STATUSES

from .models import (
    Bid,
    ConflictOfInterest,
    CriterionScore,
    Decision,
    DiscussionMessage,
    ProposedAssignment,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    Synthesis,
)

MODELS = [
    "reviews.ReviewerProfile",
    "reviews.ReviewerInvitation",
    "reviews.ConflictOfInterest",
    "reviews.RoutingProposal",
    "reviews.ProposedAssignment",
    "reviews.ReviewAssignment",
    "reviews.Review",
    "reviews.ReviewVersion",
    "reviews.Decision",
    "reviews.Screening",
    "reviews.Bid",
    "reviews.Synthesis",
    "reviews.DiscussionMessage",
    "reviews.Dossier",
]


def _reference(application):
    return application.reference or f"#{application.pk}"


def _profile(user):
    profile = ReviewerProfile.objects.filter(user=user).prefetch_related("expertise", "themes").first()
    if profile is None:
        return None
    return {
        "expertise": sorted(str(term) for term in profile.expertise.all()),
        "other_keywords": profile.free_keywords,
        "expertise_statement": profile.expertise_statement,
        "recent_publications": profile.recent_publications,
        "themes": sorted(str(theme) for theme in profile.themes.all()),
        "institution": profile.institution,
        "country": str(profile.country),
        "unit_code": profile.unit_code,
        "max_load_per_call": profile.max_load_per_call,
        "is_available": profile.is_available,
        "available_until": profile.available_until,
        "updated_at": profile.updated_at,
    }


def _review(assignment):
    review = getattr(assignment, "review", None)
    if review is None:
        return None
    return {
        "status": review.status,
        "recommendation": review.recommendation,
        "general_comment": review.general_comment,
        "comment_for_applicant": review.comment_for_applicant,
        "submitted_at": review.submitted_at,
        "reopened_at": review.reopened_at,
        "scores": [
            {"criterion": str(score.criterion), "score": score.score, "comment": score.comment}
            for score in review.scores.all()
        ],
        "earlier_versions": [
            {
                "version": version.number,
                "recommendation": version.recommendation,
                "general_comment": version.general_comment,
                "comment_for_applicant": version.comment_for_applicant,
                "scores": version.scores,
                "submitted_at": version.submitted_at,
                "reopened_at": version.reopened_at,
                "reason": version.reason,
            }
            for version in review.versions.all()
        ],
    }


def export(user):
    invitations = ReviewerInvitation.objects.filter(reviewer=user).select_related("call").order_by("invited_at", "pk")
    conflicts = (
        ConflictOfInterest.objects.filter(reviewer=user).select_related("application").order_by("created_at", "pk")
    )
    pairs = (
        ProposedAssignment.objects.filter(reviewer=user)
        .select_related("proposal__call", "application")
        .order_by("proposal__created_at", "pk")
    )
    assignments = (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("call", "application", "review")
        .prefetch_related(
            Prefetch("review__scores", queryset=CriterionScore.objects.select_related("criterion")),
            "review__versions",
        )
        .order_by("assigned_at", "pk")
    )
    decisions = (
        Decision.objects.filter(application__applicant=user, released_at__isnull=False)
        .select_related("application")
        .order_by("released_at", "pk")
    )
    return {
        "reviewer_profile": _profile(user),
        "invitations": [
            {"call": str(i.call), "status": i.status, "invited_at": i.invited_at, "answered_at": i.responded_at}
            for i in invitations
        ],
        "discussion_messages": [
            {"application": _reference(m.application), "message": m.body, "written_at": m.created_at}
            for m in DiscussionMessage.objects.filter(author=user).select_related("application").order_by("pk")
        ],
        "syntheses": [
            {
                "application": _reference(x.application),
                "strengths": x.strengths,
                "weaknesses": x.weaknesses,
                "recommendation": x.recommendation,
                "submitted_at": x.submitted_at,
            }
            for x in Synthesis.objects.filter(rapporteur=user).select_related("application").order_by("pk")
        ],
        "bids": [
            {"application": _reference(b.application), "bid": b.kind, "updated_at": b.updated_at}
            for b in Bid.objects.filter(reviewer=user).select_related("application").order_by("pk")
        ],
        "conflicts_of_interest": [
            {
                "application": _reference(c.application),
                "kind": c.kind,
                "declared_by": c.source,
                "reason": c.reason,
                "recorded_at": c.created_at,
            }
            for c in conflicts
        ],
        "routing_proposals": [
            {
                "call": str(p.proposal.call),
                "proposal": p.proposal_id,
                "proposal_status": p.proposal.status,
                "application": _reference(p.application),
                "affinity": p.affinity,
                "source": p.source,
            }
            for p in pairs
        ],
        "assignments": [
            {
                "call": str(a.call),
                "application": _reference(a.application),
                "status": a.status,
                "due_date": a.due_date,
                "assigned_at": a.assigned_at,
                "ended_at": a.ended_at,
                "end_reason": a.end_reason,
                "review": _review(a),
            }
            for a in assignments
        ],
        "decisions_on_my_applications": [
            {
                "application": _reference(d.application),
                "outcome": d.outcome,
                "amount": d.amount,
                "released_at": d.released_at,
            }
            for d in decisions
        ],
    }


def erase(user, by_user):
    # Staff cannot end, reopen or reassign these while the erasure decides what to keep.
    list(ReviewAssignment.objects.select_for_update().filter(reviewer=user).values_list("pk"))
    assignments = ReviewAssignment.objects.filter(reviewer=user)
    if assignments.active().filter(application__status__in=BLOCKING_STATUSES).exists():
        raise ErasureError(
            _(
                "The reviewer has an application to review that is not decided yet: end the assignment "
                "or wait for the decision, then carry out the erasure."
            )
        )
    decided = {"application__status__in": KEPT_STATUSES}
    kept_assignments = assignments.filter(**decided).count()
    ended = assignments.exclude(**decided).delete()[1].get(ReviewAssignment._meta.label, 0)
    conflicts = ConflictOfInterest.objects.filter(reviewer=user)
    kept_conflicts = conflicts.filter(**decided).count()
    deleted_conflicts = conflicts.exclude(**decided).delete()[0]
    pairs = ProposedAssignment.objects.filter(reviewer=user).delete()[0]
    invitations = ReviewerInvitation.objects.filter(reviewer=user).delete()[0]
    bids = Bid.objects.filter(reviewer=user).delete()[0]
    Synthesis.objects.filter(rapporteur=user).exclude(**decided).delete()
    DiscussionMessage.objects.filter(author=user).exclude(**decided).delete()
    profiles = ReviewerProfile.objects.filter(user=user).delete()[1].get(ReviewerProfile._meta.label, 0)
    return (
        f"{profiles} reviewer profile, {invitations} invitation(s), {bids} bid(s), {pairs} routing pair(s), "
        f"{ended} assignment(s) of undecided applications with their reviews and "
        f"{deleted_conflicts} conflict(s) of interest deleted; {kept_assignments} assignment(s) with their "
        f"reviews and {kept_conflicts} conflict(s) of interest of decided applications kept as grant records."
    )
