"""`make bench`: measure the portal at the scale of a whole year of calls (issue 9).

Runs on PostgreSQL (``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/inserm_bench``,
created if missing) and Redis (``CELERY_BROKER_URL``, default db 11), in production mode (DEBUG=0).
Prints a table, each figure beside its target and "met" / "NOT MET", and writes bench/results.json
(keys dataset, queries, page_ratio_p95, routing, reminders, rush, notifications, committee, meta).

Phases: migrate and collect static files; query counts with 1 application
(bench/dataset.py with ``applications=1``); the full dataset (timed); query counts and page times with
10,000 applications (and 10,000 funded projects); routing from the database; the reminder sweep
over the projects, twice; the deadline rush on gunicorn; notifications
through a Celery worker to an SMTP sink; the committee (bench/committee_bench.py): the staff dossier
of a 100-application call, built by the task's function (the meeting page's query count, at 1 and
at the 1,000 applications of a call, is among the query counts); the fault figures (bench/faults/,
its own database and Redis servers). ``--only rush,notifications``
reruns some phases on the data already there and merges them into results.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PHASES = ("dataset", "queries", "pages", "routing", "reminders", "rush", "notifications", "committee", "faults")
MEETING_PAGE = "staff committee meeting of a call"  # bench/pages.py MEETING (imported after django.setup())

ENV_DEFAULTS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/inserm_bench",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/11",
    "CELERY_RESULT_BACKEND": "",
    # A shared cache, as in production: the page fragments are cached in it (accounts/page_cache.py).
    "CACHE_URL": "redis://127.0.0.1:6379/5",
    # The API's throttle still counts every request (its cost is in the figure), at a rate the
    # bench's thousands of anonymous requests from one address stay under.
    "API_ANON_RATE": "1000000/minute",
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-never-used-in-production-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "0",
    "PORTAL_VAR_DIR": str(ROOT / "var" / "bench"),
    "MEDIA_ROOT": str(ROOT / "var" / "bench" / "media"),
    "LOG_LEVEL": "WARNING",
    "DJANGO_SETTINGS_MODULE": "inserm_portal.settings",
}
# The production-mode settings must not be overridden by a developer's shell (DEBUG=1 would change
# the figures); the database and the broker may be.
FORCED = {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_SETTINGS_MODULE", "CELERY_RESULT_BACKEND"}


def setup_environment():
    for key, value in ENV_DEFAULTS.items():
        if key in FORCED:
            os.environ[key] = value
        else:
            os.environ.setdefault(key, value)
    os.environ.pop("EMAIL_HOST", None)
    os.environ.pop("EMAIL_BACKEND", None)
    sys.path.insert(0, str(ROOT))


def ensure_database(url):
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{memory}"


def git_commit():
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def dataset_command(**options):
    from django.core.management import call_command

    from bench.dataset import Command

    out = io.StringIO()
    call_command(Command(), reset=True, json=True, stdout=out, **options)
    return json.loads(out.getvalue().strip().splitlines()[-1])


# --- The table ---------------------------------------------------------------------------------


def rows(results):
    """(figure, value, target, met) for every figure that has a target."""
    out = []
    dataset = results.get("dataset")
    if dataset:
        out.append(
            (
                f"dataset: {dataset['applications_submitted']:,} applications, {dataset['reviews']:,} reviews, "
                f"{dataset['reviewers']:,} reviewers (bench_dataset)",
                f"{dataset['seconds']} s",
                "≤ 120 s",
                dataset["seconds"] <= 120,
            )
        )
    queries = results.get("queries")
    if queries:
        listed = queries.get("rows_listed_with_10000", {})
        for page, counts in queries["pages"].items():
            figure, target = f"queries: {page}", "equal"
            if page == MEETING_PAGE:
                figure += f" (1 → {listed.get(page, 0):,} applications in the call)"
                target = "same at 1 and 1,000"
            out.append(
                (
                    figure,
                    f"{counts['with_1']} → {counts['with_10000']}",
                    target,
                    counts["with_1"] == counts["with_10000"],
                )
            )
    pages = results.get("page_ratio_p95")
    if pages:
        trivial = pages["trivial_p95_ms"]
        for page, values in pages["pages"].items():
            out.append(
                (
                    f"page p95 / trivial p95: {page}",
                    f"{values['ratio_p95']} (p50 {values['p50_ms']} ms, p95 {values['p95_ms']} ms / {trivial} ms)",
                    f"≤ {values.get('target_ratio', 3)}",
                    values["ratio_p95"] <= values.get("target_ratio", 3),
                )
            )
    routing = results.get("routing")
    if routing:
        from bench import routing_db

        out += [
            (
                f"routing {routing['applications']:,} × {routing['reviewers']:,}, k=3: build from the database",
                f"{routing['build_seconds']} s",
                "",
                None,
            ),
            ("routing: solve", f"{routing['solve_seconds']} s", "", None),
            *routing_db.rows(routing),
            (
                "routing: slots filled",
                f"{routing['filled']:,} / {routing['demand']:,}",
                "all",
                routing["filled"] == routing["demand"],
            ),
            (
                "routing: affinity / greedy affinity",
                f"{routing['ratio_to_greedy']} ({routing['total_affinity']:,} / {routing['greedy_affinity']:,})",
                "≥ 1",
                routing["ratio_to_greedy"] >= 1,
            ),
            (
                "routing: sparse / full optimum (2,000 × 400)",
                f"{routing['ratio_to_optimum'] * 100:.3f} %",
                "≥ 99.5 %",
                routing["ratio_to_optimum"] >= 0.995,
            ),
        ]
    reminders = results.get("reminders")
    if reminders:
        out += [
            (
                f"reminders: beat's sweep over {reminders['projects']:,} projects "
                f"({reminders['reports_owed']:,} reports owed, {reminders['reminders']:,} reminders)",
                f"{reminders['seconds']} s",
                "< 10 s",
                reminders["seconds"] < 10,
            ),
            (
                "reminders: the same sweep run again",
                f"{reminders['rerun_reminders']} sent, {reminders['rerun_seconds']} s",
                "0 sent",
                reminders["rerun_reminders"] == 0,
            ),
        ]
    rush = results.get("rush")
    if rush:
        out += [
            (
                f"rush: {rush['drafts']:,} submissions by {rush['clients']} clients "
                f"(gunicorn, {rush.get('workers', 2)} workers), arriving over {rush.get('arrivals_seconds', 0)} s",
                f"{rush['seconds']} s",
                "≤ 300 s",
                rush["seconds"] <= 300 and rush["drafts"] >= 2000,
            ),
            ("rush: lost", str(rush["lost"]), "0", rush["lost"] == 0),
            ("rush: duplicates", str(rush["duplicates"]), "0", rush["duplicates"] == 0),
            ("rush: submit latency p50", f"{rush['p50_ms']} ms", "", None),
            ("rush: submit latency p95", f"{rush['p95_ms']} ms", "< 500 ms", rush["p95_ms"] < 500),
        ]
        burst = rush.get("burst")
        if burst:
            out += [
                (
                    f"burst (no think time): {burst['drafts']} submissions",
                    f"{burst['seconds']} s, {burst['submissions_per_second']}/s, p50 {burst['p50_ms']} ms, "
                    f"p95 {burst['p95_ms']} ms",
                    "",
                    None,
                ),
                (
                    "burst: lost / duplicates",
                    f"{burst['lost']} / {burst['duplicates']}",
                    "0 / 0",
                    burst["lost"] == 0 and burst["duplicates"] == 0,
                ),
            ]
    notifications = results.get("notifications")
    if notifications:
        out.append(
            (
                f"notifications: {notifications['notifications']:,} through Redis + 1 worker (2 processes) to SMTP",
                f"{notifications['per_second']}/s ({notifications['seconds']} s)",
                "≥ 500/s",
                notifications["per_second"] >= 500 and notifications["sent"] == notifications["notifications"],
            )
        )
    committee = results.get("committee")
    if committee:
        out += [
            (
                f"committee dossier, staff version: a call of {committee['applications']} applications "
                f"({committee['attachments']} documents, {committee['reviews']} reviews, "
                f"{committee['syntheses']} syntheses), reviews.build_dossier",
                f"{committee['seconds']} s",
                "< 60 s",
                committee["seconds"] < 60 and committee["status"] == "ready",
            ),
            (
                "committee dossier: its PDF",
                f"{committee['pages']:,} pages, {committee['bookmarks']} bookmarks, {committee['megabytes']} MB",
                "",
                None,
            ),
        ]
    from bench.faults.report import rows as fault_rows

    return out + fault_rows(results.get("faults"))


def markdown(results):
    lines = ["| figure | measured | target | status |", "| --- | --- | --- | --- |"]
    for figure, value, target, met in rows(results):
        status = "" if met is None else ("met" if met else "**NOT MET**")
        lines.append(f"| {figure} | {value} | {target} | {status} |")
    return "\n".join(lines)


# --- Phases ------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=",".join(PHASES), help=f"comma-separated among {', '.join(PHASES)}")
    parser.add_argument("--requests", type=int, default=200, help="requests per page for page_ratio_p95")
    args = parser.parse_args()
    phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    run_started = time.perf_counter()
    setup_environment()
    var_dir = Path(os.environ["PORTAL_VAR_DIR"])
    var_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    from bench import committee_bench, notifications_bench, pages, projects_bench, routing_db
    from bench import rush as rush_bench

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() and set(phases) != set(PHASES) else {}

    def step(title):
        print(f"[bench {time.perf_counter() - run_started:6.1f} s] {title}", flush=True)

    step("migrate, collectstatic")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    if "queries" in phases or "dataset" in phases:
        step("dataset with 1 application; query counts")
        dataset_command(applications=1, reviewers=3, rush_drafts=0, subscribers=0)
        with_one = pages.query_counts() if "queries" in phases else None
        step("dataset: 10,000 applications, 2,000 reviewers, 30,000 reviews (timed)")
        started = time.perf_counter()
        figures = dataset_command()
        figures["command_seconds"] = figures["seconds"]
        figures["seconds"] = round(time.perf_counter() - started, 2)
        results["dataset"] = figures
        if with_one is not None:
            step("query counts with 10,000 applications")
            with_many = pages.query_counts()
            results["queries"] = {
                "pages": {
                    page: {"with_1": with_one[page], "with_10000": with_many[page]}
                    for page in with_one
                    if page != pages.TRIVIAL
                },
                "rows_listed_with_10000": pages.page_rows(),
            }
    if "pages" in phases:
        step(f"page times: {args.requests} requests per page")
        timings = pages.timings(args.requests)
        trivial = timings.pop(pages.TRIVIAL)
        results["page_ratio_p95"] = {
            "trivial_page": "/fr/accounts/login/ (anonymous GET of the login form)",
            "trivial_p50_ms": trivial["p50_ms"],
            "trivial_p95_ms": trivial["p95_ms"],
            "requests_per_page": args.requests,
            "pages": timings,
        }
    if "routing" in phases:
        step("routing from the database")
        results["routing"] = routing_db.measure()
        from bench import routing_conference

        step("routing at conference scale: 20,000 x 8,000 from candidate pairs (in a subprocess)")
        results["routing"]["conference"] = routing_conference.measure()
    if "reminders" in phases:
        step("report reminders over every funded project, twice")
        results["reminders"] = projects_bench.measure()
    if "rush" in phases:
        step("deadline rush on gunicorn")
        results["rush"] = rush_bench.measure(var_dir)
    if "notifications" in phases:
        step("notifications through Redis and a Celery worker")
        results["notifications"] = notifications_bench.measure(var_dir)

    if "committee" in phases:
        step(f"committee: the staff dossier of a {committee_bench.N_APPLICATIONS}-application call")
        results["committee"] = committee_bench.measure()
    if "faults" in phases:
        from bench import faults

        step("faults: Redis stopped, workers killed, connections terminated, double submissions, refusals")
        results["faults"] = {**results.get("faults", {}), **faults.measure(var_dir)}

    results["meta"] = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "cores": os.cpu_count(),
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "database": "PostgreSQL (default configuration)",
        "runtime_seconds": round(time.perf_counter() - run_started, 1),
        "phases": phases,
    }
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    step("done")
    print()
    meta = results["meta"]
    print(f"Benchmarks of {meta['date']} on {meta['machine']} (commit {meta['git_commit']})")
    print()
    print(markdown(results))
    print()
    not_met = [figure for figure, _value, _target, met in rows(results) if met is False]
    print(f"{len(not_met)} target(s) not met." if not_met else "Every target met.")
    print(f"Results: {RESULTS.relative_to(ROOT)}; total {results['meta']['runtime_seconds']} s.")


if __name__ == "__main__":
    main()
