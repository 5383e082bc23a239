"""What the audit trail records about reviews, routing and decisions (registered with accounts
on import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.actions import register_actions


@register_actions
class ReviewAction(models.TextChoices):
    INVITATION_STATUS = "invitation.status", _("reviewer invitation answered")
    ROUTING_LAUNCHED = "routing.launched", _("routing launched")
    ROUTING_CHANGED = "routing.changed", _("routing proposal adjusted")
    ROUTING_CONFIRMED = "routing.confirmed", _("routing confirmed")
    ROUTING_DISCARDED = "routing.discarded", _("routing discarded")
    ROUTING_STATUS = "routing.status", _("routing proposal status changed")
    ASSIGNMENT_STATUS = "assignment.status", _("assignment status changed")
    ASSIGNMENT_REMOVED = "assignment.removed", _("assignment ended by staff")
    REVIEW_STATUS = "review.status", _("review status changed")
    REVIEW_REOPENED = "review.reopened", _("review reopened")
    DECISION_RECORDED = "decision.recorded", _("decision recorded")
    DECISIONS_RELEASED = "decisions.released", _("decision letters released")
    SCREENED = "screening.recorded", _("application screened")
    RAPPORTEUR_NAMED = "synthesis.rapporteur", _("rapporteur named")
    SYNTHESIS_SUBMITTED = "synthesis.submitted", _("synthesis submitted")
