"""Routing at the scale of a year (key ``routing``), built from the database by the reviews ORM adapter.

Every submitted application of the year (10,000) against the whole reviewer pool (2,000), 3
reviewers each, the load caps of the profiles, the conflicts the adapter computes (same unit,
partner institution or e-mail, declared: about 2 %). The existing assignments are left out: this is
the routing staff would run before any assignment exists.

- ``build_seconds``: loading the rows and building the arrays (reviews.routing_adapter);
- ``solve_seconds``: reviews.routing.route (sparsified min-cost flow at this size);
- ``ratio_to_greedy``: its total affinity over bench.greedy.greedy_assign's;
- ``ratio_to_optimum``: on the first 2,000 applications x 400 reviewers of the same data (load caps
  as stored: 1.2 x the demand), the sparse graph's affinity over the full graph's optimum.
"""

from __future__ import annotations

import time

import numpy as np


def _sub_conflicts(conflicts, n_apps, n_revs):
    keep = (conflicts[:, 0] < n_apps) & (conflicts[:, 1] < n_revs)
    return conflicts[keep]


def measure(k=3):
    from applications.models import Application
    from bench.greedy import greedy_assign
    from calls.models import Call
    from reviews import routing, routing_adapter

    call = Call.objects.filter(status=Call.Status.IN_REVIEW).order_by("closes_at", "pk").first()
    started = time.perf_counter()
    reviewers = routing_adapter.reviewer_pool(call)
    applications = list(Application.objects.filter(status__in=routing_adapter.ROUTED_STATUSES).order_by("pk"))
    affinity = routing_adapter.affinity_matrix(applications, reviewers)
    conflicts = routing_adapter.conflict_pairs(applications, reviewers)
    capacity = np.array([r.reviewer_profile.max_load_per_call for r in reviewers], dtype=np.int64)
    built = time.perf_counter()
    result = routing.route(affinity, k, capacity, conflicts=conflicts)
    solved = time.perf_counter()
    greedy = greedy_assign(affinity, k, capacity, conflicts=conflicts)

    n_apps, n_revs = min(2_000, len(applications)), min(400, len(reviewers))
    small_affinity = np.ascontiguousarray(affinity[:n_apps, :n_revs])
    small_conflicts = _sub_conflicts(conflicts, n_apps, n_revs)
    small_capacity = capacity[:n_revs]
    t0 = time.perf_counter()
    full = routing.route(small_affinity, k, small_capacity, conflicts=small_conflicts, method="full")
    t1 = time.perf_counter()
    sparse = routing.route(small_affinity, k, small_capacity, conflicts=small_conflicts, method="sparse")
    t2 = time.perf_counter()

    # The adapter's own entry point on one call of the year (its existing assignments included).
    t3 = time.perf_counter()
    one_call = routing_adapter.build_input(call, k)
    t4 = time.perf_counter()

    return {
        "applications": len(applications),
        "reviewers": len(reviewers),
        "reviewers_per_application": k,
        "capacity_total": int(capacity.sum()),
        "conflict_pairs": int(len(conflicts)),
        "conflict_rate": round(len(conflicts) / max(1, len(applications) * len(reviewers)), 4),
        "build_seconds": round(built - started, 2),
        "solve_seconds": round(solved - built, 2),
        "total_seconds": round(solved - started, 2),
        "filled": int(result.filled),
        "demand": int(k * len(applications)),
        "short": len(result.shortfalls),
        "total_affinity": round(float(result.total_affinity), 3),
        "greedy_affinity": round(float(greedy.total_affinity), 3),
        "greedy_filled": int(greedy.filled),
        "ratio_to_greedy": round(float(result.total_affinity / greedy.total_affinity), 5),
        "method": result.stats.get("method"),
        "small": {
            "applications": n_apps,
            "reviewers": n_revs,
            "full_seconds": round(t1 - t0, 3),
            "sparse_seconds": round(t2 - t1, 3),
            "full_affinity": round(float(full.total_affinity), 3),
            "sparse_affinity": round(float(sparse.total_affinity), 3),
            "filled": [int(full.filled), int(sparse.filled)],
        },
        "ratio_to_optimum": round(float(sparse.total_affinity / full.total_affinity), 6),
        "one_call_build_input_seconds": round(t4 - t3, 2),
        "one_call_applications": len(one_call.applications),
    }
