"""Queueing delivery tasks on the broker, and the sweeper that catches what was not queued or
was left sending by a dead worker. The tasks are sent by name (notifications/tasks.py imports this
package, not the reverse)."""

from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery import current_app
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Notification
from .base import Status, _setting, batch_size, logger, max_attempts

# --- Queueing ------------------------------------------------------------------------------------


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def queue_on_commit(ids):
    """Queue delivery of `ids` once the caller's transaction commits."""
    if ids:
        transaction.on_commit(partial(enqueue, list(ids)), robust=True)


def enqueue(ids):
    """Publish delivery tasks for `ids` (one message per batch). Never raises.

    Called on commit: if the broker is unreachable the event that created the notifications has
    already succeeded; the rows stay pending with no ``queued_at`` and the sweeper queues them later.

    ``queued_at`` is written before anything is published: a worker that takes a message at once
    must not find its rows locked by this UPDATE (a claim waits for such a lock, and a batch that
    waited for nothing would leave its rows to the sweeper). What could not be published gets its
    ``queued_at`` back to empty, so the sweeper takes it at its next round.
    """
    ids = list(ids)
    if not ids:
        return 0
    Notification.objects.filter(pk__in=ids, status=Status.PENDING).update(queued_at=timezone.now())
    queued = []
    try:
        with current_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0.2, interval_step=0.2, interval_max=0.2)
            for batch in _chunks(ids, batch_size()):
                if len(batch) == 1:
                    current_app.send_task("notifications.deliver", (batch[0],), connection=connection, retry=False)
                else:
                    current_app.send_task("notifications.deliver_batch", (batch,), connection=connection, retry=False)
                queued.extend(batch)
    except Exception:  # noqa: BLE001 - any broker failure must leave the event successful
        logger.warning(
            "Could not queue %d notification(s); the sweeper will retry.", len(ids) - len(queued), exc_info=True
        )
        published = set(queued)
        unpublished = [pk for pk in ids if pk not in published]
        Notification.objects.filter(pk__in=unpublished, status=Status.PENDING).update(queued_at=None)
    return len(queued)


# --- Sweeping ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    reset: int
    queued: int


def sweep(now=None) -> SweepResult:
    """The beat task's body: reset rows stuck in sending, queue what is due and not (recently) queued."""
    now = now or timezone.now()
    sending_timeout = timedelta(seconds=_setting("NOTIFICATIONS_SENDING_TIMEOUT", 600))
    grace = timedelta(seconds=_setting("NOTIFICATIONS_PENDING_GRACE", 60))
    requeue_after = timedelta(seconds=_setting("NOTIFICATIONS_REQUEUE_AFTER", 600))
    limit = _setting("NOTIFICATIONS_SWEEP_LIMIT", 5000)
    with transaction.atomic():
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.SENDING, sending_since__lte=now - sending_timeout)
            .values_list("pk", flat=True)[:limit]
        )
        # A message that kills its worker every time must not be retried forever.
        exhausted = Notification.objects.filter(pk__in=stuck, attempts__gte=max_attempts())
        Notification.transition_rows(
            exhausted,
            Status.SENDING,
            Status.FAILED,
            sending_since=None,
            last_error="Delivery interrupted (worker lost) on every attempt.",
        )
        Notification.transition_rows(
            Notification.objects.filter(pk__in=stuck),
            Status.SENDING,
            Status.PENDING,
            sending_since=None,
            last_error="Delivery interrupted (worker lost); delivered again.",
        )
        stuck = list(Notification.objects.filter(pk__in=stuck, status=Status.PENDING).values_list("pk", flat=True))
        due = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING)
            .filter(Q(not_before__isnull=True, created_at__lte=now - grace) | Q(not_before__lte=now))
            .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=now - requeue_after))
            .exclude(pk__in=stuck)
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        ids = stuck + due
        queue_on_commit(ids)
    if ids:
        logger.info("Sweeper: %d reset from sending, %d queued.", len(stuck), len(ids))
    return SweepResult(reset=len(stuck), queued=len(ids))
