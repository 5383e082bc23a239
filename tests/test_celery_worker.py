"""A real Celery worker on the real Redis broker runs a task and returns its result."""

import pytest
from celery.contrib.testing.worker import start_worker

from inserm_portal.celery import app, ping


@pytest.mark.celery_worker
def test_task_round_trip_through_redis_and_a_real_worker():
    assert app.conf.broker_url.startswith("redis://"), "tests must run against the real Redis"
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay("bonjour")
        assert result.get(timeout=20) == "bonjour"
