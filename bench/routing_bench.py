"""Benchmark of reviews.routing (issue 9, key ``routing``): prints one JSON dict on stdout.

Synthetic but shaped like the portal's data: a controlled vocabulary with Zipf-like popularity,
3-8 keywords per application and 5-15 per reviewer, one theme per application and 1-2 per reviewer
(theme columns weigh 2), cosine affinity; 2 % random conflicts; k = 3; load caps drawn around the
mean so that total capacity is 1.2 x demand.

Run: ``.venv/bin/python bench/routing_bench.py [--apps 10000 --reviewers 2000] [--compare-full-large]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.greedy import greedy_assign  # noqa: E402
from reviews.routing import affinity_from_keywords, route  # noqa: E402


def term_matrix(rng, n_rows, n_terms, popularity, low, high, n_themes, themes_low, themes_high):
    picks = rng.choice(n_terms, size=(n_rows, high), p=popularity)
    keep = np.arange(high)[None, :] < rng.integers(low, high + 1, size=n_rows)[:, None]
    rows = np.broadcast_to(np.arange(n_rows)[:, None], picks.shape)[keep]
    kw = sp.csr_matrix((np.ones(keep.sum()), (rows, picks[keep])), shape=(n_rows, n_terms))
    kw.data[:] = 1.0
    th = rng.integers(0, n_themes, size=(n_rows, themes_high))
    keep = np.arange(themes_high)[None, :] < rng.integers(themes_low, themes_high + 1, size=n_rows)[:, None]
    rows = np.broadcast_to(np.arange(n_rows)[:, None], th.shape)[keep]
    themes = sp.csr_matrix((np.ones(keep.sum()), (rows, th[keep])), shape=(n_rows, n_themes))
    themes.data[:] = 2.0
    return sp.hstack([kw, themes]).tocsr()


def instance(n_apps, n_revs, k=3, slack=1.2, conflict_rate=0.02, seed=0, n_terms=300, n_themes=12):
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_terms + 1) ** 0.8
    popularity /= popularity.sum()
    apps = term_matrix(rng, n_apps, n_terms, popularity, 3, 8, n_themes, 1, 1)
    revs = term_matrix(rng, n_revs, n_terms, popularity, 5, 15, n_themes, 1, 2)
    mean = slack * k * n_apps / n_revs
    capacity = np.maximum(1, np.rint(rng.uniform(0.5, 1.5, n_revs) * mean)).astype(np.int64)
    conflicts = rng.random((n_apps, n_revs)) < conflict_rate
    return apps, revs, capacity, conflicts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=10_000)
    parser.add_argument("--reviewers", type=int, default=2_000)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--compare-full-large", action="store_true", help="also solve the large case unsparsified")
    args = parser.parse_args()
    k = args.k
    out = {"machine": f"{platform.machine()} {os.cpu_count()} cores", "apps": args.apps, "reviewers": args.reviewers}

    apps, revs, capacity, conflicts = instance(args.apps, args.reviewers, k=k)
    t0 = time.perf_counter()
    affinity = affinity_from_keywords(apps, revs)
    t1 = time.perf_counter()
    res = route(affinity, k, capacity, conflicts=conflicts)
    t2 = time.perf_counter()
    greedy = greedy_assign(affinity, k, capacity, conflicts=conflicts)
    if args.compare_full_large:
        t3 = time.perf_counter()
        full_large = route(affinity, k, capacity, conflicts=conflicts, method="full")
        out["large_full_seconds"] = round(time.perf_counter() - t3, 3)
        out["large_ratio_to_optimum"] = round(res.total_affinity / full_large.total_affinity, 6)
    out.update(
        affinity_seconds=round(t1 - t0, 3),
        route_seconds=round(t2 - t1, 3),
        total_seconds=round(t2 - t0, 3),
        route_stats=res.stats,
        total_affinity=round(res.total_affinity, 3),
        filled=res.filled,
        demand=int(k * args.apps),
        short=len(res.shortfalls),
        greedy_affinity=round(greedy.total_affinity, 3),
        greedy_filled=greedy.filled,
        greedy_seconds=greedy.stats["seconds"],
        ratio_to_greedy=round(res.total_affinity / greedy.total_affinity, 5),
    )

    apps, revs, capacity, conflicts = instance(2_000, 400, k=k, seed=1)
    affinity = affinity_from_keywords(apps, revs)
    t0 = time.perf_counter()
    full = route(affinity, k, capacity, conflicts=conflicts, method="full")
    t1 = time.perf_counter()
    sparse = route(affinity, k, capacity, conflicts=conflicts, method="sparse")
    t2 = time.perf_counter()
    small_greedy = greedy_assign(affinity, k, capacity, conflicts=conflicts)
    out["small"] = {
        "apps": 2_000,
        "reviewers": 400,
        "full_seconds": round(t1 - t0, 3),
        "sparse_seconds": round(t2 - t1, 3),
        "full_affinity": round(full.total_affinity, 3),
        "sparse_affinity": round(sparse.total_affinity, 3),
        "greedy_affinity": round(small_greedy.total_affinity, 3),
        "filled": [full.filled, sparse.filled, small_greedy.filled],
    }
    out["ratio_to_optimum"] = round(sparse.total_affinity / full.total_affinity, 6)
    out["targets_met"] = {
        "total_seconds<=30": out["total_seconds"] <= 30,
        "ratio_to_greedy>=1": out["ratio_to_greedy"] >= 1,
        "ratio_to_optimum>=0.995": out["ratio_to_optimum"] >= 0.995,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
