"""Routing from candidate pairs, without any dense matrix: the conference scale (issue 21).

``route`` takes a dense ``n_apps x n_reviewers`` affinity: 10,000 x 2,000 is 80 MB, but a
conference's 20,000 submissions x 8,000 reviewers would be 640 MB in float32 and several times
that while it is scanned. ``route_sparse`` takes only the candidate pairs -- ``(application,
reviewer, affinity)`` arrays, a scipy sparse matrix whose stored entries are the candidates, or
:class:`CandidatePairs` -- built for instance by :mod:`.candidates` (best reviewers of each
application and best applications of each reviewer, from the keyword matrices by blocks of rows).
The flow graph is the one ``route`` solves (same levels: coverage, then balance, then the fewest
reluctant pairs, then affinity), restricted to the candidates.

Coverage: a pair that is not a candidate is not allowed, so an application whose candidates are
all taken is left short (reason ``routing.not_enough_eligible_reviewers`` when it has fewer
candidates than it needs). Give ``full_rows`` -- a callable returning the full affinity rows of some
applications (``rows -> len(rows) x n_reviewers``) -- and the repair of ``route``'s sparse method
applies: a breadth-first search on the full residual graph, computing only the rows it visits,
looks for an augmenting path; the rows it reached join the graph and the flow is solved again, so
the coverage is the maximum over every allowed pair, and the reasons are exact.
"""

from __future__ import annotations

import time

import numpy as np

from .flow import _augmenting_rows, _result, _solve_flow
from .problem import MAX_REPAIR_ROUNDS, CandidatePairs, RoutingResult, _Problem


def as_candidates(candidates, shape=None) -> CandidatePairs:
    """:class:`CandidatePairs` from the accepted forms (arrays need ``shape``)."""
    if isinstance(candidates, CandidatePairs):
        return candidates
    if hasattr(candidates, "tocoo"):
        return CandidatePairs.from_sparse(candidates)
    apps, reviewers, affinity = candidates
    if shape is None:
        raise ValueError("give the shape (n_apps, n_reviewers) with candidate arrays")
    return CandidatePairs(np.asarray(apps), np.asarray(reviewers), np.asarray(affinity), tuple(shape))


def _merge(keys, aff, more_keys, more_aff):
    """Sorted unique keys of both sets, the first set's affinity where a key is in both."""
    all_keys = np.concatenate([keys, more_keys])
    all_aff = np.concatenate([aff, more_aff])
    keys, first = np.unique(all_keys, return_index=True)
    return keys, all_aff[first]


def _open(p: _Problem, keys, aff):
    """The arcs that can carry flow: applications with an open slot, reviewers with spare load."""
    apps, revs = np.divmod(keys, p.n_revs)
    ok = (p.need[apps] > 0) & (p.spare[revs] > 0)
    return keys[ok], aff[ok]


def _row_arcs(p: _Problem, rows):
    """Every allowed pair of the full rows of `rows`, with its affinity."""
    keys, aff = [], []
    for part, block in p.chunks(rows):
        i, j = np.nonzero(block > -np.inf)
        keys.append(part[i].astype(np.int64) * p.n_revs + j)
        aff.append(block[i, j])
    if not keys:
        return np.empty(0, np.int64), np.empty(0)
    return np.concatenate(keys), np.concatenate(aff)


def route_sparse(
    candidates,
    k,
    capacity,
    *,
    shape=None,
    conflicts=None,
    existing=None,
    min_affinity: float | None = None,
    reluctant=None,
    full_rows=None,
) -> RoutingResult:
    """Assign reviewers among candidate pairs: most filled slots, then balance, then affinity.

    - ``candidates``: ``(apps, reviewers, affinity)`` arrays with ``shape=(n_apps, n_reviewers)``, a
      scipy sparse matrix (every stored entry is a candidate, explicit zeros included), or
      :class:`CandidatePairs`. A pair listed twice keeps its first affinity.
    - ``k``, ``capacity``, ``conflicts``, ``existing``, ``min_affinity``, ``reluctant``: as for
      :func:`route` (conflicts and reluctant pairs as ``(m, 2)`` index pairs or a scipy sparse
      matrix; a dense boolean mask would defeat the purpose).
    - ``full_rows``: optional callable ``rows -> len(rows) x n_reviewers`` affinities (the full
      problem's rows); with it the coverage is the maximum over every allowed pair (certified).
    """
    started = time.perf_counter()
    p = _Problem(as_candidates(candidates, shape), k, capacity, conflicts, existing, min_affinity, reluctant)
    keys, aff = _open(p, p.cand_keys, p.cand_aff)
    eligible = p.eligible.copy()
    built = time.perf_counter()
    chosen = _solve_flow(p, keys, aff)
    rounds = 0
    if full_rows is not None:
        p.row_source = full_rows
        while rounds < MAX_REPAIR_ROUNDS:
            rows = _augmenting_rows(p, chosen)
            if rows is None:
                break
            rounds += 1
            more_keys, more_aff = _row_arcs(p, rows)
            # The repaired rows' pairs become candidates (their affinity counts in the totals).
            p.cand_keys_all, p.cand_aff_all = _merge(p.cand_keys_all, p.cand_aff_all, more_keys, more_aff)
            keys, aff = _merge(keys, aff, *_open(p, more_keys, more_aff))
            chosen = _solve_flow(p, keys, aff)
        got = np.bincount(chosen // p.n_revs, minlength=p.n_apps) if len(chosen) else np.zeros(p.n_apps, np.int64)
        short = np.flatnonzero(got < p.need)
        if len(short):
            # Short after the repair: count eligible reviewers on the full rows, for an exact reason.
            for part, block in p.chunks(short):
                eligible[part] = (block > -np.inf).sum(axis=1)
    solved = time.perf_counter()
    result = _result(p, chosen, eligible)
    result.stats.update(
        method="candidates",
        candidates=int(len(p.cand_keys)),
        arcs=int(len(keys)),
        repair_rounds=rounds,
        coverage_certified=full_rows is not None and rounds < MAX_REPAIR_ROUNDS,
        build_seconds=round(built - started, 4),
        solve_seconds=round(solved - built, 4),
    )
    return result
