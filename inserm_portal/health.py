"""Health for load balancers (issue 20): `/healthz` says the process answers (nothing else is
touched); `/readyz` checks what a request needs, each with its latency in milliseconds: the
database, the Celery broker and the file storage. Any check failing turns it 503, naming which.

Neither needs a login and neither shows a secret: a failing check gives the exception's class, not
its message (which may carry a host or a password)."""

import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

#: Seconds a dependency may take before it counts as down.
TIMEOUT = 2.0


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        # The embedded broker of a first run (kombu's filesystem transport): its folder.
        from kombu import Connection

        with Connection(url, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
            conn.ensure_connection(max_retries=1)
        return
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT)
    try:
        client.ping()
    finally:
        client.close()


def _storage():
    """Write, read back and delete a small probe file where attachments go."""
    name = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    try:
        with default_storage.open(name) as probe:
            if probe.read() != b"ready":
                raise OSError("the probe file read back differs")
    finally:
        default_storage.delete(name)


CHECKS = {"database": _database, "broker": _broker, "storage": _storage}


def run_checks():
    """{name: {"ok": bool, "ms": float, "error": class name}} for every check."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as error:  # noqa: BLE001 (any failure of a dependency is "not ready")
            results[name] = {"ok": False, "ms": round((time.perf_counter() - started) * 1000, 1)}
            results[name]["error"] = type(error).__name__
        else:
            results[name] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    return results


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    checks = run_checks()
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)
