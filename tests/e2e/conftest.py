"""Browser journeys in headless Chromium (Debian's chromium and chromium-driver, driven by selenium).

One browser serves the whole session; each test gets it with its cookies cleared and a fresh
`Browser` helper bound to pytest-django's live server (PostgreSQL, transactional tests).
Notifications are checked in the outbox (the Notification rows): delivery by Celery has its own
tests, and a browser journey must not depend on a worker's timing.

Every page of the portal a journey visits is checked with axe-core (WCAG 2.0/2.1 A and AA rules);
Django admin pages are not (Django's own markup, outside the portal's templates). A failing test
leaves a screenshot and the page's HTML under artifacts/e2e/<test name>/.
"""

import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.browser import Browser, axe_totals, start_chromium

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "e2e"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def chromium(django_db_setup, live_server):
    # Set up after the test database and the live server, so torn down before them: the browser's
    # keep-alive sockets close, then the server threads' database connections, then the database.
    profile = tempfile.mkdtemp(prefix="e2e-chromium-")
    driver = start_chromium(profile)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def outbox_only(monkeypatch):
    """Notifications stay in the outbox: the journeys read the rows, no broker is needed."""
    import notifications.services

    monkeypatch.setattr(notifications.services.queueing, "enqueue", lambda ids: None)


@pytest.fixture(autouse=True)
def account_tasks_at_once(monkeypatch):
    """Sign-up and password reset queue a Celery task (accounts.services): it runs at once, in the
    live server's thread, so the journeys find the account and its outbox rows as a worker leaves
    them."""
    from accounts import tasks

    for task in (tasks.complete_signup, tasks.send_password_reset):
        monkeypatch.setattr(task, "delay", lambda *args, _task=task, **kwargs: _task.apply(args, kwargs, throw=True))


@pytest.fixture
def browser(request, chromium, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: the journeys log in several times, what is tested is not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    chromium.set_window_size(1366, 900)
    page = Browser(chromium, live_server.url)
    request.node._e2e_browser = page
    return page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    page = getattr(item, "_e2e_browser", None)
    if page is not None and report.when == "call" and report.failed:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", item.name)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            page.driver.save_screenshot(str(folder / "page.png"))
            (folder / "page.html").write_text(page.driver.page_source, encoding="utf-8")
            (folder / "url.txt").write_text(page.driver.current_url + "\n", encoding="utf-8")
        except Exception as error:  # the browser itself may be what failed
            (folder / "error.txt").write_text(repr(error), encoding="utf-8")
        report.sections.append(("e2e artefacts", str(folder)))
    return report


def pytest_sessionfinish(session, exitstatus):
    totals = axe_totals()
    if totals["pages"]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "axe-summary.json").write_text(json.dumps(totals, indent=2, sort_keys=True), encoding="utf-8")
