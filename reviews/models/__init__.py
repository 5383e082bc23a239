"""Reviewers, their conflicts of interest, the routing proposals, the reviews and the decisions.

Statuses are explicit state machines (``TRANSITIONS`` next to each status); every change goes
through a function of services.py. A reviewer sees an application only through an *active*
``ReviewAssignment`` and only while no conflict of interest, computed or declared, exists between
them (the rule is reviews.conflicts; ``conflict_filter`` below is its SQL mirror): the rule is
applied in the querysets, not only in the views.
"""

from .committee import Bid, DiscussionMessage, Dossier, Screening, Synthesis
from .decisions import Decision
from .people import (
    SCORE_MAX,
    SCORE_MIN,
    ConflictOfInterest,
    ExpertiseTerm,
    ReviewerInvitation,
    ReviewerProfile,
    _normalised,
    conflict_filter,
    reviewer_profile,
)
from .proposals import ProposedAssignment, RoutingProposal
from .reviewing import (
    SCORE_DESCRIPTORS,
    AssignmentQuerySet,
    CriterionScore,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewVersion,
    _at_nine,
)

__all__ = [
    "SCORE_DESCRIPTORS",
    "SCORE_MAX",
    "SCORE_MIN",
    "AssignmentQuerySet",
    "Bid",
    "ConflictOfInterest",
    "CriterionScore",
    "Decision",
    "DiscussionMessage",
    "Dossier",
    "ExpertiseTerm",
    "ProposedAssignment",
    "Recommendation",
    "Review",
    "ReviewAssignment",
    "ReviewVersion",
    "ReviewerInvitation",
    "ReviewerProfile",
    "RoutingProposal",
    "Screening",
    "Synthesis",
    "_at_nine",
    "_normalised",
    "conflict_filter",
    "reviewer_profile",
]
