"""Notifications throughput (key ``notifications``): 10,000 notifications through Redis and one Celery
worker (``--concurrency 2``) to a local SMTP sink (bench/smtp_sink.py), per second.

The clock starts before ``notify_topic`` writes the 10,000 rows (its transaction commits and queues
them in batches on Redis) and stops when every row is ``sent`` in the database; the sink's count
must match. Run by bench/run.py after django.setup().
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.procs import free_port, start_sink, start_worker, stop, wait_worker
from bench.procs import received as sink_received

ROOT = Path(__file__).resolve().parent.parent


def publish_call_opened():
    """The bench topic's subscribers told that the first open call is open (notify_topic, in its
    own transaction, queued on commit): (how many, a queryset of those rows and only those)."""
    from django.db import transaction

    from bench.dataset import NOTIFICATION_TOPIC
    from calls.models import Call
    from notifications.models import Notification
    from notifications.services import notify_topic

    call = Call.objects.filter(status=Call.Status.OPEN).order_by("pk").first()
    # Only this call's rows count (`--only notifications` runs again on the same data).
    last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        created = notify_topic(
            NOTIFICATION_TOPIC,
            "call.opened",
            {
                "call_title_fr": call.title_fr,
                "call_title_en": call.title_en,
                "instrument_code": call.instrument.code,
                "closes_at": call.closes_at.isoformat(),
                "url_path": f"/calls/{call.pk}/",
            },
            target=call,
        )
    return created, Notification.objects.filter(kind="call.opened", object_id=call.pk, pk__gt=last_before)


def measure(var_dir: Path, timeout=300):
    import redis
    from django.conf import settings

    from inserm_portal.celery import app
    from notifications.models import Notification

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # leftovers of the rush (receipts)
    port = free_port()
    sink = start_sink(var_dir, port)
    stats = sink.stats
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_BACKEND": ""}
    worker = start_worker(var_dir / "celery-worker.log", env)
    try:
        wait_worker(app)
        started = time.perf_counter()
        created, rows = publish_call_opened()
        queued = time.perf_counter()
        deadline = time.monotonic() + timeout
        sent = 0
        while time.monotonic() < deadline:
            # The sink's file first (free), the database only once the sink has every message:
            # counting sent rows every 0.1 s took a share of the two cores the worker needs.
            if sink_received(stats) >= created:
                sent = rows.filter(status=Notification.Status.SENT).count()
                if sent >= created:
                    break
            time.sleep(0.05)
        finished = time.perf_counter()
        # Counted again: on a timeout (a letter failed, the sink short) the loop may never have asked.
        sent = rows.filter(status=Notification.Status.SENT).count()
        time.sleep(0.5)
        failed = rows.filter(status=Notification.Status.FAILED).count()
    finally:
        stop(worker)
        stop(sink)
    received, sessions = (int(n) for n in stats.read_text().split()) if stats.exists() else (0, 0)
    seconds = finished - started
    return {
        "notifications": created,
        "sent": sent,
        "failed": failed,
        "received_by_sink": received,
        "smtp_sessions": sessions,
        "queue_seconds": round(queued - started, 2),
        "seconds": round(seconds, 2),
        "per_second": round(sent / seconds, 1) if seconds else 0.0,
        "worker": "1 Celery worker, prefork, --concurrency 2, Redis broker",
    }


if __name__ == "__main__":  # pragma: no cover - run through bench/run.py
    subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--only", "notifications"], check=True)
