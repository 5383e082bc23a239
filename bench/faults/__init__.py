"""Fault figures (issue 21; key ``faults`` of bench/results.json): the outbox and the submission
under five faults, each run against real services and counted, not just passed or failed.

`make faults` (``bench/run.py --only faults``) runs them; `make bench` runs them as its last phase.
Everything happens in a PostgreSQL database of its own, ``inserm_faults`` (beside DATABASE_URL's,
or FAULTS_DATABASE_URL, whose name must contain "bench": its tables are emptied), migrated and
filled by bench/faults/setup.py (an open Tremplin call with
2,000 complete drafts, each of its own researcher, 2,000 subscribers of the bench topic, the bench
staff member). Each scenario is a process of its own (``python -m bench.faults <scenario>``) whose
broker is its own ``redis-server`` on port 6391–6395 (no persistence), started and stopped by the
scenario; it starts the rest itself (bench/faults/harness.py): the SMTP sink of bench/smtp_sink.py,
which logs every message handed to it by Message-ID (``<notification-<pk>@host>``, one per outbox
row), so a message lost or delivered twice is counted exactly; real ``celery worker`` processes
(prefork), whose PostgreSQL connections are named ``faults-worker`` (PGAPPNAME); ``celery beat``
with the settings' schedule, so the outbox sweeper runs every 20 s as in production; gunicorn (2
sync workers, as bench/rush.py runs it) where a browser is needed.

1. ``redis_restart``: the broker (Redis) is stopped, then a researcher POSTs the submit form of a
   complete draft to gunicorn; Redis is restarted 30 s after it was stopped. Proves that the
   submission succeeds without the broker (the receipt is written in the outbox, its queueing
   fails quietly), that the receipt goes out exactly once once Redis is back (worker and beat
   reconnect, the sweeper queues the unqueued row), and how long after the restart.
2. ``worker_kills``: 2,000 topic messages (notify_topic: one row per subscriber, queued in batches
   of 100 per Celery message) delivered by a worker with 2 pool processes; 1 s after the worker
   starts delivering, its whole process group (main process and both senders) is SIGKILLed and a
   new worker started, three times. Proves nothing is lost, counts the messages delivered twice
   (at most one per sending process per kill: each message is marked sent as soon as the server
   accepts it) and the seconds from the last restart until every row is sent (the killed
   worker's claims expire after 30 s and the sweeper gives them back).
3. ``pg_terminate``: the same 2,000 messages; during delivery every PostgreSQL connection of the
   worker is terminated (pg_terminate_backend) three times, 1 s apart. Proves nothing is lost,
   counts the duplicates (at most one per terminated connection: the mark after acceptance is
   retried on a new connection) and the seconds until the outbox is drained.
4. ``double_submit``: 50 drafts; for each, two browsers (two sessions of the applicant) open the
   application's page, then POST its submit form at the same instant (two threads released by a
   barrier) to gunicorn. Proves one submission (one audit event, one reference) and one receipt,
   delivered once, each time (bench/rush.py's checks).
5. ``smtp_refusals`` (bench/faults/refusals.py): the mail server answers 554 to the first 3
   attempts of every message and to every attempt for one recipient; 6 receipts are sent with
   NOTIFICATIONS_RETRY_BACKOFF at 1 s (60 s in production). Proves the retries follow the backoff
   (the attempt times the server saw), that nothing is marked sent that the server did not
   accept, that the always-refused message ends failed after NOTIFICATIONS_MAX_ATTEMPTS, and that
   staff see it, with the server's error, in the outbox's admin (changelist and page, as staff).

Each scenario returns its counts and seconds with ``targets`` and ``met`` per figure;
bench/faults/report.py turns them into rows of the results table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent.parent
SCENARIOS = ("redis_restart", "worker_kills", "pg_terminate", "double_submit", "smtp_refusals")
FIRST_REDIS_PORT = 6390  # + the scenario's number (1-5)
DATABASE = "inserm_faults"


def _environment(var_dir: Path) -> dict:
    from bench.run import ensure_database

    url = (
        os.environ.get("FAULTS_DATABASE_URL")
        or urlparse(os.environ["DATABASE_URL"])._replace(path=f"/{DATABASE}").geturl()
    )
    ensure_database(url)
    faults_dir = var_dir / "faults"
    faults_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "PORTAL_VAR_DIR": str(faults_dir)}
    env["MEDIA_ROOT"] = str(faults_dir / "media")
    # The bench's shared cache holds page fragments of the bench database: not for these pages.
    env.pop("CACHE_URL", None)
    return env


def _step(name: str, env: dict, port: int, timeout=900) -> dict:
    started = time.perf_counter()
    print(f"  [faults] {name} (Redis on {port})", file=sys.stderr, flush=True)
    run = subprocess.run(
        [sys.executable, "-m", "bench.faults", name],
        cwd=ROOT,
        env={**env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0"},
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = run.stdout.strip().splitlines()
    if run.returncode != 0 or not lines:
        return {"error": f"exit status {run.returncode} (see the output above)", "met": {"ran": False}}
    figures = json.loads(lines[-1])
    figures["scenario_seconds"] = round(time.perf_counter() - started, 1)
    return figures


def measure(var_dir: Path) -> dict:
    """Set up the faults database, then run every scenario (FAULTS_SCENARIOS=a,b: only those, on
    the data already there)."""
    env = _environment(var_dir)
    only = [name.strip() for name in os.environ.get("FAULTS_SCENARIOS", "").split(",") if name.strip()]
    results = {"database": urlparse(env["DATABASE_URL"]).path.lstrip("/")}
    if not only:
        results["setup"] = _step("setup", env, FIRST_REDIS_PORT)
    for number, name in enumerate(SCENARIOS, 1):
        if not only or name in only:
            results[name] = _step(name, env, FIRST_REDIS_PORT + number)
    return results
