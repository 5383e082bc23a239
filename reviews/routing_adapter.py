"""The thin ORM adapter around reviews.routing: rows to arrays, arrays to a proposal.

Everything is built as arrays in a number of queries that does not grow with the call, read as
flat rows by reviews/routing_reads.py (no model instance): the term matrices (scipy sparse, one
column per vocabulary term, free keyword or theme), the texts, the bids, the conflicts as ``(m, 2)``
index pairs, the capacities from the profiles minus the current load. ``routing.route`` does the
rest. The functions taking lists of instances (``conflict_pairs``, ``keyword_affinity`` ...) read
the same way, by the instances' ids.
"""

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from applications.models import Application

from . import routing
from . import routing_reads as reads
from .models import ProposedAssignment, ReviewAssignment, ReviewerInvitation, Screening
from .routing import bids, text
from .routing.problem import unique_keys

logger = logging.getLogger(__name__)

THEME_WEIGHT = reads.THEME_WEIGHT
ROUTED_STATUSES = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)


def pool_queryset(call, today=None):
    """The User queryset of the reviewers who accepted the call's invitation, active and available
    today."""
    today = today or timezone.localdate()
    return (
        get_user_model()
        .objects.filter(
            reviewer_invitations__call=call,
            reviewer_invitations__status=ReviewerInvitation.Status.ACCEPTED,
            is_active=True,
            is_reviewer=True,
            reviewer_profile__is_available=True,
        )
        .filter(Q(reviewer_profile__available_until__isnull=True) | Q(reviewer_profile__available_until__gte=today))
    )


def reviewer_pool(call, today=None):
    """Reviewers who accepted the call's invitation, active and available today, by id (instances,
    for the pages; routing itself reads the pool as arrays)."""
    return list(pool_queryset(call, today).select_related("reviewer_profile").order_by("pk"))


def routable(rows):
    """The applications of `rows` routing takes: those screened admissible after their call closed
    (services.screening), and those already with reviewers."""
    return rows.filter(
        Q(status=Application.Status.IN_REVIEW)
        | Q(status=Application.Status.SUBMITTED, screening__outcome=Screening.Outcome.ADMISSIBLE)
    )


def routed_queryset(call, application=None):
    rows = routable(Application.objects.filter(call=call))
    if application is not None:
        rows = rows.filter(pk=application.pk)
    return rows


def applications_to_route(call, application=None):
    return list(routed_queryset(call, application).order_by("pk"))


def _ids(rows):
    return [row.pk for row in rows]


def _read(applications, reviewers):
    """(application queryset, application ids, pool) for lists of model instances, in their order."""
    app_ids = np.array(_ids(applications), dtype=np.int64)
    rows = reads.applications_by_ids(app_ids)
    pool = reads.read_pool(get_user_model().objects.filter(pk__in=_ids(reviewers)))
    return rows, app_ids, pool.reordered(_ids(reviewers)) if len(reviewers) else pool


#: The TF-IDF vectors of the last calls routed, by a fingerprint of the texts they were fitted on
#: (ids and last changes): routing the same call again, or one application of it, fits nothing.
_TEXT_VECTORS = OrderedDict()
TEXT_VECTORS_KEPT = 4


def _text_affinity(inputs):
    """Cosine of the TF-IDF vectors of what applications and reviewers wrote (routing/text.py),
    the vectors kept per call while their texts do not change."""
    shape = (len(inputs.app_texts), len(inputs.reviewer_texts))
    if not shape[0] or not shape[1]:
        return np.zeros(shape, dtype=np.float32)
    key = inputs.fingerprint
    fitted = _TEXT_VECTORS.get(key)
    if fitted is None:
        fitted = text.vectors(inputs.app_texts, inputs.reviewer_texts)
        _TEXT_VECTORS[key] = fitted
        while len(_TEXT_VECTORS) > TEXT_VECTORS_KEPT:
            _TEXT_VECTORS.popitem(last=False)
    else:
        _TEXT_VECTORS.move_to_end(key)
    if fitted is None:
        return np.zeros(shape, dtype=np.float32)
    app_vectors, reviewer_vectors = fitted
    out = np.asarray(app_vectors @ reviewer_vectors.T.toarray(), dtype=np.float32)
    return np.clip(out, 0.0, 1.0, out=out)


def _keyword_affinity(inputs):
    return routing.affinity_from_keywords(inputs.app_terms, inputs.reviewer_terms, metric="cosine", dtype=np.float32)


def keyword_affinity(applications, reviewers):
    """Cosine affinity between applications' keywords + theme and reviewers' expertise + themes."""
    rows, app_ids, pool = _read(applications, reviewers)
    return _keyword_affinity(reads.read_affinity_inputs(rows, app_ids, pool.ids))


def text_affinity(applications, reviewers):
    """The TF-IDF cosine of the texts (title, abstract, keywords; statement, publications, keywords,
    terms' names)."""
    rows, app_ids, pool = _read(applications, reviewers)
    return _text_affinity(reads.read_affinity_inputs(rows, app_ids, pool.ids))


def affinity_matrix(applications, reviewers):
    """The router's affinity without the bids: keywords and themes, and the texts, by the weights of
    routing/bids.py."""
    rows, app_ids, pool = _read(applications, reviewers)
    inputs = reads.read_affinity_inputs(rows, app_ids, pool.ids)
    affinity, _ = bids.combine(_keyword_affinity(inputs), _text_affinity(inputs))
    return affinity


def conflict_pairs(applications, reviewers):
    """``(m, 2)`` [application index, reviewer index] pairs in conflict, computed and declared: the
    bulk mirror of reviews.conflicts.conflict_kinds (routing_reads.read_conflicts)."""
    rows, app_ids, pool = _read(applications, reviewers)
    return reads.read_conflicts(rows, app_ids, pool)


@dataclass
class Arrays:
    """What the router needs of a set of applications and a pool, read by routing_reads."""

    application_ids: np.ndarray
    references: list
    pool: reads.Pool
    affinity: np.ndarray
    reluctant: np.ndarray
    conflicts: np.ndarray


def read_arrays(applications, users, timings=None):
    """The set-based reads and the arrays built from them: `applications` an Application queryset,
    `users` the pool's User queryset. ``timings`` (a dict) receives each step's seconds: reviewers
    (the pool and the applications' ids), affinity_inputs, conflicts, arrays (the affinities)."""
    timings = {} if timings is None else timings
    started = time.perf_counter()

    def lap(name):
        nonlocal started
        now = time.perf_counter()
        timings[name] = round(now - started, 3)
        started = now

    pool = reads.read_pool(users)
    rows = list(applications.order_by("pk").values_list("pk", "reference"))
    app_ids = np.array([row[0] for row in rows], dtype=np.int64)
    lap("reviewers")
    inputs = reads.read_affinity_inputs(applications, app_ids, pool.ids)
    bid_rows = reads.read_bids(applications, app_ids, pool.ids)
    lap("affinity_inputs")
    conflicts = reads.read_conflicts(applications, app_ids, pool)
    lap("conflicts")
    affinity, reluctant = bids.combine(_keyword_affinity(inputs), _text_affinity(inputs), bid_rows)
    lap("arrays")
    return Arrays(app_ids, [row[1] or "" for row in rows], pool, affinity, reluctant, conflicts)


def _assignment_rows(call, app_ids, reviewer_ids, active):
    """The call's assignments (active, or not active) as (application position, reviewer position)
    arrays, -1 where outside the applications or the pool (one query)."""
    rows = ReviewAssignment.objects.filter(call=call)
    rows = (
        rows.filter(status=ReviewAssignment.Status.ACTIVE)
        if active
        else rows.exclude(status=ReviewAssignment.Status.ACTIVE)
    )
    fetched = list(rows.values_list("application_id", "reviewer_id"))
    if not fetched:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    app_col, reviewer_col = zip(*fetched, strict=True)
    return reads.index_of(app_ids, app_col), reads.index_of(reviewer_ids, reviewer_col)


def _with_former_reviewers(conflicts, former, active, n_revs):
    """A reviewer who recused or was removed from an application is never proposed for it again."""
    i, j = former
    keep = (i >= 0) & (j >= 0)
    if not keep.any():
        return conflicts
    keys = i[keep] * n_revs + j[keep]
    ai, aj = active
    active_keys = ai[(ai >= 0) & (aj >= 0)] * n_revs + aj[(ai >= 0) & (aj >= 0)]
    keys = keys[~np.isin(keys, active_keys)]
    if not len(keys):
        return conflicts
    keys = unique_keys(np.concatenate([conflicts[:, 0] * n_revs + conflicts[:, 1], keys]))
    return np.stack(np.divmod(keys, n_revs), axis=1).astype(np.int64).reshape(-1, 2)


@dataclass
class RoutingInput:
    application_ids: np.ndarray
    references: list
    reviewer_ids: np.ndarray
    affinity: np.ndarray
    conflicts: np.ndarray
    k: np.ndarray
    capacity: np.ndarray
    existing: np.ndarray
    reluctant: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))


def build_input(call, k, application=None, progress=None, timings=None):
    """Read the rows and build the arrays route() takes (a few set-based queries, whatever the
    call's size; read_arrays). ``timings`` receives the seconds of each step."""
    progress = progress or (lambda value: None)
    data = read_arrays(routed_queryset(call, application), pool_queryset(call), timings)
    progress(45)
    app_ids, reviewer_ids = data.application_ids, data.pool.ids
    n_revs = len(reviewer_ids)
    active = _assignment_rows(call, app_ids, reviewer_ids, active=True)
    conflicts = _with_former_reviewers(
        data.conflicts, _assignment_rows(call, app_ids, reviewer_ids, active=False), active, n_revs
    )
    targets = np.full(len(app_ids), int(k), dtype=np.int64)
    i, j = active
    # Load on applications routed elsewhere still counts.
    outside_load = np.bincount(j[(i < 0) & (j >= 0)], minlength=n_revs)
    inside = i >= 0
    conflict_keys = conflicts[:, 0] * max(n_revs, 1) + conflicts[:, 1]
    conflicted = inside & (j >= 0) & np.isin(i * max(n_revs, 1) + j, conflict_keys)
    # A reviewer out of the pool still counts towards k; a conflicted one is left to staff.
    np.subtract.at(targets, i[inside & (j < 0)], 1)
    targets = np.maximum(targets, 0)
    kept = inside & (j >= 0) & ~conflicted
    capacity = np.maximum(data.pool.max_load - outside_load, 0).astype(np.int64)
    return RoutingInput(
        application_ids=app_ids,
        references=data.references,
        reviewer_ids=reviewer_ids,
        affinity=data.affinity,
        conflicts=conflicts,
        k=targets,
        capacity=capacity,
        existing=np.stack([i[kept], j[kept]], axis=1).astype(np.int64).reshape(-1, 2),
        reluctant=data.reluctant,
    )


@dataclass
class Solution:
    """What the router found for a proposal, not yet written."""

    pairs: list
    total_affinity: float
    shortfalls: list
    stats: dict


def compute(proposal, progress=None):
    """Run the router for `proposal` (reads only: progress updates commit on their own outside a
    transaction, so the proposal page sees them); ``store`` writes the result."""
    progress = progress or (lambda value: None)
    data = build_input(proposal.call, proposal.reviewers_per_application, proposal.application, progress)
    figures = {"applications": len(data.application_ids), "reviewers": len(data.reviewer_ids)}
    if not len(data.application_ids):
        return Solution([], 0.0, [], figures)
    result = routing.route(
        data.affinity,
        data.k,
        data.capacity,
        conflicts=data.conflicts,
        existing=data.existing,
        reluctant=data.reluctant,
    )
    progress(80)
    new_pairs = result.new_pairs
    pair_affinity = data.affinity[new_pairs[:, 0], new_pairs[:, 1]] if len(new_pairs) else np.zeros(0)
    pairs = [
        ProposedAssignment(
            proposal=proposal,
            application_id=int(data.application_ids[i]),
            reviewer_id=int(data.reviewer_ids[j]),
            affinity=round(float(value), 4),
        )
        for (i, j), value in zip(new_pairs.tolist(), pair_affinity.tolist(), strict=True)
    ]
    shortfalls = [
        {
            "application_id": int(data.application_ids[s.app]),
            "reference": data.references[s.app],
            "missing": s.missing,
            "code": s.code,
            "params": s.params,
        }
        for s in result.shortfalls
    ]
    stats = {
        **{key: value for key, value in result.stats.items() if isinstance(value, int | float | str | bool)},
        **figures,
        "conflicts": int(len(data.conflicts)),
        "kept_assignments": int(len(data.existing)),
    }
    return Solution(pairs, round(float(pair_affinity.sum()), 4), shortfalls, stats)


def store(proposal, solution):
    """Replace the proposal's pairs and figures by the solution's (call inside a transaction)."""
    ProposedAssignment.objects.filter(proposal=proposal).delete()
    ProposedAssignment.objects.bulk_create(solution.pairs, batch_size=2000)
    proposal.total_affinity = solution.total_affinity
    proposal.shortfalls = solution.shortfalls
    proposal.stats = solution.stats
    return proposal


def shortfall_message(shortfall):
    """A stored shortfall in the reader's language: gettext(template) % params."""
    from django.utils.translation import gettext

    template = routing.REASON_TEMPLATES.get(shortfall.get("code"))
    if template is None:
        return shortfall.get("code", "")
    return gettext(template) % shortfall.get("params", {})


def proposal_shortfalls(proposal, pairs):
    """The applications of `proposal` still short of reviewers if it were confirmed as it stands:
    active assignments plus the proposed `pairs` against the reviewers asked per application. It
    follows staff's edits (a pair added or removed); each keeps the router's reason where it gave
    one, else says the edits left it short. Two queries, whatever the call's size."""
    from django.utils.translation import gettext

    rows = routable(Application.objects.filter(call=proposal.call_id))
    if proposal.application_id:
        rows = rows.filter(pk=proposal.application_id)
    rows = rows.annotate(
        active=Count("review_assignments", filter=Q(review_assignments__status=ReviewAssignment.Status.ACTIVE))
    ).only("id", "reference", "title")
    proposed = {}
    for pair in pairs:
        proposed[pair.application_id] = proposed.get(pair.application_id, 0) + 1
    stored = {s.get("application_id"): s for s in (proposal.shortfalls or [])}
    wanted = proposal.reviewers_per_application
    short = []
    for application in rows.order_by("reference", "pk"):
        missing = wanted - application.active - proposed.get(application.pk, 0)
        if missing <= 0:
            continue
        reason = stored.get(application.pk)
        short.append(
            {
                "application": application,
                "missing": missing,
                "message": shortfall_message(reason)
                if reason is not None and reason.get("missing") == missing
                else gettext("%(missing)d reviewer(s) missing after the changes made to this proposal.")
                % {"missing": missing},
            }
        )
    return short


def current_loads(call, reviewer_ids):
    return dict(
        ReviewAssignment.objects.active()
        .filter(call=call, reviewer__in=list(reviewer_ids))
        .values("reviewer")
        .annotate(n=Count("pk"))
        .values_list("reviewer", "n")
    )
