"""Start and stop the benchmark's own subprocesses (gunicorn, Celery worker, SMTP sink), by pid."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
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
