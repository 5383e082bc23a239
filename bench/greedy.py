"""The greedy baseline the router is measured against (bench/routing_bench.py, bench/routing_db.py)
and tested against (tests/reviews/test_routing.py). Not part of the portal: reviews.routing.route
is what routes applications."""

from __future__ import annotations

import time

import numpy as np

from reviews.routing.arcs import _full_arcs
from reviews.routing.flow import _result
from reviews.routing.problem import RoutingResult, _Problem


def greedy_assign(affinity, k, capacity, *, conflicts=None, existing=None, min_affinity=None) -> RoutingResult:
    """Highest-affinity pair first, taken while both sides have room: not optimal, neither in
    coverage nor in affinity.

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
