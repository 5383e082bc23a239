"""The real services a fault scenario runs against, started and stopped by it: its own redis-server,
an SMTP sink that logs every message it is handed (bench/smtp_sink.py ``--log``), Celery workers,
celery beat, gunicorn; and the counts read back from the sink's log and the outbox."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path
from urllib.parse import urlparse

from bench import procs

REDIS_SERVER = "/usr/bin/redis-server"
MESSAGE_PK = "notification-"  # Message-ID <notification-<pk>@host> (notifications.services.build_email)
WORKER_APPLICATION_NAME = "faults-worker"  # the workers' PostgreSQL connections, in pg_stat_activity


def say(message):
    print(f"  [faults] {message}", file=sys.stderr, flush=True)


def result(figures, targets):
    """figures with their targets, and met: {figure: bool} for each target (a callable on the value)."""
    figures["targets"] = {key: text for key, (text, _check) in targets.items()}
    figures["met"] = {key: bool(check(figures[key])) for key, (_text, check) in targets.items()}
    return figures


def wait_until(predicate, timeout, interval=0.1, what="condition"):
    """Poll until predicate() is true; the seconds it took. RuntimeError after `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    raise RuntimeError(f"{what}: not within {timeout} s")


def drain(rows, timeout=180):
    """Seconds until none of `rows` is left unsent, or None after `timeout`; and what was left
    ({status, queued?: count}) when it was not, to tell the cause."""
    from django.db.models import Count, Q

    from notifications.models import Notification

    left = rows.exclude(status=Notification.Status.SENT)
    try:
        return wait_until(lambda: not left.exists(), timeout, 0.5, "the outbox drained"), {}
    except RuntimeError:
        stuck = left.values("status").annotate(n=Count("pk"), queued=Count("pk", filter=Q(queued_at__isnull=False)))
        return None, {f"{row['status']} ({row['queued']} queued)": row["n"] for row in stuck}


class Redis:
    """A redis-server of our own on `port`, no persistence: stop() loses nothing we need, since
    the outbox rows, not the broker, are the source of truth."""

    def __init__(self, port: int, var_dir: Path):
        self.port, self.var_dir, self.process = port, var_dir, None

    def start(self):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # One try per ping: the client's default retries with backoff would blur the restart's time.
        probe = redis.Redis(port=self.port, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
        with suppress(redis.ConnectionError):
            probe.ping()
            raise RuntimeError(f"port {self.port} already answers: another Redis is running there")
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = procs.start(command, self.var_dir / f"redis-{self.port}.log")
        wait_until(lambda: _pings(probe), 10, 0.05, f"redis-server on {self.port}")
        return self

    def stop(self):
        if self.process is not None:
            procs.stop(self.process)
            self.process = None


def _pings(client):
    import redis

    try:
        return client.ping()
    except redis.ConnectionError:
        return False


class SinkLog:
    """The sink's log (one line per message handed over) read back: deliveries per notification."""

    def __init__(self, path: Path):
        self.path = path

    def entries(self):
        """[(unix time, "accepted" | "refused", notification pk or None)] in the order received."""
        try:
            lines = self.path.read_text().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            parts = line.split()
            if len(parts) < 3:
                continue
            pk = None
            if MESSAGE_PK in parts[2]:
                with suppress(ValueError):
                    pk = int(parts[2].split(MESSAGE_PK, 1)[1].split("@", 1)[0])
            out.append((float(parts[0]), parts[1], pk))
        return out

    def accepted(self, pks=None) -> Counter:
        """{pk: times accepted} (only `pks` when given)."""
        wanted = set(pks) if pks is not None else None
        return Counter(
            pk for _t, outcome, pk in self.entries() if outcome == "accepted" and (wanted is None or pk in wanted)
        )


def counts(accepted: Counter, pks) -> dict:
    """lost (never accepted) and duplicates (accepted more than once: the extra copies)."""
    pks = list(pks)
    return {
        "messages": len(pks),
        "delivered": sum(1 for pk in pks if accepted[pk] >= 1),
        "lost": sum(1 for pk in pks if accepted[pk] == 0),
        "duplicates": sum(accepted[pk] - 1 for pk in pks if accepted[pk] > 1),
        "messages_delivered_twice_or_more": sum(1 for pk in pks if accepted[pk] > 1),
    }


class Stack:
    """The services of one scenario: Redis on its port (the broker of every process here), an SMTP
    sink, and what the scenario asks for (workers, beat, gunicorn), all stopped by close()."""

    def __init__(self, name: str, var_dir: Path, *sink_options: str):
        self.name = name
        self.var_dir = var_dir / name
        self.var_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.var_dir.glob("*"):
            if stale.is_file():
                stale.unlink()
        self.redis = Redis(urlparse(os.environ["CELERY_BROKER_URL"]).port, self.var_dir).start()
        self.smtp_port = procs.free_port()
        self.sink_log = SinkLog(self.var_dir / "deliveries.log")
        self.sink = procs.start_sink(
            self.var_dir, self.smtp_port, "smtp-sink", "--log", str(self.sink_log.path), *sink_options
        )
        self.env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(self.smtp_port), "EMAIL_BACKEND": ""}
        self.workers_started = 0
        self.worker = self.beat = self.gunicorn = None

    def start_worker(self, concurrency=2, wait=True, **extra_env):
        from inserm_portal.celery import app

        self.workers_started += 1
        log = self.var_dir / f"worker-{self.workers_started}.log"
        env = {**self.env, "PGAPPNAME": WORKER_APPLICATION_NAME, **extra_env}
        self.worker = procs.start_worker(log, env, concurrency=concurrency, name=f"{self.name}{self.workers_started}")
        if wait:
            procs.wait_worker(app)
        return self.worker

    def kill_worker(self):
        """SIGKILL to the worker's whole process group (main process and its pool children): no
        warm shutdown, no ack. Returns how many processes were killed."""
        pids = _group(self.worker.pid)
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(10)
        self.worker.log.close()
        self.worker = None
        return len(pids)

    def start_beat(self):
        """celery beat with the settings' schedule (CELERY_BEAT_SCHEDULE: the outbox sweep every 20 s)."""
        command = [str(procs.ROOT / ".venv" / "bin" / "celery"), "-A", "inserm_portal", "beat", "--loglevel", "INFO"]
        command += ["--schedule", str(self.var_dir / "beat-schedule")]
        self.beat = procs.start(command, self.var_dir / "beat.log", env=self.env)
        return self.beat

    def start_gunicorn(self, workers=2):
        self.gunicorn, base_url = procs.start_gunicorn(self.var_dir, workers=workers, env=self.env)
        return base_url

    def close(self):
        for process in (self.gunicorn, self.worker, self.beat, self.sink):
            if process is not None:
                with suppress(Exception):
                    procs.stop(process)
        self.redis.stop()


def _group(pgid: int) -> list[int]:
    """The pids of process group `pgid` (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid:
                    pids.append(int(entry.name))
    return pids


def terminate_worker_connections() -> int:
    """pg_terminate_backend on every PostgreSQL connection the workers hold (by application_name,
    PGAPPNAME in their environment); how many were terminated."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = %s AND datname = current_database()",
            [WORKER_APPLICATION_NAME],
        )
        return cursor.fetchone()[0]
