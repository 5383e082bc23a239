"""/metrics (issue 20): Prometheus' text format for the allowed addresses only; requests by view
and status with their latency; the outbox's backlog and its oldest waiting message; the Celery
queue's length in the real Redis; the tasks' durations added up in Redis by a real worker."""

from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from inserm_portal import metrics as portal_metrics
from inserm_portal.celery import app, ping
from notifications.models import Notification
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def scrape(address="127.0.0.1"):
    response = Client(REMOTE_ADDR=address).get("/metrics")
    return response


def samples(response):
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def clean_task_metrics():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(portal_metrics.TASKS_KEY)
    yield client
    client.delete(portal_metrics.TASKS_KEY)


def test_only_the_allowed_addresses_read_the_metrics():
    assert scrape("203.0.113.7").status_code == 404
    response = scrape()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")


def test_requests_are_counted_by_view_and_status():
    Client().get("/healthz")
    Client().get("/fr/no-such-page/")
    found = samples(scrape())
    healthz = found[("portal_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "healthz")))]
    assert healthz >= 1
    assert found[("portal_http_requests_total", (("method", "GET"), ("status", "404"), ("view", "unresolved")))] >= 1
    assert found[("portal_http_request_duration_seconds_count", (("view", "healthz"),))] >= 1


def test_the_outbox_backlog_and_its_oldest_waiting_message():
    old = NotificationFactory(status=Notification.Status.PENDING)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    NotificationFactory(status=Notification.Status.PENDING)
    NotificationFactory(status=Notification.Status.FAILED)
    found = samples(scrape())
    assert found[("portal_outbox_messages", (("status", "pending"),))] == 2
    assert found[("portal_outbox_messages", (("status", "failed"),))] == 1
    assert found[("portal_outbox_messages", (("status", "sent"),))] == 0
    assert 7100 < found[("portal_outbox_oldest_pending_age_seconds", ())] < 7300


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)  # the worker closes the database connections it shares
def test_the_queue_length_and_the_tasks_durations_from_a_real_worker(clean_task_metrics):
    assert app.conf.broker_url.startswith("redis://")
    app.control.purge()
    waiting = [ping.delay(f"queued {n}") for n in range(3)]
    found = samples(scrape())
    assert found[("portal_celery_queue_length", (("queue", "celery"),))] >= 3
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        for result in waiting:
            result.get(timeout=20)
    found = samples(scrape())
    assert found[("portal_task_duration_seconds_count", (("task", "portal.ping"),))] == 3
    assert found[("portal_task_duration_seconds_bucket", (("le", "+Inf"), ("task", "portal.ping")))] == 3
    assert found[("portal_celery_queue_length", (("queue", "celery"),))] == 0
