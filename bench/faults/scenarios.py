"""The five fault scenarios (see the package's docstring for what each proves). Each runs in a
process of its own (bench/faults/__main__.py), against the services its Stack starts, and returns
its counts and seconds with ``targets`` ({figure: target}) and ``met`` ({figure: bool})."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.faults.harness import Stack, counts, drain, result, say, terminate_worker_connections, wait_until
from bench.procs import received

REDIS_DOWN_SECONDS = 30
KILLS, KILL_AFTER = 3, 1.0  # a worker killed 1 s into its share of the batch, three times
TERMINATIONS, TERMINATE_EVERY = 3, 1.0
DOUBLE_SUBMISSIONS = 50
REFUSED_ATTEMPTS = 3  # the mail server refuses the first 3 attempts of every message
RETRY_BACKOFF = 1  # seconds (NOTIFICATIONS_RETRY_BACKOFF, doubled each attempt): 60 in production
DRAIN_TARGET = 60


def _drafts(n):
    from applications.models import Application

    drafts = list(
        Application.objects.filter(status=Application.Status.DRAFT, call__instrument__code="TREMPLIN")
        .select_related("applicant")
        .order_by("-pk")[:n]
    )
    if len(drafts) < n:
        raise RuntimeError(f"{n} drafts needed, {len(drafts)} left: run the faults setup again")
    return drafts


class Browser:
    """One researcher's browser: a session cookie, the submit form's CSRF token once read."""

    def __init__(self, base_url, session_key, application_id):
        self.http = httpx.Client(base_url=base_url, timeout=60, follow_redirects=False)
        self.cookies = f"sessionid={session_key}"
        self.url = f"/fr/applications/{application_id}/"
        self.form = None

    def open(self):
        from bench.rush import CSRF_COOKIE, CSRF_FIELD

        page = self.http.get(self.url, headers={"Cookie": self.cookies})
        field, cookie = CSRF_FIELD.search(page.text), CSRF_COOKIE.search(" ".join(page.headers.get_list("set-cookie")))
        if page.status_code != 200 or not field or not cookie:
            raise RuntimeError(f"GET {self.url} answered {page.status_code} without the submit form")
        self.form = (
            {"csrfmiddlewaretoken": field.group(1)},
            {"Cookie": f"{self.cookies}; csrftoken={cookie.group(1)}"},
        )

    def submit(self, barrier=None):
        data, headers = self.form
        if barrier is not None:
            barrier.wait(30)
        sent = time.perf_counter()
        response = self.http.post(f"{self.url}submit/", data=data, headers=headers)
        self.posted = (sent, time.perf_counter())
        return response.status_code, (self.posted[1] - sent) * 1000

    def close(self):
        self.http.close()


def _receipts(application_ids):
    from notifications.models import Notification

    return list(
        Notification.objects.filter(kind="application.receipt", object_id__in=list(application_ids)).values_list(
            "pk", "object_id"
        )
    )


# --- 1. Redis stopped before a submission, restarted 30 s later ----------------------------------


def redis_restart(var_dir):
    from applications.models import Application
    from bench.rush import make_sessions
    from notifications.models import Notification

    stack = Stack("redis-restart", var_dir)
    try:
        stack.start_worker(concurrency=1)
        stack.start_beat()
        base_url = stack.start_gunicorn()
        [draft] = _drafts(1)
        browser = Browser(base_url, make_sessions([draft.applicant])[draft.applicant_id], draft.pk)
        browser.open()
        say("Redis stopped; submitting")
        stack.redis.stop()
        stopped = time.monotonic()
        status, ms = browser.submit()
        browser.close()
        submitted = Application.objects.filter(pk=draft.pk, status=Application.Status.SUBMITTED).exists()
        receipts = _receipts([draft.pk])
        # Its queueing on commit failed (no broker): it waits, unqueued, for the sweeper.
        queued_while_down = Notification.objects.filter(
            pk__in=[pk for pk, _ in receipts], queued_at__isnull=False
        ).exists()
        time.sleep(max(0.0, stopped + REDIS_DOWN_SECONDS - time.monotonic()))
        stack.redis.start()
        restarted = time.monotonic()
        say("Redis restarted; waiting for the receipt")
        seconds = None
        if receipts:
            pk = receipts[0][0]
            try:
                seconds = wait_until(lambda: stack.sink_log.accepted([pk])[pk] >= 1, 180, 0.1, "the receipt")
            except RuntimeError:
                say("the receipt did not come within 180 s")
            time.sleep(3)  # a second copy would come now or never: the row is sent
        deliveries = stack.sink_log.accepted([pk for pk, _ in receipts])
    finally:
        stack.close()
    return result(
        {
            "submit_status": status,
            "submit_ms": round(ms, 1),
            "submitted": submitted,
            "receipts_in_outbox": len(receipts),
            "receipt_queued_while_redis_down": queued_while_down,
            "receipt_deliveries": sum(deliveries.values()),
            "redis_down_seconds": round(restarted - stopped, 1),
            "seconds_restart_to_delivery": round(seconds, 1) if seconds is not None else None,
            "submission": "HTTP POST of the submit form to gunicorn (2 workers)",
            "sweeper": "celery beat, the settings' schedule (notifications.sweep every 20 s)",
        },
        {
            "submitted": ("the submission succeeds", bool),
            "receipt_deliveries": ("exactly once", lambda n: n == 1),
            "seconds_restart_to_delivery": (f"≤ {DRAIN_TARGET} s", lambda s: s is not None and s <= DRAIN_TARGET),
        },
    )


# --- 2 and 3: 2,000 topic messages delivered under a fault ---------------------------------------


def _topic_batch_under(name, var_dir, fault):
    """The bench topic's 2,000 subscribers notified (notify_topic, queued in batches of 100) and
    delivered by a worker with 2 pool processes; once it delivers, fault(stack) strikes and says
    what it did; then the seconds until every row is sent (from when the fault is over), and the
    deliveries per message counted at the sink."""
    from bench.notifications_bench import publish_call_opened
    from notifications.models import Notification

    stack = Stack(name, var_dir)
    try:
        stack.start_beat()
        stack.start_worker(concurrency=2)
        _created, rows = publish_call_opened()
        pks = list(rows.values_list("pk", flat=True))
        details = fault(stack)
        seconds, left = drain(rows)
        time.sleep(2)
        figures = counts(stack.sink_log.accepted(pks), pks)
        figures["failed"] = rows.filter(status=Notification.Status.FAILED).count()
    finally:
        stack.close()
    figures.update(details)
    figures["seconds_to_drain"] = round(seconds, 1) if seconds is not None else None
    figures["left_unsent_after_180_s"] = left
    figures["sweeper"] = "celery beat, the settings' schedule (notifications.sweep every 20 s)"
    return figures


def _delivering(stack):
    before = received(stack.sink.stats)
    wait_until(lambda: received(stack.sink.stats) > before, 60, 0.02, "the worker delivering")


def _topic_targets(duplicates, text):
    return {
        "lost": ("0", lambda n: n == 0),
        "duplicates": (f"≤ {duplicates} ({text})", lambda n: n <= duplicates),
        "seconds_to_drain": (f"≤ {DRAIN_TARGET} s", lambda s: s is not None and s <= DRAIN_TARGET),
    }


def worker_kills(var_dir):
    """2. A worker SIGKILLed three times, 1 s into its share of the batch, restarted each time."""

    def kill_three_times(stack):
        killed, accepted = [], []
        for _kill in range(KILLS):
            _delivering(stack)
            time.sleep(KILL_AFTER)
            accepted.append(received(stack.sink.stats))
            killed.append(stack.kill_worker())
            say(f"worker killed ({killed[-1]} processes) with {accepted[-1]} messages accepted")
            stack.start_worker(concurrency=2, wait=False)
        return {
            "kills": KILLS,
            "processes_killed": killed,
            "sending_processes_killed": KILLS * 2,
            "accepted_by_sink_at_each_kill": accepted,
            "drain_measured_from": "the last restart (the new worker's process started)",
            "worker": "celery worker, prefork --concurrency 2 (a main process and 2 pool processes, which "
            "send); SIGKILL to its process group",
        }

    figures = _topic_batch_under("worker-kills", var_dir, kill_three_times)
    return result(figures, _topic_targets(KILLS * 2, "1 per sending process per kill"))


def pg_terminate(var_dir):
    """3. The worker's PostgreSQL connections terminated three times, 1 s apart, during delivery."""

    def terminate(stack):
        _delivering(stack)
        terminated = []
        for _time in range(TERMINATIONS):
            time.sleep(TERMINATE_EVERY)
            terminated.append(terminate_worker_connections())
            say(f"{terminated[-1]} worker connection(s) terminated")
        return {
            "terminations": TERMINATIONS,
            "connections_terminated": terminated,
            "drain_measured_from": "the last termination",
            "how": "pg_terminate_backend on the worker's backends (application_name faults-worker), "
            f"{TERMINATIONS} times {TERMINATE_EVERY} s apart during delivery",
        }

    figures = _topic_batch_under("pg-terminate", var_dir, terminate)
    total = sum(figures["connections_terminated"])
    return result(figures, _topic_targets(total, "1 per terminated connection"))


# --- 4. Two browsers submitting the same draft at the same instant, 50 times ---------------------


def double_submit(var_dir):
    from bench.rush import _check, make_sessions

    stack = Stack("double-submit", var_dir)
    drafts = _drafts(DOUBLE_SUBMISSIONS)
    records = {"status": {}, "errors": []}
    latencies, overlapping = [], 0
    try:
        stack.start_worker(concurrency=1)
        base_url = stack.start_gunicorn()
        users = [d.applicant for d in drafts]
        first, second = make_sessions(users), make_sessions(users)  # two browsers, two sessions each
        with ThreadPoolExecutor(2) as pool:
            for draft in drafts:
                browsers = [Browser(base_url, keys[draft.applicant_id], draft.pk) for keys in (first, second)]
                for browser in browsers:
                    browser.open()
                barrier = threading.Barrier(2)
                answers = list(pool.map(lambda browser, barrier=barrier: browser.submit(barrier), browsers))
                records["status"][draft.pk] = [code for code, _ms in answers]
                latencies += [ms for _code, ms in answers]
                # Both requests in flight together: the second left before the first was answered.
                overlapping += max(b.posted[0] for b in browsers) < min(b.posted[1] for b in browsers)
                for browser in browsers:
                    browser.close()
        checks = _check([d.pk for d in drafts], records)
        receipts = _receipts([d.pk for d in drafts])
        receipt_pks = [pk for pk, _ in receipts]
        wait_until(lambda: len(stack.sink_log.accepted(receipt_pks)) >= len(receipt_pks), 60, 0.2, "the receipts")
        time.sleep(2)
        delivered = counts(stack.sink_log.accepted(receipt_pks), receipt_pks)
    finally:
        stack.close()
    per_draft = {}
    for _pk, application_id in receipts:
        per_draft[application_id] = per_draft.get(application_id, 0) + 1
    answered = sum(1 for codes in records["status"].values() if all(200 <= c < 400 for c in codes))
    return result(
        {
            "drafts": len(drafts),
            "pairs_both_answered_2xx_3xx": answered,
            "pairs_in_flight_together": overlapping,
            "submitted": checks["submitted"],
            "lost": checks["lost"],
            "duplicates": checks["duplicates"],
            "receipts_in_outbox": len(receipts),
            "receipts_per_draft_max": max(per_draft.values(), default=0),
            "receipts_delivered": delivered["delivered"],
            "receipt_deliveries_duplicated": delivered["duplicates"],
            "post_ms_max": round(max(latencies, default=0), 1),
            "how": "two browsers (two sessions of the applicant) GET the page, then POST the submit form at "
            "once (threads released by a barrier), to gunicorn (2 workers)",
        },
        {
            "submitted": (f"{DOUBLE_SUBMISSIONS} (one each time)", lambda n: n == DOUBLE_SUBMISSIONS),
            "duplicates": ("0 second submissions, references or receipts", lambda n: n == 0),
            "receipts_delivered": (f"{DOUBLE_SUBMISSIONS}, once each", lambda n: n == DOUBLE_SUBMISSIONS),
            "receipt_deliveries_duplicated": ("0", lambda n: n == 0),
        },
    )


def smtp_refusals(var_dir):
    from bench.faults.refusals import smtp_refusals as scenario  # 5: its own module (length)

    return scenario(var_dir)


SCENARIOS = {
    "redis_restart": redis_restart,
    "worker_kills": worker_kills,
    "pg_terminate": pg_terminate,
    "double_submit": double_submit,
    "smtp_refusals": smtp_refusals,
}
