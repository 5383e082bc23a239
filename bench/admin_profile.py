"""Time, count and profile the admin changelists of bench/admin_pages.py on the bench data, alone
(bench/run.py times them with the other pages).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/inserm_bench_admin \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/admin_profile.py [--requests 100]
    ... bench/admin_profile.py --queries projects      # the SQL of one list, with its milliseconds
    ... bench/admin_profile.py --profile projects      # cProfile of 20 GETs of one list

A list is named by any part of its name. Timings are taken as bench/pages.py takes them: one GET
of each list and of the trivial page in turn, p50/p95 over `--requests` rounds, the ratio to the
trivial page's p95 of the same rounds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402


def _measured(admin_pages, only):
    return [page for page in admin_pages() if not only or only in page[0]]


def timings(clients, measured, requests, get):
    import numpy as np

    from bench import pages

    trivial = (pages.TRIVIAL, "/fr/accounts/login/", None)
    everything = [trivial, *measured]
    for _name, url, role in everything:
        for _ in range(5):
            get(clients[role], url)
    samples = {name: [] for name, _url, _role in everything}
    for _ in range(requests):
        for name, url, role in everything:
            started = time.perf_counter()
            get(clients[role], url)
            samples[name].append((time.perf_counter() - started) * 1000)
    trivial_p95 = float(np.percentile(samples[pages.TRIVIAL], 95))
    print(f"{'page':52} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}")
    for name, values in samples.items():
        p50, p95 = float(np.percentile(values, 50)), float(np.percentile(values, 95))
        print(f"{name:52} {p50:8.2f} {p95:8.2f} {p95 / trivial_p95:6.2f}")


def show_queries(clients, measured, get):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for name, url, role in measured:
        get(clients[role], url)
        with CaptureQueriesContext(connection) as queries:
            get(clients[role], url)
        print(f"== {name}: {len(queries.captured_queries)} queries")
        for query in queries.captured_queries:
            print(f"  {float(query['time']) * 1000:7.2f} ms  {query['sql'][:400]}")


def profile(clients, measured, get, rounds=20):
    for name, url, role in measured:
        get(clients[role], url)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(rounds):
            get(clients[role], url)
        profiler.disable()
        print(f"== {name}: {rounds} GETs")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(80)
        stats.sort_stats("tottime").print_stats(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("only", nargs="?", default="", help="part of a list's name")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    run.setup_environment()
    import django

    django.setup()
    from bench import pages
    from bench.admin_pages import admin_pages

    clients = pages._clients()
    measured = _measured(admin_pages, args.only)
    if args.queries:
        show_queries(clients, measured, pages._get)
    elif args.profile:
        profile(clients, measured, pages._get)
    else:
        timings(clients, measured, args.requests, pages._get)


if __name__ == "__main__":
    main()
