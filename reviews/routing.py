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

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from typing import Literal

import numpy as np
from ortools.graph.python import min_cost_flow

__all__ = [
    "CandidatePairs",
    "RoutingResult",
    "Shortfall",
    "affinity_from_keywords",
    "greedy_assign",
    "route",
]


def gettext_noop(message: str) -> str:
    """Mark a string for translation without importing Django (``makemessages`` knows this name)."""
    return message


NOT_ENOUGH_REVIEWERS = "routing.not_enough_reviewers"
NOT_ENOUGH_CONFLICT_FREE = "routing.not_enough_conflict_free_reviewers"
NOT_ENOUGH_ELIGIBLE = "routing.not_enough_eligible_reviewers"
CAPACITY_EXHAUSTED = "routing.capacity_exhausted"

REASON_TEMPLATES: dict[str, str] = {
    NOT_ENOUGH_REVIEWERS: gettext_noop(
        "Not enough reviewers: only %(available)d reviewer(s) accepted to review this call, %(required)d are "
        "required per application. Invite more reviewers, or ask for fewer per application."
    ),
    NOT_ENOUGH_CONFLICT_FREE: gettext_noop(
        "Not enough conflict-free reviewers: only %(available)d reviewer(s) have no conflict of interest "
        "with this application, %(required)d are required."
    ),
    NOT_ENOUGH_ELIGIBLE: gettext_noop(
        "No reviewer with enough affinity: only %(available)d conflict-free reviewer(s) have an allowed "
        "affinity for this application, %(required)d are required."
    ),
    CAPACITY_EXHAUSTED: gettext_noop(
        "Reviewers' capacity exhausted: every eligible reviewer not yet on this application has reached "
        "their maximum load; %(missing)d reviewer(s) missing."
    ),
}

#: Integer steps given to the largest absolute affinity when costs are made integral.
COST_RESOLUTION = 1_000_000
#: Elements of the affinity matrix processed at once when scanning it by rows.
CHUNK_ELEMENTS = 4_000_000
#: Rounds of "solve, look for an augmenting path, add rows" in the sparse path before giving up.
MAX_REPAIR_ROUNDS = 20


@dataclasses.dataclass(frozen=True)
class Shortfall:
    """An application that did not get all the reviewers it needs, and why."""

    app: int
    missing: int
    code: str
    message: str
    params: dict

    @property
    def template(self) -> str:
        return REASON_TEMPLATES[self.code]


@dataclasses.dataclass(frozen=True)
class RoutingResult:
    """The assignment: ``pairs`` rows are ``[app_idx, reviewer_idx]`` sorted, existing ones included.

    ``new_mask[p]`` is True when pair ``p`` was proposed by the router (False for ``existing`` ones);
    ``total_affinity`` sums the affinity of every pair in ``pairs``; ``shortfalls`` lists each
    application left short with its reason; ``stats`` holds figures for logs and benchmarks.
    """

    pairs: np.ndarray
    total_affinity: float
    shortfalls: list[Shortfall]
    new_mask: np.ndarray
    stats: dict

    @property
    def new_pairs(self) -> np.ndarray:
        return self.pairs[self.new_mask]

    @property
    def filled(self) -> int:
        return int(len(self.pairs))


@dataclasses.dataclass(frozen=True)
class CandidatePairs:
    """A sparse problem: only the listed (application, reviewer) pairs may be assigned.

    Use it when the caller already knows the candidates (e.g. from a search index). Conflicts passed
    to :func:`route` are still removed from the list.
    """

    apps: np.ndarray
    reviewers: np.ndarray
    affinity: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_sparse(cls, matrix) -> CandidatePairs:
        """Every *stored* entry of a scipy sparse matrix is a candidate (explicit zeros included).

        Beware: entries absent from the matrix are then forbidden, not zero-affinity pairs; for a
        sparse affinity where absent means zero, pass ``matrix.toarray()`` to :func:`route` instead.
        """
        coo = matrix.tocoo()
        return cls(coo.row, coo.col, coo.data, tuple(coo.shape))


# --------------------------------------------------------------------------------------------------
# Affinity from expertise
# --------------------------------------------------------------------------------------------------


def affinity_from_keywords(
    app_terms, reviewer_terms, *, metric: Literal["cosine", "jaccard"] = "cosine", dtype=np.float32
) -> np.ndarray:
    """Dense ``n_apps x n_reviewers`` affinity from term matrices, as one sparse-dense product.

    ``app_terms`` (``n_apps x n_terms``) and ``reviewer_terms`` (``n_reviewers x n_terms``) are scipy
    sparse or numpy arrays, one column per keyword of the controlled vocabulary, free-text keyword or
    theme (give a theme a weight above 1 to make it count more in ``cosine``). ``cosine`` uses the
    weights; ``jaccard`` binarises: ``|A & R| / |A | R|``. A row without any term gives 0 everywhere.
    """
    import scipy.sparse as sp

    a = sp.csr_matrix(app_terms, dtype=np.float64)
    r = sp.csr_matrix(reviewer_terms, dtype=np.float64)
    if a.shape[1] != r.shape[1]:
        raise ValueError(f"term counts differ: {a.shape[1]} for applications, {r.shape[1]} for reviewers")
    if metric == "jaccard":
        a.data[:] = a.data != 0
        r.data[:] = r.data != 0
        a.eliminate_zeros()
        r.eliminate_zeros()
        a_size = np.asarray(a.sum(axis=1), dtype=dtype).ravel()
        r_size = np.asarray(r.sum(axis=1), dtype=dtype).ravel()
    elif metric == "cosine":
        a_size = np.sqrt(np.asarray(a.multiply(a).sum(axis=1))).ravel()
        r_size = np.sqrt(np.asarray(r.multiply(r).sum(axis=1))).ravel()
        a = sp.diags(np.divide(1.0, a_size, out=np.zeros_like(a_size), where=a_size > 0)) @ a
        r = sp.diags(np.divide(1.0, r_size, out=np.zeros_like(r_size), where=r_size > 0)) @ r
    else:
        raise ValueError(f"unknown metric {metric!r}")
    # Sparse (apps) times dense (terms x reviewers): cost nnz(apps) x n_reviewers, dense output.
    out = np.asarray(a @ r.T.toarray().astype(np.float64, copy=False), dtype=dtype)
    if metric == "jaccard":
        union = a_size[:, None] + r_size[None, :]
        union -= out
        np.divide(out, union, out=out, where=union > 0)
        out[union <= 0] = 0
    return out


# --------------------------------------------------------------------------------------------------
# Normalising the inputs
# --------------------------------------------------------------------------------------------------


def _per_item(value, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{name} must be an int or an array of length {n}, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.equal(np.mod(arr, 1), 0)):
            raise ValueError(f"{name} must hold integers")
    arr = arr.astype(np.int64)
    if (arr < 0).any():
        raise ValueError(f"{name} must not be negative")
    return arr


def _pair_keys(pairs, n_apps: int, n_revs: int, name: str) -> np.ndarray:
    """Sorted unique flat keys ``app * n_revs + reviewer`` from a mask or a list of index pairs."""
    if pairs is None:
        return np.empty(0, dtype=np.int64)
    if hasattr(pairs, "tocoo"):  # scipy sparse: stored non-zero entries
        coo = pairs.tocoo()
        nz = coo.data != 0
        rows, cols = coo.row[nz], coo.col[nz]
        if tuple(coo.shape) != (n_apps, n_revs):
            raise ValueError(f"{name} has shape {coo.shape}, expected {(n_apps, n_revs)}")
        return np.unique(rows.astype(np.int64) * n_revs + cols)
    arr = np.asarray(pairs)
    if arr.dtype == bool:
        if arr.shape != (n_apps, n_revs):
            raise ValueError(f"{name} has shape {arr.shape}, expected {(n_apps, n_revs)}")
        return np.flatnonzero(arr).astype(np.int64)
    arr = arr.reshape(-1, 2).astype(np.int64)
    if len(arr) and (
        arr[:, 0].min() < 0 or arr[:, 1].min() < 0 or arr[:, 0].max() >= n_apps or arr[:, 1].max() >= n_revs
    ):
        raise ValueError(f"{name} holds an index out of range")
    return np.unique(arr[:, 0] * n_revs + arr[:, 1])


def _in_sorted(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if not len(sorted_keys) or not len(keys):
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[pos] == keys


class _Problem:
    """The normalised inputs, and row scans of the allowed pairs (``-inf`` where forbidden)."""

    def __init__(self, affinity, k, capacity, conflicts, existing, min_affinity):
        if hasattr(affinity, "tocoo") and not isinstance(affinity, CandidatePairs):
            raise TypeError(
                "a scipy sparse affinity is ambiguous: pass CandidatePairs.from_sparse(m) (stored entries "
                "are the only candidates) or m.toarray() (absent entries are zero-affinity pairs)"
            )
        self.candidates = affinity if isinstance(affinity, CandidatePairs) else None
        if self.candidates is None:
            self.dense = np.asarray(affinity)
            if self.dense.ndim != 2:
                raise ValueError("affinity must be a 2-D array")
            if not np.issubdtype(self.dense.dtype, np.floating):
                self.dense = self.dense.astype(np.float64)
            self.n_apps, self.n_revs = self.dense.shape
        else:
            self.dense = None
            self.n_apps, self.n_revs = (int(x) for x in self.candidates.shape)
        n_apps, n_revs = self.n_apps, self.n_revs
        self.k = _per_item(k, n_apps, "k")
        self.capacity = _per_item(capacity, n_revs, "capacity")
        self.min_affinity = min_affinity
        self.conflict_keys = _pair_keys(conflicts, n_apps, n_revs, "conflicts")
        self.existing_keys = _pair_keys(existing, n_apps, n_revs, "existing")
        if _in_sorted(self.existing_keys, self.conflict_keys).any():
            raise ValueError("an existing assignment is conflicted: remove it before routing")
        ex_apps, ex_revs = np.divmod(self.existing_keys, n_revs)
        self.have = np.bincount(ex_apps, minlength=n_apps)
        self.load = np.bincount(ex_revs, minlength=n_revs)
        self.need = np.maximum(self.k - self.have, 0)
        self.spare = np.maximum(self.capacity - self.load, 0)
        # Reviewers not conflicted and not already on the application, per application.
        self.conflict_free = (
            n_revs - np.bincount(self.conflict_keys // max(n_revs, 1), minlength=n_apps) - self.have
        ).astype(np.int64)
        if self.candidates is not None:
            self._prepare_candidates()

    # -- explicit candidate lists ------------------------------------------------------------------
    def _prepare_candidates(self) -> None:
        c = self.candidates
        apps = np.asarray(c.apps, dtype=np.int64)
        revs = np.asarray(c.reviewers, dtype=np.int64)
        aff = np.asarray(c.affinity, dtype=np.float64)
        if not (apps.shape == revs.shape == aff.shape):
            raise ValueError("CandidatePairs arrays must have the same length")
        if len(apps) and (apps.min() < 0 or revs.min() < 0 or apps.max() >= self.n_apps or revs.max() >= self.n_revs):
            raise ValueError("CandidatePairs holds an index out of range")
        keys = apps * self.n_revs + revs
        keys, first = np.unique(keys, return_index=True)
        aff = aff[first]
        self.cand_keys_all, self.cand_aff_all = keys, aff  # for the affinity of existing pairs
        ok = np.isfinite(aff) & ~_in_sorted(keys, self.conflict_keys) & ~_in_sorted(keys, self.existing_keys)
        if self.min_affinity is not None:
            ok &= aff >= self.min_affinity
        self.cand_keys, self.cand_aff = keys[ok], aff[ok]
        self.eligible = np.bincount(self.cand_keys // self.n_revs, minlength=self.n_apps)

    # -- dense matrix scanned by rows ------------------------------------------------------------
    def chunks(self, rows: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(row_indices, block)``: float64 copies with ``-inf`` on every forbidden pair."""
        n_revs = self.n_revs
        step = max(1, CHUNK_ELEMENTS // max(n_revs, 1))
        if rows is None:
            for a in range(0, self.n_apps, step):
                b = min(a + step, self.n_apps)
                block = np.array(self.dense[a:b], dtype=np.float64)
                self._mask(block, a, b, None)
                yield np.arange(a, b), block
        else:
            rows = np.sort(rows)
            for s in range(0, len(rows), step):
                part = rows[s : s + step]
                block = np.array(self.dense[part], dtype=np.float64)
                self._mask(block, part[0], part[-1] + 1, part)
                yield part, block

    def _mask(self, block: np.ndarray, a: int, b: int, part: np.ndarray | None) -> None:
        n_revs = self.n_revs
        block[~np.isfinite(block)] = -np.inf
        if self.min_affinity is not None:
            block[block < self.min_affinity] = -np.inf
        flat = block.reshape(-1)
        for keys in (self.conflict_keys, self.existing_keys):
            lo, hi = np.searchsorted(keys, [a * n_revs, b * n_revs])
            sel = keys[lo:hi]
            if part is None:
                flat[sel - a * n_revs] = -np.inf
            else:
                r, c = np.divmod(sel, n_revs)
                pos = np.searchsorted(part, r)
                hit = part[np.minimum(pos, len(part) - 1)] == r
                flat[pos[hit] * n_revs + c[hit]] = -np.inf

    def pair_affinity(self, apps: np.ndarray, revs: np.ndarray) -> np.ndarray:
        if self.dense is not None:
            out = np.asarray(self.dense[apps, revs], dtype=np.float64)
        else:
            keys = apps.astype(np.int64) * self.n_revs + revs
            pos = np.minimum(np.searchsorted(self.cand_keys_all, keys), max(len(self.cand_keys_all) - 1, 0))
            found = _in_sorted(keys, self.cand_keys_all)
            out = np.where(found, self.cand_aff_all[pos] if len(self.cand_aff_all) else 0.0, 0.0)
        return np.where(np.isfinite(out), out, 0.0)


# --------------------------------------------------------------------------------------------------
# Candidate arcs
# --------------------------------------------------------------------------------------------------


def _full_arcs(p: _Problem) -> tuple[np.ndarray, np.ndarray]:
    """Every allowed pair, as sorted keys, and the per-application count of eligible reviewers."""
    if p.candidates is not None:
        return p.cand_keys, p.eligible
    eligible = np.zeros(p.n_apps, dtype=np.int64)
    parts = []
    for rows, block in p.chunks():
        ok = block > -np.inf
        eligible[rows] = ok.sum(axis=1)
        ok[p.need[rows] == 0] = False
        ok[:, p.spare == 0] = False
        r, c = np.nonzero(ok)
        parts.append((rows[r]).astype(np.int64) * p.n_revs + c)
    return (np.concatenate(parts) if parts else np.empty(0, np.int64)), eligible


def _sparse_arcs(p: _Problem, per_app: int, per_rev: int, n_random: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Best ``per_app`` reviewers of each application, best ``per_rev`` applications of each
    reviewer and ``n_random`` random allowed reviewers per application, as sorted unique keys."""
    n_revs = p.n_revs
    eligible = np.zeros(p.n_apps, dtype=np.int64)
    per_app = min(per_app, n_revs)
    per_rev = min(per_rev, p.n_apps)
    best_vals = np.full((per_rev, n_revs), -np.inf)
    best_rows = np.zeros((per_rev, n_revs), dtype=np.int64)
    parts = []
    for rows, block in p.chunks():
        eligible[rows] = (block > -np.inf).sum(axis=1)
        block[p.need[rows] == 0] = -np.inf
        block[:, p.spare == 0] = -np.inf
        m = len(rows)
        if per_app > 0:
            if per_app < n_revs:
                top = np.argpartition(-block, per_app - 1, axis=1)[:, :per_app]
            else:
                top = np.broadcast_to(np.arange(n_revs), (m, n_revs))
            ok = np.take_along_axis(block, top, axis=1) > -np.inf
            parts.append((np.broadcast_to(rows[:, None], top.shape)[ok]) * n_revs + top[ok])
        if n_random > 0 and n_revs > 0:
            pick = rng.integers(0, n_revs, size=(m, n_random))
            ok = np.take_along_axis(block, pick, axis=1) > -np.inf
            parts.append((np.broadcast_to(rows[:, None], pick.shape)[ok]) * n_revs + pick[ok])
        if per_rev > 0:
            vals = np.concatenate([best_vals, block])
            idx_rows = np.concatenate([best_rows, np.broadcast_to(rows[:, None], block.shape)])
            if len(vals) > per_rev:
                sel = np.argpartition(-vals, per_rev - 1, axis=0)[:per_rev]
                best_vals = np.take_along_axis(vals, sel, axis=0)
                best_rows = np.take_along_axis(idx_rows, sel, axis=0)
            else:
                best_vals, best_rows = vals, idx_rows
    if per_rev > 0:
        ok = best_vals > -np.inf
        parts.append(best_rows[ok] * n_revs + np.broadcast_to(np.arange(n_revs), best_rows.shape)[ok])
    keys = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.int64)
    return keys, eligible


# --------------------------------------------------------------------------------------------------
# The flow
# --------------------------------------------------------------------------------------------------


def _solve_flow(p: _Problem, keys: np.ndarray, aff: np.ndarray) -> np.ndarray:
    """Max flow of min cost over the given arcs; returns the keys of the arcs carrying flow.

    One source arc per open slot, the ``t``-th slot of an application (existing reviewers counted)
    costing ``t * balance_step``: convex, so among maximum flows the solver fills every
    application's first slot before anyone's second. ``balance_step`` exceeds any affinity change a
    cycle of the graph can make, so balance ranks strictly before affinity.
    """
    n_apps, n_revs = p.n_apps, p.n_revs
    if not len(keys) or p.need.sum() == 0:
        return np.empty(0, dtype=np.int64)
    apps, revs = np.divmod(keys, n_revs)
    source, sink = n_apps + n_revs, n_apps + n_revs + 1
    n_nodes = n_apps + n_revs + 2
    scale = np.abs(aff).max()
    scale = COST_RESOLUTION / scale if scale > 0 else 0.0
    costs = -np.rint(aff * scale).astype(np.int64)
    balance_step = COST_RESOLUTION * (n_nodes + 1)
    slot_apps = np.repeat(np.arange(n_apps), p.need)
    first_slot = np.cumsum(p.need) - p.need
    slot_rank = np.arange(len(slot_apps)) - first_slot[slot_apps] + 1 + p.have[slot_apps]
    if int(slot_rank.max()) * balance_step * (n_nodes + 1) > 2**62:  # OR-Tools scales costs by n
        raise ValueError("problem too large for integral costs: lower k or the number of nodes")
    with_spare = np.flatnonzero(p.spare > 0)
    n_slots = len(slot_apps)
    tails = np.concatenate([np.full(n_slots, source), apps, n_apps + with_spare]).astype(np.int32)
    heads = np.concatenate([slot_apps, n_apps + revs, np.full(len(with_spare), sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n_slots + len(keys), np.int64), p.spare[with_spare]])
    unit = np.concatenate([slot_rank * balance_step, costs, np.zeros(len(with_spare), np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, unit.astype(np.int64))
    total = n_slots
    smcf.set_nodes_supplies(np.array([source, sink], np.int32), np.array([total, -total], np.int64))
    status = smcf.solve_max_flow_with_min_cost()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    flows = np.asarray(smcf.flows(np.arange(n_slots, n_slots + len(keys), dtype=np.int32)))
    return keys[flows > 0]


def _augmenting_rows(p: _Problem, new_keys: np.ndarray) -> np.ndarray | None:
    """Applications whose full rows contain an augmenting path for the current flow, or None.

    Breadth-first search in the residual graph of the *full* problem: from the applications with
    open slots, along allowed unused pairs to reviewers, back along used pairs to the applications
    holding them, until a reviewer with load to spare is reached.
    """
    n_revs = p.n_revs
    new_apps, new_revs = np.divmod(new_keys, n_revs)
    got = np.bincount(new_apps, minlength=p.n_apps)
    left = p.spare - np.bincount(new_revs, minlength=n_revs)
    frontier = np.flatnonzero(got < p.need)
    if not len(frontier):
        return None
    reached_apps = np.zeros(p.n_apps, dtype=bool)
    reached_apps[frontier] = True
    reached_revs = np.zeros(n_revs, dtype=bool)
    used = np.sort(new_keys)
    while len(frontier):
        hit = np.zeros(n_revs, dtype=bool)
        for rows, block in p.chunks(frontier):
            ok = block > -np.inf
            lo, hi = np.searchsorted(used, [rows[0] * n_revs, (rows[-1] + 1) * n_revs])
            r, c = np.divmod(used[lo:hi], n_revs)
            pos = np.searchsorted(rows, r)
            inside = rows[np.minimum(pos, len(rows) - 1)] == r
            ok[pos[inside], c[inside]] = False  # a used pair is no forward residual arc
            hit |= ok.any(axis=0)
        hit &= ~reached_revs
        reached_revs |= hit
        if (left[hit] > 0).any():
            return np.flatnonzero(reached_apps)
        holders = np.unique(new_apps[hit[new_revs]])
        frontier = holders[~reached_apps[holders]]
        reached_apps[frontier] = True
    return None


def _full_rows(p: _Problem, rows: np.ndarray) -> np.ndarray:
    parts = []
    for r, block in p.chunks(rows):
        ok = block > -np.inf
        ok[:, p.spare == 0] = False
        i, c = np.nonzero(ok)
        parts.append(r[i].astype(np.int64) * p.n_revs + c)
    return np.concatenate(parts) if parts else np.empty(0, np.int64)


# --------------------------------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------------------------------


def route(
    affinity,
    k,
    capacity,
    *,
    conflicts=None,
    existing=None,
    min_affinity: float | None = None,
    method: Literal["auto", "full", "sparse"] = "auto",
    max_full_pairs: int = 2_000_000,
    candidates_per_app: int | None = None,
    candidates_per_reviewer: int | None = None,
    random_candidates_per_app: int | None = None,
    seed: int = 0,
) -> RoutingResult:
    """Assign reviewers to applications: most filled slots first, then most total affinity.

    - ``affinity``: ``n_apps x n_reviewers`` float array (NaN forbids a pair), or
      :class:`CandidatePairs` (only the listed pairs are allowed).
    - ``k``: reviewers per application, an int or an array of ``n_apps`` ints.
    - ``capacity``: maximum load per reviewer, an int or an array of ``n_reviewers`` ints (the load
      of ``existing`` pairs counts).
    - ``conflicts``: boolean ``n_apps x n_reviewers`` array, scipy sparse matrix (non-zero entries),
      or ``(m, 2)`` index pairs ``[app, reviewer]``. A conflicted pair is never assigned.
    - ``existing``: ``(m, 2)`` pairs already assigned, kept as they are (an error if conflicted).
    - ``method``: ``"full"`` uses every allowed pair, ``"sparse"`` the candidate graph described in
      the module docstring, ``"auto"`` the full graph up to ``max_full_pairs`` pairs.
    - ``candidates_per_app`` (default ``max(10 * max(k), 30)``), ``candidates_per_reviewer``
      (default twice the 90th percentile of open load, between 10 and 100) and
      ``random_candidates_per_app`` (default 5) size the sparse graph; ``seed`` fixes the random part.
    """
    started = time.perf_counter()
    p = _Problem(affinity, k, capacity, conflicts, existing, min_affinity)
    if method not in ("auto", "full", "sparse"):
        raise ValueError(f"unknown method {method!r}")
    sparse = p.candidates is None and (
        method == "sparse" or (method == "auto" and p.n_apps * p.n_revs > max_full_pairs)
    )
    rounds = 0
    if sparse:
        per_app = candidates_per_app if candidates_per_app is not None else max(10 * int(p.k.max(initial=0)), 30)
        if candidates_per_reviewer is None:
            open_load = p.spare[p.spare > 0]
            q90 = float(np.quantile(open_load, 0.9)) if len(open_load) else 0.0
            candidates_per_reviewer = int(min(100, max(10, 2 * q90)))
        n_random = 5 if random_candidates_per_app is None else random_candidates_per_app
        rng = np.random.default_rng(seed)
        keys, eligible = _sparse_arcs(p, per_app, candidates_per_reviewer, n_random, rng)
    else:
        keys, eligible = _full_arcs(p)
    built = time.perf_counter()
    aff = p.pair_affinity(*np.divmod(keys, p.n_revs)) if p.candidates is None else p.cand_aff
    chosen = _solve_flow(p, keys, aff)
    if sparse:
        while rounds < MAX_REPAIR_ROUNDS:
            rows = _augmenting_rows(p, chosen)
            if rows is None:
                break
            rounds += 1
            keys = np.union1d(keys, _full_rows(p, rows))
            chosen = _solve_flow(p, keys, p.pair_affinity(*np.divmod(keys, p.n_revs)))
    solved = time.perf_counter()
    result = _result(p, chosen, eligible)
    result.stats.update(
        method="sparse" if sparse else "full",
        arcs=int(len(keys)),
        repair_rounds=rounds,
        coverage_certified=(not sparse) or rounds < MAX_REPAIR_ROUNDS,
        build_seconds=round(built - started, 4),
        solve_seconds=round(solved - built, 4),
    )
    return result


def _result(p: _Problem, chosen: np.ndarray, eligible: np.ndarray) -> RoutingResult:
    n_revs = p.n_revs
    all_keys = np.concatenate([p.existing_keys, chosen])
    is_new = np.concatenate([np.zeros(len(p.existing_keys), bool), np.ones(len(chosen), bool)])
    order = np.argsort(all_keys, kind="stable")
    all_keys, is_new = all_keys[order], is_new[order]
    apps, revs = np.divmod(all_keys, n_revs)
    pairs = np.stack([apps, revs], axis=1) if len(all_keys) else np.empty((0, 2), np.int64)
    total = float(p.pair_affinity(apps, revs).sum()) if len(all_keys) else 0.0
    got = np.bincount(chosen // n_revs, minlength=p.n_apps) if n_revs else np.zeros(p.n_apps, np.int64)
    missing = p.need - got
    shortfalls = []
    for i in np.flatnonzero(missing > 0):
        # Counts include the reviewers already on the application (existing pairs).
        miss, have = int(missing[i]), int(p.have[i])
        if p.n_revs < p.k[i]:
            # The pool itself is too small: conflicts are not what leaves the application short.
            code, available = NOT_ENOUGH_REVIEWERS, int(p.n_revs)
        elif p.conflict_free[i] < p.need[i]:
            code, available = NOT_ENOUGH_CONFLICT_FREE, int(p.conflict_free[i]) + have
        elif eligible[i] < p.need[i]:
            code, available = NOT_ENOUGH_ELIGIBLE, int(eligible[i]) + have
        else:
            code, available = CAPACITY_EXHAUSTED, int(eligible[i]) + have
        params = {"available": available, "missing": miss, "required": int(p.k[i])}
        shortfalls.append(Shortfall(int(i), miss, code, REASON_TEMPLATES[code] % params, params))
    return RoutingResult(pairs, total, shortfalls, is_new, {"filled": int(len(pairs)), "short": len(shortfalls)})


def greedy_assign(affinity, k, capacity, *, conflicts=None, existing=None, min_affinity=None) -> RoutingResult:
    """BASELINE ONLY (benchmarks and tests): highest-affinity pair first, taken while both sides
    have room. Not used by the portal: it is not optimal, neither in coverage nor in affinity.

    The sort is vectorised; the sequential pass filters each block of pairs against the current
    loads with numpy before looping in Python over the survivors.
    """
    started = time.perf_counter()
    p = _Problem(affinity, k, capacity, conflicts, existing, min_affinity)
    keys, eligible = _full_arcs(p)
    aff = p.pair_affinity(*np.divmod(keys, p.n_revs)) if p.candidates is None else p.cand_aff
    order = np.argsort(-aff, kind="stable")
    keys = keys[order]
    need = p.need.copy()
    spare = p.spare.copy()
    chosen = []
    block = 65_536
    for s in range(0, len(keys), block):
        if not need.any() or not spare.any():
            break
        part = keys[s : s + block]
        a, r = np.divmod(part, p.n_revs)
        live = (need[a] > 0) & (spare[r] > 0)
        for key, ai, ri in zip(part[live].tolist(), a[live].tolist(), r[live].tolist(), strict=True):
            if need[ai] > 0 and spare[ri] > 0:
                need[ai] -= 1
                spare[ri] -= 1
                chosen.append(key)
    result = _result(p, np.array(chosen, dtype=np.int64), eligible)
    result.stats.update(method="greedy", seconds=round(time.perf_counter() - started, 4))
    return result
