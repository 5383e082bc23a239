"""Routing of applications to reviewers: a pure function over numpy arrays (issue 6).

No Django import here: the ORM adapter builds the arrays (affinity, conflicts, loads) and turns the
result back into ``ReviewAssignment`` proposals. Everything is indexed by position: application ``i``
is row ``i`` of the affinity matrix, reviewer ``j`` its column ``j``.

The problem
-----------
Each application ``i`` needs ``k[i]`` distinct reviewers, each reviewer ``j`` takes at most
``capacity[j]`` applications, a conflicted pair is never assigned, and pairs in ``existing`` are kept
as they are (they count against ``k`` and ``capacity``). Among all such assignments we want

1. the largest number of filled slots (coverage always wins over affinity), then
2. the most balanced shortage: when reviewers are too few, every application gets its first
   reviewer before any gets its second, and so on (an application with no reviewer cannot be
   ranked; one with two of three can), then
3. the largest total affinity.

It is a bipartite b-matching, solved exactly as a min-cost flow (OR-Tools ``SimpleMinCostFlow``,
``solve_max_flow_with_min_cost``: the maximum flow first, which gives level 1 without any "large
bonus" constant, then the cheapest of those). The graph is
``source -> application (one arc per open slot, the t-th costing t x balance_step) -> reviewer
(capacity 1, cost -affinity) -> sink (capacity: load still open)``; affinities are scaled to
integers (``COST_RESOLUTION`` steps for the largest affinity) and ``balance_step`` exceeds any
affinity change, so level 2 ranks strictly before level 3. Arcs are handed to the solver as whole
numpy arrays; no Python loop runs over pairs.

Zero affinity
-------------
A pair with zero affinity is allowed, it is only ranked last: an application is better served by a
reviewer with no declared overlap than by no reviewer at all, and staff see and adjust the proposal.
Pass ``min_affinity`` to forbid pairs below a threshold (an application then left short is reported
with the code ``routing.not_enough_eligible_reviewers``). A NaN affinity also forbids the pair.

Sparsification
--------------
Above ``max_full_pairs`` pairs (``method="auto"``), or with ``method="sparse"``, the graph keeps
only, for each application, its ``candidates_per_app`` best conflict-free reviewers, plus for each
reviewer its ``candidates_per_reviewer`` best applications (so that a reviewer nobody ranks first
still has somewhere to spend their load, and popular reviewers are not the only way out), plus
``random_candidates_per_app`` random eligible reviewers per application (so capacity can spread).
The matrix is scanned by chunks of rows to bound memory (``np.argpartition`` per chunk).

Coverage is never lost to sparsification: after solving the sparse graph, if an application is left
short, a breadth-first search on the *full* residual graph (vectorised, by rows) looks for an
augmenting path; if one exists, the full rows of the applications it reached are added to the graph
and the problem is solved again. When the search finds none, the coverage is the maximum possible
(a certificate), and the reason given for each short application is exact. Affinity optimality of
the sparse graph is not certified; it is measured (``bench/routing_bench.py``: at least 99.5 % of
the full optimum).

Conference scale: candidate pairs only
--------------------------------------
``route_sparse`` (routing/sparse.py) solves the same flow from candidate pairs alone -- arrays, a
scipy sparse matrix or :class:`CandidatePairs` -- so that no ``n_apps x n_reviewers`` matrix exists
(20,000 x 8,000 in bench/routing_conference.py); given a callable for the full rows of a few
applications, its repair certifies the coverage as above. ``candidates.KeywordAffinity`` builds
the candidates from the keyword matrices by blocks of rows.

Bids and texts
--------------
``bids.combine`` turns keyword and text affinities (``text.text_affinity``, TF-IDF) and the
reviewers' bids into the affinity matrix and the ``reluctant`` pairs ("not willing"), with the
weights its docstring documents. A reluctant pair costs one more level between balance and
affinity: among the assignments with the most filled slots and the best balance, the one with the
fewest reluctant pairs wins (``route(..., reluctant=pairs)``).

Reasons
-------
Every application left short gets a :class:`Shortfall` with a stable code:

- ``routing.not_enough_reviewers``: fewer reviewers in the pool (those who accepted the call)
  than ``k``, conflicts or not;
- ``routing.not_enough_conflict_free_reviewers``: fewer reviewers free of conflicts than ``k``;
- ``routing.not_enough_eligible_reviewers``: enough conflict-free reviewers, but too few of them
  have an allowed affinity (``min_affinity``, NaN, or not listed as a candidate);
- ``routing.capacity_exhausted``: enough eligible reviewers exist, but every one of them not already
  on the application is at full load (proven by the maximum flow, see above).

Messages are English templates marked with ``gettext_noop`` so that ``makemessages`` extracts them;
the adapter translates ``Shortfall.template`` and interpolates ``Shortfall.params``.
"""

from .affinity import affinity_from_keywords
from .flow import route
from .problem import (
    CAPACITY_EXHAUSTED,
    NOT_ENOUGH_CONFLICT_FREE,
    NOT_ENOUGH_ELIGIBLE,
    NOT_ENOUGH_REVIEWERS,
    REASON_TEMPLATES,
    CandidatePairs,
    RoutingResult,
    Shortfall,
)
from .sparse import route_sparse

__all__ = [
    "CAPACITY_EXHAUSTED",
    "NOT_ENOUGH_CONFLICT_FREE",
    "NOT_ENOUGH_ELIGIBLE",
    "NOT_ENOUGH_REVIEWERS",
    "REASON_TEMPLATES",
    "CandidatePairs",
    "RoutingResult",
    "Shortfall",
    "affinity_from_keywords",
    "route",
    "route_sparse",
]
