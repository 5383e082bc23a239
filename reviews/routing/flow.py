"""The min-cost flow, its repair on the full graph, and the public entry point ``route``."""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from ortools.graph.python import min_cost_flow

from .arcs import _full_arcs, _sparse_arcs
from .problem import (
    CAPACITY_EXHAUSTED,
    COST_RESOLUTION,
    MAX_REPAIR_ROUNDS,
    NOT_ENOUGH_CONFLICT_FREE,
    NOT_ENOUGH_ELIGIBLE,
    NOT_ENOUGH_REVIEWERS,
    REASON_TEMPLATES,
    RoutingResult,
    Shortfall,
    _in_sorted,
    _Problem,
    unique_keys,
)


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
    slot_apps = np.repeat(np.arange(n_apps), p.need)
    first_slot = np.cumsum(p.need) - p.need
    slot_rank = np.arange(len(slot_apps)) - first_slot[slot_apps] + 1 + p.have[slot_apps]
    max_rank = int(slot_rank.max())
    reluctant = _in_sorted(keys, p.reluctant_keys)
    resolution = COST_RESOLUTION
    if reluctant.any():
        # One more level between balance and affinity: each reluctant pair costs more than any
        # affinity change, so the fewest of them are used; the affinity's resolution shrinks to
        # keep every cost integral within OR-Tools' range (it multiplies costs by the node count).
        resolution = min(COST_RESOLUTION, 2**62 // (max_rank * (n_nodes + 1) ** 3))
        if resolution < 100:
            raise ValueError("problem too large for integral costs with reluctant pairs: route fewer at once")
    scale = np.abs(aff).max()
    scale = resolution / scale if scale > 0 else 0.0
    costs = -np.rint(aff * scale).astype(np.int64)
    reluctant_step = resolution * (n_nodes + 1)
    if reluctant.any():
        costs += reluctant.astype(np.int64) * reluctant_step
        balance_step = reluctant_step * (n_nodes + 1)
    else:
        balance_step = reluctant_step
    if max_rank * balance_step * (n_nodes + 1) > 2**62:  # OR-Tools scales costs by n
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
    reluctant=None,
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
    - ``reluctant``: pairs in the same forms as ``conflicts`` that are allowed but assigned only when
      nothing else fills the slot: among the assignments with the most filled slots and the best
      balance, the one with the fewest reluctant pairs wins, then the highest affinity (a reviewer's
      "not willing" bid).
    - ``method``: ``"full"`` uses every allowed pair, ``"sparse"`` the candidate graph described in
      the module docstring, ``"auto"`` the full graph up to ``max_full_pairs`` pairs.
    - ``candidates_per_app`` (default ``max(10 * max(k), 30)``), ``candidates_per_reviewer``
      (default twice the 90th percentile of open load, between 10 and 100) and
      ``random_candidates_per_app`` (default 5) size the sparse graph; ``seed`` fixes the random part.
    """
    started = time.perf_counter()
    p = _Problem(affinity, k, capacity, conflicts, existing, min_affinity, reluctant)
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
            keys = unique_keys(np.concatenate([keys, _full_rows(p, rows)]))
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
