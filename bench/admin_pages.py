"""The Django admin changelists staff use at a year's scale (issue 21: each within 5x the trivial
page's p95, in the same run as bench/pages.py's pages).

Only the lists with thousands of rows in the bench dataset (bench/dataset.py and
bench/projects_data.py): 21,000 applications (the year's 10,000, 10,000 of funded projects, 1,000
rush drafts), 30,000 review assignments and reviews, 10,000 decisions, 10,000 projects, 36,664
project reports, 12,000 accounts, 31,000 audit events, and the outbox. The cooperation register has
no rows in the dataset, so it is not timed. The lists of a few dozen rows (calls, zones,
instruments...) cost what the admin's chrome costs.

The outbox of a fresh dataset is empty when the pages are timed (the notifications phase runs
later): `outbox()` gives it a year's sent e-mails once, found again by their deduplication keys.
"""

from __future__ import annotations

from datetime import timedelta

TARGET_RATIO = 5
OUTBOX_ROWS = 30_000  # a year's receipts, reviewer notices and decision letters, in the order of magnitude
OUTBOX_KEY = "bench-outbox-"


def admin_pages():
    """(name, url, role) of every timed changelist; builds the outbox's rows once (`outbox()`)."""
    outbox()
    return [
        ("admin changelist of applications", "/admin/applications/application/", "staff"),
        ("admin changelist of review assignments", "/admin/reviews/reviewassignment/", "staff"),
        ("admin changelist of reviews", "/admin/reviews/review/", "staff"),
        ("admin changelist of decisions", "/admin/reviews/decision/", "staff"),
        ("admin changelist of projects", "/admin/projects/project/", "staff"),
        ("admin changelist of project reports", "/admin/projects/report/", "staff"),
        ("admin changelist of notifications (outbox)", "/admin/notifications/notification/", "staff"),
        ("admin changelist of accounts", "/admin/accounts/user/", "staff"),
        ("admin changelist of audit events", "/admin/accounts/auditevent/", "staff"),
    ]


def outbox(rows=OUTBOX_ROWS):
    """`rows` sent notifications (one in fifty failed, with the mail server's answer) to the
    dataset's researchers over the past year, created once. Their kind is the application receipt,
    about applications of earlier years: the rush and notifications phases count only their own."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from applications.models import Application
    from notifications.models import Notification

    if Notification.objects.filter(dedupe_key=f"{OUTBOX_KEY}{rows - 1}").exists():
        return
    Notification.objects.filter(dedupe_key__startswith=OUTBOX_KEY).delete()
    users = list(get_user_model().objects.filter(is_researcher=True).order_by("pk").values_list("pk", flat=True))
    applications = list(
        Application.objects.filter(status=Application.Status.DECIDED).order_by("pk").values_list("pk", "reference")
    )
    if not users or not applications:
        return
    application_type = ContentType.objects.get_for_model(Application)
    now = timezone.now()
    notifications = []
    for n in range(rows):
        pk, reference = applications[n % len(applications)]
        created = now - timedelta(minutes=17 * (rows - n))
        failed = n % 50 == 0
        notifications.append(
            Notification(
                recipient_id=users[n % len(users)],
                kind="application.receipt",
                language="fr" if n % 3 else "en",
                context={"reference": reference},
                content_type=application_type,
                object_id=pk,
                status=Notification.Status.FAILED if failed else Notification.Status.SENT,
                attempts=5 if failed else 1,
                last_error="550 5.1.1 Mailbox unavailable" if failed else "",
                subject=f"Accusé de réception : {reference}",
                created_at=created,
                queued_at=created,
                sent_at=None if failed else created + timedelta(seconds=3),
                dedupe_key=f"{OUTBOX_KEY}{n}",
            )
        )
    Notification.objects.bulk_create(notifications, batch_size=2000)
