"""The rapporteur and the synthesis (issue 18): staff name one reviewer assigned to an application
its rapporteur (proposed: the assigned reviewer of highest affinity in the routing that assigned
them); once every review of the application is in, the rapporteur writes the synthesis (strengths,
weaknesses, a recommendation) and submits it. The meeting shows it; a decision letter may quote it
when staff share the call's feedback."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from applications.models import Application

from ..actions import ReviewAction
from ..models import ProposedAssignment, Recommendation, Review, ReviewAssignment, Synthesis
from .base import ReviewError, _require


def proposed_rapporteur(application):
    """The active reviewer of `application` with the highest affinity in the proposal that assigned
    them (the earliest assigned when none says), or None."""
    assignments = list(
        ReviewAssignment.objects.active().filter(application=application).select_related("reviewer").order_by("pk")
    )
    if not assignments:
        return None
    affinities = dict(
        ProposedAssignment.objects.filter(
            application=application, proposal__in=[a.proposal_id for a in assignments if a.proposal_id]
        ).values_list("reviewer_id", "affinity")
    )
    best = max(assignments, key=lambda a: (affinities.get(a.reviewer_id, -1.0), -a.pk))
    return best.reviewer


def name_rapporteur(application, reviewer, by_user):
    """Staff name `reviewer` (actively assigned to `application`) its rapporteur; a synthesis
    already submitted keeps its author."""
    _require(by_user, "reviews.decide")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not ReviewAssignment.objects.active().filter(application=locked, reviewer=reviewer).exists():
            raise ReviewError(_("The rapporteur must be one of the application's reviewers."))
        synthesis = Synthesis.objects.select_for_update().filter(application=locked).first()
        if synthesis is not None and synthesis.is_submitted:
            raise ReviewError(_("The synthesis is already written: its rapporteur can no longer change."))
        synthesis = synthesis or Synthesis(application=locked)
        synthesis.rapporteur, synthesis.named_by, synthesis.named_at = reviewer, by_user, timezone.now()
        synthesis.save()
        record(by_user, ReviewAction.RAPPORTEUR_NAMED, locked, rapporteur=str(reviewer))
    return synthesis


def reviews_missing(application):
    """How many active assignments of `application` have no submitted review yet."""
    return (
        ReviewAssignment.objects.active()
        .filter(application=application)
        .exclude(review__status=Review.Status.SUBMITTED)
        .count()
    )


def write_synthesis(application, by_user, *, strengths="", weaknesses="", recommendation="", submit=False):
    """The rapporteur saves the synthesis (a draft), or submits it: strengths, weaknesses and a
    recommendation required, every review in; submitted, it no longer changes."""
    with transaction.atomic():
        synthesis = Synthesis.objects.select_for_update().filter(application=application).first()
        if synthesis is None or synthesis.rapporteur_id != by_user.pk:
            raise ReviewError(_("Only the rapporteur of this application writes its synthesis."))
        if synthesis.is_submitted:
            raise ReviewError(_("The synthesis is submitted: it can no longer change."))
        missing = reviews_missing(application)
        if missing:
            raise ReviewError(
                _("The synthesis is written once every review is in: %(n)s still missing.") % {"n": missing}
            )
        recommendation = recommendation or ""
        if recommendation and recommendation not in Recommendation.values:
            raise ReviewError(_("Choose a recommendation from the list."))
        synthesis.strengths, synthesis.weaknesses = (strengths or "").strip(), (weaknesses or "").strip()
        synthesis.recommendation = recommendation
        try:
            synthesis.full_clean(exclude=["application", "rapporteur", "named_by"])
        except ValidationError as error:
            raise ReviewError(*error.messages) from None
        if submit:
            problems = []
            if not synthesis.strengths:
                problems.append(_("Write the application's strengths."))
            if not synthesis.weaknesses:
                problems.append(_("Write the application's weaknesses."))
            if not synthesis.recommendation:
                problems.append(_("Give a recommendation."))
            if problems:
                raise ReviewError(*problems)
            synthesis.submitted_at = timezone.now()
            record(by_user, ReviewAction.SYNTHESIS_SUBMITTED, application, recommendation=recommendation)
        synthesis.save()
    return synthesis
