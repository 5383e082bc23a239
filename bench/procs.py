"""Start and stop the benchmark's own subprocesses (gunicorn, Celery worker, SMTP sink), by pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command, log_path: Path, env=None) -> subprocess.Popen:
    """Run `command` in its own process group (so its children stop with it), output to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process in stop()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env or os.environ.copy(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log
    return process


def stop(process: subprocess.Popen, timeout=20) -> None:
    """SIGTERM to the process group we started, SIGKILL if it lingers."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
    process.log.close()


def start_sink(var_dir: Path, port: int, name="smtp-sink", *options) -> subprocess.Popen:
    """bench/smtp_sink.py on `port`, its counts in var_dir/<name>.count (see received())."""
    stats = var_dir / f"{name}.count"
    command = [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), "--port", str(port), "--stats", str(stats)]
    sink = start([*command, *options], var_dir / f"{name}.log")
    sink.stats = stats
    return sink


def received(stats: Path) -> int:
    """Messages the sink has accepted so far (0 before its first write)."""
    try:
        return int(stats.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def start_worker(log_path: Path, env, concurrency=2, name="bench") -> subprocess.Popen:
    """A real `celery worker` (prefork, `concurrency` pool processes) in its own process group."""
    command = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "inserm_portal", "worker"]
    command += [
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"{name}@%h",
    ]
    return start(command, log_path, env=env)


def wait_worker(app, timeout=60):
    """Until a worker answers a ping on `app`'s broker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"the Celery worker did not answer within {timeout} s")


def start_gunicorn(var_dir: Path, workers=2, env=None, name="gunicorn"):
    """gunicorn on a free port with `workers` sync workers, once it serves the login page; returns
    (process, base URL)."""
    import httpx

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "inserm_portal.wsgi", "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "60"]
    server = start(command, var_dir / f"{name}.log", env=env)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base_url}/fr/accounts/login/", timeout=2).status_code == 200:
                return server, base_url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            stop(server)
            raise RuntimeError(f"gunicorn did not start: see {var_dir / f'{name}.log'}")
        time.sleep(0.3)
