"""Several web nodes (issue 20): two gunicorn processes on two ports share the database (sessions
included), the cache (Redis) and the file store (a real S3-compatible server). A researcher logs in
on the first, uploads a document on the second (it lands in the bucket), and downloads it from the
first through a signed link; a stranger gets nothing; both report ready."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from applications.models import Attachment
from tests.applications.factories import ApplicationFactory, ProfileFactory, pdf_bytes
from tests.factories import PASSWORD

from .s3_fixtures import BUCKET, REGION, keys

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(base, process, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=3).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not answer within {timeout} s")


@pytest.fixture
def two_nodes(tmp_path, s3_server):
    """Two gunicorn processes on the test database, one Redis cache, one S3 bucket."""
    endpoint, client = s3_server
    database = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "1",
        "SECRET_KEY": "two-nodes-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CACHE_URL": "redis://127.0.0.1:6379/13",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STORAGE_URL": f"s3://testing:testing@{BUCKET}?endpoint_url={endpoint}&region={REGION}",
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_FORMAT": "json",
    }
    nodes, processes = [], []
    try:
        for _ in range(2):
            port = _free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "inserm_portal.wsgi", "--workers", "1"]
                + ["--bind", f"127.0.0.1:{port}"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            processes.append(process)
            nodes.append(f"http://127.0.0.1:{port}")
        for base, process in zip(nodes, processes, strict=True):
            _wait_ready(base, process)
        yield nodes, client
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def endpoint_of(client):
    return client.meta.endpoint_url


def _token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def test_log_in_on_one_node_upload_on_the_other_download_from_the_first(two_nodes):
    (first, second), bucket = two_nodes
    profile = ProfileFactory()
    draft = ApplicationFactory(applicant=profile.user)
    browser = requests.Session()

    page = browser.get(f"{first}/en/accounts/login/")
    answer = browser.post(
        f"{first}/en/accounts/login/",
        data={"username": profile.user.email, "password": PASSWORD, "csrfmiddlewaretoken": _token(page)},
        headers={"Referer": f"{first}/en/accounts/login/"},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[-500:]

    step = f"{second}/en/applications/{draft.pk}/edit/attachments/"
    page = browser.get(step)
    assert page.status_code == 200 and profile.user.email not in page.url  # logged in there too
    pdf = pdf_bytes()
    upload = browser.post(
        step,
        data={"kind": "project", "csrfmiddlewaretoken": _token(page)},
        files={"file": ("project.pdf", pdf, "application/pdf")},
        headers={"Referer": step},
        allow_redirects=False,
    )
    assert upload.status_code == 302, upload.text[-800:]
    attachment = Attachment.objects.get(application=draft)
    assert attachment.file.name in keys(bucket)  # in the shared store, not on a node's disk
    assert not (Path(settings.MEDIA_ROOT) / attachment.file.name).exists()

    address = f"{first}/en/applications/{draft.pk}/attachments/{attachment.pk}/"
    redirect = browser.get(address, allow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith(endpoint_of(bucket))
    download = browser.get(address)
    assert download.status_code == 200 and download.content == pdf
    # Someone else, on either node, gets nothing.
    stranger = requests.get(f"{second}/en/applications/{draft.pk}/attachments/{attachment.pk}/", allow_redirects=False)
    assert stranger.status_code in (302, 404) and stranger.content != pdf
    for base in (first, second):
        assert requests.get(f"{base}/readyz", timeout=5).json()["status"] == "ready"


def test_a_node_whose_database_is_unreachable_is_alive_but_not_ready(tmp_path):
    """/readyz red for the database (the store and the broker were each stopped in their own
    tests): a node started against a PostgreSQL that does not answer."""
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "SECRET_KEY": "readyz-test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_free_port()}/nowhere",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PORTAL_VAR_DIR": str(tmp_path / "var"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "inserm_portal.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_ready(base, process)  # /healthz answers: the process is up
        answer = requests.get(f"{base}/readyz", timeout=10)
        checks = answer.json()["checks"]
        assert answer.status_code == 503 and not checks["database"]["ok"] and checks["database"]["error"]
        assert checks["broker"]["ok"] and checks["storage"]["ok"]
    finally:
        process.terminate()
        process.wait(timeout=10)
