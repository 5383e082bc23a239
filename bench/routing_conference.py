"""The pure router at conference scale (issue 21, key ``routing.conference``): 20,000 submissions x
8,000 reviewers, k = 3, from candidate pairs, never a dense 20,000 x 8,000 matrix.

The instance is bench/routing_bench.py's (Zipf-like keywords, one theme per application and one or
two per reviewer, cosine affinity, total capacity 1.2 x demand) with its 2 % conflicts drawn as
index pairs. Timed: the candidates (reviews.routing.candidates: each application's best 30 and 5
random reviewers, each reviewer's best applications, by blocks of rows) and
reviews.routing.sparse.route_sparse (with the full rows of the few applications the repair asks
for, so that the coverage is certified). The measure runs in a subprocess whose peak resident
memory (VmHWM) is the figure ``peak_rss_mb``: the interpreter, numpy, scipy and OR-Tools included.

The quality check: on 2,000 x 400, the same entry point against ``route(..., method="full")`` on
the dense matrix (``ratio_to_full``, target >= 99.5 %).

Run: ``.venv/bin/python bench/routing_conference.py [--apps 20000 --reviewers 8000]`` (prints JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_SECONDS = 15
TARGET_PEAK_MB = 4096


def sparse_conflicts(rng, n_apps, n_revs, rate=0.02):
    from reviews.routing.problem import unique_keys

    """About `rate` of the pairs, as ``(m, 2)`` index pairs (no n_apps x n_reviewers mask)."""
    counts = rng.binomial(n_revs, rate, size=n_apps)
    apps = np.repeat(np.arange(n_apps), counts)
    revs = rng.integers(0, n_revs, size=len(apps))
    return unique_keys(apps * n_revs + revs)


def peak_rss_mb():
    """This process's peak resident memory: VmHWM (reset by exec, unlike ``ru_maxrss``, which keeps
    the high-water mark of the bench process this one was forked from)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def terms(n_apps, n_revs, k, seed):
    from bench.routing_bench import term_matrix

    rng = np.random.default_rng(seed)
    n_terms, n_themes = 300, 12
    popularity = 1.0 / np.arange(1, n_terms + 1) ** 0.8
    popularity /= popularity.sum()
    apps = term_matrix(rng, n_apps, n_terms, popularity, 3, 8, n_themes, 1, 1)
    revs = term_matrix(rng, n_revs, n_terms, popularity, 5, 15, n_themes, 1, 2)
    mean = 1.2 * k * n_apps / n_revs
    capacity = np.maximum(1, np.rint(rng.uniform(0.5, 1.5, n_revs) * mean)).astype(np.int64)
    keys = sparse_conflicts(rng, n_apps, n_revs)
    conflicts = np.stack(np.divmod(keys, n_revs), axis=1)
    return apps, revs, capacity, conflicts


def solve(apps, revs, k, capacity, conflicts):
    from reviews.routing.candidates import KeywordAffinity
    from reviews.routing.sparse import route_sparse

    t0 = time.perf_counter()
    affinity = KeywordAffinity(apps, revs)
    per_reviewer = int(min(100, max(10, 2 * np.quantile(capacity, 0.9))))
    candidates = affinity.candidates(per_app=30, per_reviewer=per_reviewer, random_per_app=5, conflicts=conflicts)
    t1 = time.perf_counter()
    result = route_sparse(candidates, k, capacity, conflicts=conflicts, full_rows=affinity.rows)
    t2 = time.perf_counter()
    return result, len(candidates.apps), t1 - t0, t2 - t1


def child(n_apps, n_revs, k):
    """The measure itself (in the subprocess)."""
    from reviews.routing import affinity_from_keywords, route

    t0 = time.perf_counter()
    apps, revs, capacity, conflicts = terms(n_apps, n_revs, k, seed=0)
    instance_seconds = time.perf_counter() - t0
    result, n_candidates, candidates_seconds, route_seconds = solve(apps, revs, k, capacity, conflicts)
    big = {
        "applications": n_apps,
        "reviewers": n_revs,
        "reviewers_per_application": k,
        "conflict_pairs": int(len(conflicts)),
        "instance_seconds": round(instance_seconds, 2),
        "candidates_seconds": round(candidates_seconds, 2),
        "route_seconds": round(route_seconds, 2),
        "total_seconds": round(candidates_seconds + route_seconds, 2),
        "candidates": n_candidates,
        "candidates_per_application": round(n_candidates / n_apps, 1),
        "arcs": int(result.stats["arcs"]),
        "repair_rounds": int(result.stats["repair_rounds"]),
        "coverage_certified": bool(result.stats["coverage_certified"]),
        "filled": int(result.filled),
        "demand": int(k * n_apps),
        "total_affinity": round(float(result.total_affinity), 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    # Quality: the same entry point against the full graph on the dense small matrix.
    apps, revs, capacity, conflicts = terms(2_000, 400, k, seed=1)
    dense = affinity_from_keywords(apps, revs)
    t0 = time.perf_counter()
    full = route(dense, k, capacity, conflicts=conflicts, method="full")
    t1 = time.perf_counter()
    small, _n, cand_s, route_s = solve(apps, revs, k, capacity, conflicts)
    pairs = small.pairs
    small_affinity = float(dense[pairs[:, 0], pairs[:, 1]].astype(np.float64).sum())
    big["small"] = {
        "applications": 2_000,
        "reviewers": 400,
        "full_seconds": round(t1 - t0, 3),
        "candidates_seconds": round(cand_s + route_s, 3),
        "full_affinity": round(float(full.total_affinity), 3),
        "candidates_affinity": round(small_affinity, 3),
        "filled": [int(full.filled), int(small.filled)],
    }
    big["ratio_to_full"] = round(small_affinity / float(full.total_affinity), 6)
    big["targets_met"] = {
        f"total_seconds<={TARGET_SECONDS}": big["total_seconds"] <= TARGET_SECONDS,
        f"peak_rss_mb<={TARGET_PEAK_MB}": big["peak_rss_mb"] <= TARGET_PEAK_MB,
        "filled==demand": big["filled"] == big["demand"],
        "ratio_to_full>=0.995": big["ratio_to_full"] >= 0.995,
    }
    return big


def measure(n_apps=20_000, n_revs=8_000, k=3):
    """Run the measure in a fresh interpreter (its own peak memory) and return its figures."""
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--apps", str(n_apps), "--reviewers", str(n_revs), "--k", str(k)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=20_000)
    parser.add_argument("--reviewers", type=int, default=8_000)
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, ROOT)
    print(json.dumps(child(args.apps, args.reviewers, args.k), indent=2))


if __name__ == "__main__":
    main()
