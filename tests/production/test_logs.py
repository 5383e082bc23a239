"""Structured logs (issue 20): each request has an id (the proxy's, when it looks like one), given
back in the response, carried by every log line written while it is served (one JSON object per
line in production) and by the Celery tasks it queues, in a real worker."""

import json
import logging

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client

from inserm_portal import observability
from inserm_portal.celery import app, ping

pytestmark = pytest.mark.django_db


def test_a_request_s_id_is_the_proxy_s_or_a_new_one_and_comes_back():
    response = Client().get("/healthz", headers={"X-Request-ID": "lb-4f2a9c1e-0001"})
    assert response["X-Request-ID"] == "lb-4f2a9c1e-0001"
    forged = Client().get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
    assert forged["X-Request-ID"] != "<script>alert(1)</script>" and len(forged["X-Request-ID"]) == 32
    assert Client().get("/healthz")["X-Request-ID"] != Client().get("/healthz")["X-Request-ID"]


def test_every_log_line_of_a_request_is_json_with_its_id(caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        Client().get("/fr/no-such-page/", headers={"X-Request-ID": "lb-4f2a9c1e-0002"})
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.request_id == "lb-4f2a9c1e-0002" for r in records)
    line = observability.JsonFormatter().format(records[0])
    entry = json.loads(line)
    assert (entry["request_id"], entry["level"], entry["logger"]) == ("lb-4f2a9c1e-0002", "WARNING", "django.request")
    assert "\n" not in line and entry["time"].endswith("+00:00")


@pytest.mark.celery_worker
def test_a_task_queued_by_a_request_logs_with_the_request_s_id_in_a_real_worker(capfd):
    assert app.conf.broker_url.startswith("redis://")
    token = observability.bind("req-0123456789-celery")
    try:
        # The worker takes the console's handlers over: what it logs is read where it writes it.
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            assert ping.delay("with-id").get(timeout=20) == "with-id"
            observability.bind("")
            assert ping.delay("without").get(timeout=20) == "without"
    finally:
        observability._request_id.reset(token)
    lines = [line for line in capfd.readouterr().err.splitlines() if "portal.ping" in line]
    assert any(line.endswith("[req-0123456789-celery] ping with-id") for line in lines), lines
    assert any(line.endswith("portal.ping ping without") for line in lines), lines
