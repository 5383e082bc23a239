"""Prometheus metrics at /metrics (issue 20), for the addresses of METRICS_ALLOWED_IPS only.

- Requests by view and status, and their latency, counted by ``MetricsMiddleware`` in each web
  process. Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty folder per
  host, emptied at start) and every worker's counts are added up at each scrape.
- Read from the database and Redis at each scrape, so the same on every node: the outbox's
  messages by status, the age of the oldest one waiting to be sent, the length of each Celery
  queue, and the tasks' durations (routing, committee dossiers and every other task): workers on
  any host add each run to a histogram kept in Redis (``record_task``).
"""

import os
import time

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily

REQUESTS = Counter("portal_http_requests_total", "HTTP requests served", ["method", "view", "status"])
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to serve an HTTP request",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
#: Task duration buckets (seconds): routing and dossiers take from a second to a minute or more.
TASK_BUCKETS = (0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600)
TASKS_KEY = "portal:metrics:tasks"


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unresolved"
        REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def _redis():
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def record_task(name, seconds, client=None):
    """Add one run of task `name` to its histogram in Redis (nothing without a Redis broker)."""
    client = client or _redis()
    if client is None:
        return
    pipe = client.pipeline()
    for bound in TASK_BUCKETS:
        if seconds <= bound:
            pipe.hincrby(TASKS_KEY, f"{name}|{bound}", 1)
    pipe.hincrby(TASKS_KEY, f"{name}|+Inf", 1)
    pipe.hincrbyfloat(TASKS_KEY, f"{name}|sum", seconds)
    pipe.execute()


_started = {}


@task_prerun.connect(dispatch_uid="portal.metrics.prerun")
def _task_started(task_id=None, **kwargs):
    _started[task_id] = time.perf_counter()


@task_postrun.connect(dispatch_uid="portal.metrics.postrun")
def _task_done(task_id=None, task=None, **kwargs):
    started = _started.pop(task_id, None)
    if started is not None and task is not None:
        try:
            record_task(task.name, time.perf_counter() - started)
        except Exception:  # noqa: BLE001 (metrics never fail a task)
            pass


class PortalCollector:
    """What every node reads the same: the outbox, the queues, the tasks' durations."""

    def collect(self):
        from django.db.models import Count, Min

        from notifications.models import Notification

        backlog = GaugeMetricFamily("portal_outbox_messages", "Outbox messages by status", labels=["status"])
        counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")).order_by())
        for status in Notification.Status.values:
            backlog.add_metric([status], counts.get(status, 0))
        yield backlog
        oldest = Notification.objects.filter(status=Notification.Status.PENDING).aggregate(at=Min("created_at"))["at"]
        age = GaugeMetricFamily(
            "portal_outbox_oldest_pending_age_seconds", "Age of the oldest message waiting to be sent (0: none)"
        )
        age.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0)
        yield age
        client = _redis()
        queues = GaugeMetricFamily("portal_celery_queue_length", "Tasks waiting in each Celery queue", labels=["queue"])
        durations = HistogramMetricFamily(
            "portal_task_duration_seconds", "Duration of the Celery tasks run", labels=["task"]
        )
        if client is not None:
            for queue in (getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery"),):
                queues.add_metric([queue], client.llen(queue))
            fields = {key.decode(): value.decode() for key, value in client.hgetall(TASKS_KEY).items()}
            for name in sorted({key.split("|")[0] for key in fields}):
                buckets = [(str(float(b)), float(fields.get(f"{name}|{b}", 0))) for b in TASK_BUCKETS]
                buckets.append(("+Inf", float(fields.get(f"{name}|+Inf", 0))))
                durations.add_metric([name], buckets, float(fields.get(f"{name}|sum", 0)))
        yield queues
        yield durations


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY):
            registry.register(collector)
    registry.register(PortalCollector())
    return registry


@never_cache
def metrics(request):
    """The metrics in Prometheus' text format, for the allowed addresses only (others: 404)."""
    if request.method != "GET" or request.META.get("REMOTE_ADDR") not in settings.METRICS_ALLOWED_IPS:
        raise Http404
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
