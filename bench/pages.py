"""The main pages: query counts (keys ``queries``) and p95 server time against a trivial page
(``page_ratio_p95``), measured in-process with Django's test Client (no network in the figure).

Each page is requested as the person who uses it, found by the stable e-mails of
bench/dataset.py; the trivial page is the login form, anonymous (the base template, a
form, no data), measured in the same run. Run by bench/run.py after django.setup().
"""

from __future__ import annotations

import time

import numpy as np
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import page_fixtures

TRIVIAL = "login page (trivial)"
MEETING = "staff committee meeting of a call"
BIDDING = "reviewer's bids on a call of 500 applications"
# Pages timed but not counted at 1 application: the bidding call is made from the full dataset
# (its query count at 1 and 500 applications is tests/reviews' test of the bidding page).
UNCOUNTED = {BIDDING}
ADMIN_RATIO = 5  # issue 21: Django admin changelists within 5x the trivial page, the others 3x


def _people():
    from django.contrib.auth import get_user_model

    from bench import dataset as data

    User = get_user_model()
    return {
        "staff": User.objects.get(email=data.STAFF_EMAIL),
        "researcher": User.objects.get(email=data.RESEARCHER_EMAIL),
        "reviewer": User.objects.get(email=data.REVIEWER_EMAIL),
    }


def _ranking_call():
    """The call of the bench researcher's first application: the first past call, the same at every scale."""
    from applications.models import Application
    from bench import dataset as data

    first = Application.objects.filter(applicant__email=data.RESEARCHER_EMAIL).order_by("pk").first()
    return first.call


def pages():
    """(name, url, role or None) of every measured page, the trivial one first."""
    call = _ranking_call()
    return [
        (TRIVIAL, "/fr/accounts/login/", None),
        ("public call list", "/fr/calls/", None),
        ("researcher dashboard", "/fr/applications/", "researcher"),
        ("reviewer queue", "/fr/reviews/", "reviewer"),
        ("staff ranking of a call", f"/fr/reviews/staff/calls/{call.pk}/ranking/", "staff"),
        ("admin changelist of applications", "/admin/applications/application/", "staff"),
        ("staff list of funded projects", "/fr/projects/staff/", "staff"),
        ("researcher's funded project", f"/fr/projects/{_first_project().pk}/", "researcher"),
        (MEETING, f"/fr/reviews/staff/calls/{call.pk}/meeting/", "staff"),
        (BIDDING, f"/fr/reviews/calls/{page_fixtures.bidding_call().pk}/bids/", "reviewer"),
        ("public world page", "/fr/international/", None),
        ("API: open calls", "/api/v1/calls/", None),
        ("API: funded projects", "/api/v1/projects/", None),
        ("API: sites abroad", "/api/v1/sites/", None),
        ("API: yearly figures", "/api/v1/figures/", None),
    ]


def admin_pages():
    """Django admin changelists, held to ADMIN_RATIO (bench/admin_pages.py)."""
    try:
        from bench.admin_pages import admin_pages as listed
    except ImportError:
        return []
    return listed()


def query_pages():
    """The pages whose query count is measured at 1 application and at a year's scale (the
    committee meeting of the ranking call: 1 application, then the 1,000 of the call)."""
    return [page for page in pages() if page[0] not in UNCOUNTED]


def _first_project():
    """The bench researcher's first funded project, the same at every scale."""
    from bench import dataset as data
    from projects.models import Project

    return Project.objects.filter(lead__email=data.RESEARCHER_EMAIL).order_by("pk").first()


def _verify_second_factor(client, user):
    """Staff pages need a verified second factor when DEBUG is off: give the bench staff member a
    confirmed TOTP device and mark the session verified, as a code typed at login would."""
    from django.apps import apps as installed

    if not installed.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def _clients():
    people = _people()
    clients = {None: Client()}
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        if user.is_staff:
            _verify_second_factor(client, user)
        clients[role] = client
    return clients


def _get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response


def query_counts():
    """{page: number of queries of one GET}, after one warm-up request, the page rendered (not
    served from the page cache, accounts/page_cache.py: that costs fewer)."""
    from django.test.utils import override_settings

    clients = _clients()
    counts = {}
    with override_settings(PAGE_CACHE=False):
        for name, url, role in query_pages():
            client = clients[role]
            _get(client, url)
            with CaptureQueriesContext(connection) as queries:
                _get(client, url)
            counts[name] = len(queries.captured_queries)
    return counts


def page_rows():
    """Rows each page lists, for the report (how big the measured page is)."""
    from applications.models import Application
    from projects.models import Project
    from reviews.models import ReviewAssignment

    people = _people()
    call = _ranking_call()
    return {
        "researcher dashboard": Application.objects.filter(applicant=people["researcher"]).count(),
        "reviewer queue": ReviewAssignment.objects.filter(reviewer=people["reviewer"]).count(),
        "staff ranking of a call": Application.objects.filter(call=call).count(),
        MEETING: Application.objects.filter(call=call).count(),
        "admin changelist of applications": min(100, Application.objects.count()),
        "staff list of funded projects": min(50, Project.objects.count()),
        "researcher's funded project": _first_project().reports.count(),
    }


def timings(requests=200, warmup=10):
    """{page: {"p50_ms", "p95_ms", "ratio_p95"}}: p95 of `requests` GETs over the trivial page's p95.

    The pages are requested in turn (one GET of each, `requests` rounds), so that every page and
    the trivial one are measured under the same conditions: measured one page after the other, a
    pause of the machine during one page's turn moved its p95 alone (the trivial page's p95 went
    from 4 to 6.5 ms between runs an hour apart, the pages did not follow)."""
    clients = _clients()
    measured = pages()
    measured += [page for page in admin_pages() if page[0] not in {name for name, _url, _role in measured}]
    for _name, url, role in measured:
        for _ in range(warmup):
            _get(clients[role], url)
    samples = {name: [] for name, _url, _role in measured}
    for _ in range(requests):
        for name, url, role in measured:
            started = time.perf_counter()
            _get(clients[role], url)
            samples[name].append((time.perf_counter() - started) * 1000)
    results = {
        name: {
            "p50_ms": round(float(np.percentile(values, 50)), 2),
            "p95_ms": round(float(np.percentile(values, 95)), 2),
        }
        for name, values in samples.items()
    }
    trivial = results[TRIVIAL]["p95_ms"]
    admin = {name for name, _url, _role in admin_pages()} | {name for name in results if name.startswith("admin ")}
    for name, values in results.items():
        values["ratio_p95"] = round(values["p95_ms"] / trivial, 2)
        values["target_ratio"] = ADMIN_RATIO if name in admin else 3
    return results
