"""/healthz and /readyz (issue 20): the process answers; the database, the broker (a real Redis)
and the storage answer, each with its latency; a dependency down turns /readyz red and names it,
without its address or password."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def get(path):
    response = Client().get(path)
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_touching_anything(django_assert_num_queries):
    with django_assert_num_queries(0):
        status, body = get("/healthz")
    assert (status, body) == (200, {"status": "ok"})


def test_readyz_checks_the_database_the_broker_and_the_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    status, body = get("/readyz")
    assert status == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())
    assert not list(tmp_path.rglob("*.txt"))  # the storage's probe file is gone


def test_readyz_is_red_when_the_broker_is_down_and_says_which_without_its_address(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = "redis://:s3cret@127.0.0.1:6399/0"  # nothing listens there
    status, body = get("/readyz")
    assert status == 503 and body["status"] == "not ready"
    assert body["checks"]["broker"] == {"ok": False, "ms": body["checks"]["broker"]["ms"], "error": "ConnectionError"}
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert "s3cret" not in json.dumps(body) and "6399" not in json.dumps(body)


def test_readyz_is_red_when_the_storage_cannot_be_written(settings, tmp_path):
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker
    status, body = get("/readyz")
    assert status == 503 and not body["checks"]["storage"]["ok"] and body["checks"]["broker"]["ok"]
