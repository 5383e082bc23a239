"""The deadline rush (key ``rush``): gunicorn (4 sync workers) on PostgreSQL, 200 concurrent
clients (httpx.AsyncClient) submit 2,000 complete drafts through the real pages in 5 minutes.

The 2,000 submissions arrive evenly over RUSH_ARRIVALS seconds (6.7 a second, as on a deadline's
last minutes, 2,000 researchers among 200 browsers). Each client takes the next draft and, at its
arrival time, like a researcher: GETs the application's page (the submit form and its CSRF token),
reads it (think time 0.5-3 s), POSTs the submit form. One draft in ten is submitted twice at once
on purpose (a double click on two tabs): idempotency must hold. The researchers' sessions are made
beforehand (logging 2,000 people in would measure PBKDF2, not the rush).

Then, from the database: ``lost`` = drafts whose submit answered 2xx/3xx but which are not
submitted; ``duplicates`` = applications with two "submitted" events or two receipts, plus
references given twice or counters out of step. p50/p95 are the submit POST's latency as the client
sees it (queueing in gunicorn included).

A second batch of 500 drafts is then submitted with no think time nor arrival schedule at all
(``burst``): the portal's capacity, reported beside the rush, with the same checks.
"""

from __future__ import annotations

import asyncio
import random
import re
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from bench.procs import start_gunicorn, stop

ROOT = Path(__file__).resolve().parent.parent
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_COOKIE = re.compile(r"csrftoken=([^;]+)")
RUSH_SUBMISSIONS, BURST_SUBMISSIONS, CLIENTS, WORKERS = 2_000, 500, 200, 4
RUSH_ARRIVALS = 285  # seconds over which the rush's submissions arrive: all answered within 5 minutes


def make_sessions(users):
    """{user_id: session key} for `users`, written in one INSERT."""
    from datetime import timedelta

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expires = timezone.now() + timedelta(hours=2)
    keys, rows = {}, []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = store.encode(
            {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: "accounts.backends.PortalModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
        )
        rows.append(Session(session_key=key, session_data=data, expire_date=expires))
        keys[user.pk] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


async def _submit(http, app_id, data, headers, records):
    sent = time.perf_counter()
    try:
        response = await http.post(f"/fr/applications/{app_id}/submit/", data=data, headers=headers)
    except httpx.HTTPError as error:
        records["errors"].append((app_id, f"POST {type(error).__name__}"))
        return
    records["post_ms"].append((time.perf_counter() - sent) * 1000)
    records["status"].setdefault(app_id, []).append(response.status_code)


async def _client(http, queue, think, records, double_every, started, spacing):
    while True:
        try:
            index, app_id, session_key = queue.get_nowait()
        except asyncio.QueueEmpty:
            return
        if spacing:  # this researcher's arrival time
            await asyncio.sleep(max(0.0, started + index * spacing - time.perf_counter()))
        cookies = f"sessionid={session_key}"
        sent = time.perf_counter()
        page = await http.get(f"/fr/applications/{app_id}/", headers={"Cookie": cookies})
        records["get_ms"].append((time.perf_counter() - sent) * 1000)
        field = CSRF_FIELD.search(page.text)
        cookie = CSRF_COOKIE.search(" ".join(page.headers.get_list("set-cookie")))
        if page.status_code != 200 or not field or not cookie:
            records["errors"].append((app_id, f"GET {page.status_code}"))
            continue
        if think:
            await asyncio.sleep(random.uniform(0.5, 3.0))
        headers = {"Cookie": f"{cookies}; csrftoken={cookie.group(1)}"}
        data = {"csrfmiddlewaretoken": field.group(1)}
        copies = 2 if index % double_every == 0 else 1  # a double click: two POSTs at once
        await asyncio.gather(*(_submit(http, app_id, data, headers, records) for _ in range(copies)))


async def _run(base_url, drafts, clients, think, double_every=10, arrivals=0.0):
    queue = asyncio.Queue()
    for index, (app_id, session_key) in enumerate(drafts):
        queue.put_nowait((index, app_id, session_key))
    records = {"get_ms": [], "post_ms": [], "status": {}, "errors": []}
    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients * 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits, follow_redirects=False) as http:
        started = time.perf_counter()
        spacing = arrivals / len(drafts) if arrivals and drafts else 0.0
        await asyncio.gather(
            *(_client(http, queue, think, records, double_every, started, spacing) for _ in range(clients))
        )
        records["seconds"] = time.perf_counter() - started
    return records


def _check(application_ids, records):
    from django.db.models import Count

    from accounts.models import AuditEvent
    from applications.actions import ApplicationAction
    from applications.models import Application, ReferenceCounter
    from notifications.models import Notification

    rows = dict(Application.objects.filter(pk__in=application_ids).values_list("pk", "status"))
    answered = {app_id for app_id, codes in records["status"].items() if any(200 <= c < 400 for c in codes)}
    lost = sorted(app_id for app_id in answered if rows.get(app_id) != Application.Status.SUBMITTED)
    submitted = [app_id for app_id in application_ids if rows.get(app_id) == Application.Status.SUBMITTED]
    twice_submitted = (
        AuditEvent.objects.filter(
            action=ApplicationAction.SUBMITTED,
            content_type__app_label="applications",
            object_id__in=[str(pk) for pk in application_ids],
        )
        .values("object_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    receipts = (
        Notification.objects.filter(kind="application.receipt", object_id__in=application_ids)
        .values("object_id")
        .annotate(n=Count("pk"))
    )
    twice_receipted = sum(1 for row in receipts if row["n"] > 1)
    references = list(
        Application.objects.filter(pk__in=application_ids, reference__isnull=False).values_list("reference", flat=True)
    )
    repeated_references = len(references) - len(set(references))
    return {
        "submitted": len(submitted),
        "answered_2xx_3xx": len(answered),
        "lost": len(lost),
        "lost_ids": lost[:20],
        "duplicates": twice_submitted + twice_receipted + repeated_references,
        "receipts": sum(row["n"] for row in receipts),
        "counters": {f"{c.instrument_code}-{c.year}": c.last_number for c in ReferenceCounter.objects.all()},
    }


def _summary(records, checks, drafts):
    post = records["post_ms"] or [0.0]
    get = records["get_ms"] or [0.0]
    return {
        "drafts": drafts,
        "clients": records["clients"],
        "seconds": round(records["seconds"], 2),
        "submissions_per_second": round(checks["submitted"] / records["seconds"], 1) if records["seconds"] else 0,
        "posts": len(records["post_ms"]),
        "p50_ms": round(float(np.percentile(post, 50)), 1),
        "p95_ms": round(float(np.percentile(post, 95)), 1),
        "max_ms": round(float(np.max(post)), 1),
        "get_p50_ms": round(float(np.percentile(get, 50)), 1),
        "get_p95_ms": round(float(np.percentile(get, 95)), 1),
        "errors": len(records["errors"]),
        "error_samples": records["errors"][:5],
        **{key: value for key, value in checks.items() if key != "counters"},
    }


def measure(
    var_dir: Path,
    rush=RUSH_SUBMISSIONS,
    burst=BURST_SUBMISSIONS,
    clients=CLIENTS,
    workers=WORKERS,
    arrivals=RUSH_ARRIVALS,
):
    from applications.models import Application
    from calls.models import Call

    call = Call.objects.filter(status=Call.Status.OPEN, instrument__code="TREMPLIN").order_by("pk").first()
    drafts = list(
        Application.objects.filter(call=call, status=Application.Status.DRAFT)
        .select_related("applicant")
        .order_by("pk")[: rush + burst]
    )
    if len(drafts) < rush + burst:
        raise RuntimeError(f"{rush + burst} rush drafts are needed, the dataset has {len(drafts)}")
    sessions = make_sessions([d.applicant for d in drafts])
    server, base_url = start_gunicorn(var_dir, workers=workers)
    try:
        results = {}
        for name, batch, think, spread in (
            ("rush", drafts[:rush], True, arrivals),
            ("burst", drafts[rush:], False, 0.0),
        ):
            pairs = [(d.pk, sessions[d.applicant_id]) for d in batch]
            records = asyncio.run(_run(base_url, pairs, clients, think, arrivals=spread))
            records["clients"] = clients
            checks = _check([d.pk for d in batch], records)
            results[name] = _summary(records, checks, len(batch))
    finally:
        stop(server)
    result = results["rush"]
    result["arrivals_seconds"] = arrivals
    result["burst"] = results["burst"]
    result["workers"] = workers
    result["server"] = f"gunicorn, {workers} sync workers, DEBUG=0, PostgreSQL, Redis cache"
    return result


if __name__ == "__main__":  # pragma: no cover
    sys.exit("run through bench/run.py")
