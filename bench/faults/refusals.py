"""Scenario 5: a mail server that refuses (554) the first attempts of every message, then accepts,
and one recipient it always refuses. Retries with backoff (the attempt times as the mail server saw
them), nothing marked sent that it did not accept, and the failure shown to staff in admin with
the server's error."""

from __future__ import annotations

import time

from bench.faults.harness import Stack, result, say, wait_until

ACCEPTED_LATER = 5  # messages refused REFUSED_ATTEMPTS times, then accepted
REFUSED_ATTEMPTS = 3
RETRY_BACKOFF = 1  # seconds, doubled each attempt (NOTIFICATIONS_RETRY_BACKOFF; 60 in production)
REFUSAL_TEXT = "Refused by the fault bench"  # bench/smtp_sink.py's 554 answer


def _admin_shows(pk):
    """As staff (second factor verified), the outbox's admin: the failed row in the changelist
    filtered on failures, and the server's error in it and on the row's page."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench import dataset
    from bench.pages import _verify_second_factor

    staff = get_user_model().objects.get(email=dataset.STAFF_EMAIL)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    _verify_second_factor(client, staff)
    changelist = client.get("/admin/notifications/notification/", {"status__exact": "failed"})
    page = client.get(f"/admin/notifications/notification/{pk}/change/")
    listed = f"/admin/notifications/notification/{pk}/change/" in changelist.content.decode()
    return {
        "admin_changelist_status": changelist.status_code,
        "admin_changelist_lists_the_failure": listed,
        "admin_changelist_shows_the_error": REFUSAL_TEXT in changelist.content.decode(),
        "admin_page_shows_the_error": page.status_code == 200 and REFUSAL_TEXT in page.content.decode(),
    }


def smtp_refusals(var_dir):
    from django.db import transaction

    from bench.faults.scenarios import _drafts
    from notifications import services
    from notifications.models import Notification

    people = [draft.applicant for draft in _drafts(ACCEPTED_LATER + 1)]
    never = people[-1].email
    stack = Stack("smtp-refusals", var_dir, "--refuse", str(REFUSED_ATTEMPTS), "--refuse-always", never)
    try:
        stack.start_beat()
        stack.start_worker(concurrency=1, NOTIFICATIONS_RETRY_BACKOFF=str(RETRY_BACKOFF))
        with transaction.atomic():
            rows = services.notify_many(
                [
                    services.Message(person, "application.receipt", {"reference": f"FAULTS-{n:04d}"})
                    for n, person in enumerate(people)
                ]
            )
        pks = [row.pk for row in rows]
        outbox = Notification.objects.filter(pk__in=pks)
        settled = outbox.filter(status__in=[Notification.Status.SENT, Notification.Status.FAILED])
        say("waiting for the retries")
        seconds = wait_until(lambda: settled.count() == len(pks), 120, 0.2, "every message sent or failed")
        time.sleep(1)
        entries = [(t, outcome, pk) for t, outcome, pk in stack.sink_log.entries() if pk in set(pks)]
        final = {
            pk: (status, attempts, error)
            for pk, status, attempts, error in outbox.values_list("pk", "status", "attempts", "last_error")
        }
        failed = [pk for pk, (status, _a, _e) in final.items() if status == Notification.Status.FAILED]
        admin = _admin_shows(failed[0]) if failed else {}
    finally:
        stack.close()
    accepted = {pk for _t, outcome, pk in entries if outcome == "accepted"}
    sent = {pk for pk, (status, _a, _e) in final.items() if status == Notification.Status.SENT}
    times = {pk: [t for t, _o, p in entries if p == pk] for pk in pks}
    intervals = {pk: [round(b - a, 1) for a, b in zip(ts, ts[1:], strict=False)] for pk, ts in times.items()}
    later = [pk for pk in pks if people[pks.index(pk)].email != never]
    figures = {
        "messages": len(pks),
        "refused_attempts_before_accepting": REFUSED_ATTEMPTS,
        "sent": len(sent),
        "failed": len(failed),
        "attempts_per_message": {str(pk): final[pk][1] for pk in pks},
        "attempt_intervals_seconds": {str(pk): intervals[pk] for pk in pks},
        "marked_sent_not_accepted": len(sent - accepted),
        "accepted_not_marked_sent": len(accepted - sent),
        "accepted_later_delivered": sum(1 for pk in later if pk in sent),
        "failed_error": final[failed[0]][2] if failed else "",
        "seconds_until_settled": round(seconds, 1),
        "backoff": f"NOTIFICATIONS_RETRY_BACKOFF={RETRY_BACKOFF} s, doubled each attempt "
        f"(60 s in production); NOTIFICATIONS_MAX_ATTEMPTS=5",
        **admin,
    }
    expected = [float(RETRY_BACKOFF * 2**n) for n in range(REFUSED_ATTEMPTS)]
    figures["backoff_followed"] = all(
        len(intervals[pk]) == REFUSED_ATTEMPTS
        and all(want <= got <= want + 3 for want, got in zip(expected, intervals[pk], strict=True))
        for pk in later
    )
    return result(
        figures,
        {
            "accepted_later_delivered": (
                f"{ACCEPTED_LATER} after {REFUSED_ATTEMPTS} refusals",
                lambda n: n == len(later),
            ),
            "backoff_followed": ("intervals 1, 2, 4 s (× backoff)", bool),
            "marked_sent_not_accepted": ("0", lambda n: n == 0),
            "failed": ("1 (refused every time)", lambda n: n == 1),
            "admin_changelist_shows_the_error": ("the error in admin", bool),
        },
    )
