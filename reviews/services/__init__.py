"""The state changes of the review process, one function each, in one transaction, with who did it.

One module per part: ``invitations`` (reviewers, invitations, the conflict check), ``routing``
(proposals, assignments and their notices), ``scoring`` (reviews, recusal, declared conflicts),
``decisions`` (decisions and their letters), ``screening`` (the administrative screening),
``bidding`` (bids and conflicts declared before routing);
``base`` holds the refusal and the permission check.
Callers import from here: ``from reviews import services; services.save_review(...)``.
"""

from ..notices import REMINDER_KINDS
from .base import DecisionRefused, ReviewError
from .bidding import (
    DECLARABLE_KINDS,
    biddable,
    bidding_problems,
    declare_conflict_before_routing,
    save_bid,
)
from .decisions import (
    MAX_AMOUNT,
    applicant_feedback,
    ceiling_of,
    decision_published,
    funded_totals,
    held_letters,
    record_decision,
    release_decisions,
    with_feedback,
)
from .discussion import in_discussion, other_reviews, post_as_staff, post_message, send_digests
from .invitations import answer_invitation, check_assignable, ensure_profile, invite_reviewer
from .routing import (
    COMPUTE_ROUTING_TASK,
    INLINE_ROUTING_MAX_APPLICATIONS,
    ROUTABLE_CALL_STATUSES,
    add_proposed_pair,
    confirm_routing,
    discard_routing,
    launch_routing,
    queue_assignment_notifications,
    remove_assignment,
    remove_proposed_pair,
    run_routing,
)
from .scoring import ask_to_reconsider, declare_conflict, propose_replacement, recuse, reopen_review, save_review
from .screening import call_closed, screen_application, screening_problems
from .synthesis import name_rapporteur, proposed_rapporteur, reviews_missing, write_synthesis

__all__ = [
    "COMPUTE_ROUTING_TASK",
    "DECLARABLE_KINDS",
    "INLINE_ROUTING_MAX_APPLICATIONS",
    "MAX_AMOUNT",
    "REMINDER_KINDS",
    "ROUTABLE_CALL_STATUSES",
    "DecisionRefused",
    "ReviewError",
    "add_proposed_pair",
    "answer_invitation",
    "applicant_feedback",
    "biddable",
    "call_closed",
    "bidding_problems",
    "ceiling_of",
    "check_assignable",
    "confirm_routing",
    "decision_published",
    "declare_conflict",
    "declare_conflict_before_routing",
    "discard_routing",
    "ensure_profile",
    "funded_totals",
    "held_letters",
    "invite_reviewer",
    "launch_routing",
    "propose_replacement",
    "queue_assignment_notifications",
    "record_decision",
    "recuse",
    "release_decisions",
    "remove_assignment",
    "remove_proposed_pair",
    "reopen_review",
    "ask_to_reconsider",
    "run_routing",
    "save_bid",
    "save_review",
    "with_feedback",
    "in_discussion",
    "other_reviews",
    "post_as_staff",
    "post_message",
    "send_digests",
    "name_rapporteur",
    "proposed_rapporteur",
    "reviews_missing",
    "write_synthesis",
    "screen_application",
    "screening_problems",
]
