"""The outbox's service functions: the only way to create, schedule, release, resend and deliver mail.

Delivery guarantee (at-least-once, deduplicated by the row's status)
--------------------------------------------------------------------
A notification is written in the caller's transaction and queued on commit. Delivery locks the
row, checks it is still pending and *commits* the status ``sending`` before handing the message
to the mail server, then commits ``sent``. Two runs of the task therefore never send twice: the
second one finds ``sending`` or ``sent`` and does nothing.

If the worker dies between ``sending`` and ``sent`` (kill -9, lost machine), the row stays in
``sending``. A worker renews its claim on the rows it still holds every few seconds while it sends
(``NOTIFICATIONS_LEASE_RENEW``); the sweeper (every 20 s) gives a row back to ``pending`` once its
claim is older than ``NOTIFICATIONS_SENDING_TIMEOUT`` (30 s), and it is delivered again: a dead
worker's messages go out within a minute. We chose at-least-once over at-most-once: a worker that
died *after* the mail server accepted a message but *before* its ``sent`` was committed causes one
duplicate, whereas at-most-once would silently lose a receipt or a decision letter. Each message is
marked sent by its own UPDATE as soon as the server accepts it (retried on a new database connection
if the old one was lost), so the window is that one message per worker, and each message carries a
stable Message-ID (one per notification) so mail systems can recognise the duplicate.

The outbox is split along its sections: ``outbox`` (creating, cancelling, releasing, resending;
subscriptions), ``queueing`` (publishing tasks; the sweeper) and ``delivery`` (claiming and
sending). Callers import from here.
"""

from .base import Status, batch_size, max_attempts
from .delivery import DeliveryOutcome, build_email, deliver, deliver_batch
from .outbox import (
    Message,
    ReleaseRefused,
    cancel_pending,
    notify,
    notify_many,
    notify_topic,
    release_held,
    resend_failed,
    set_subscriptions,
    subscribed_topics,
)
from .queueing import SweepResult, enqueue, queue_on_commit, sweep

__all__ = [
    "DeliveryOutcome",
    "Message",
    "ReleaseRefused",
    "Status",
    "SweepResult",
    "batch_size",
    "build_email",
    "cancel_pending",
    "deliver",
    "deliver_batch",
    "enqueue",
    "max_attempts",
    "notify",
    "notify_many",
    "notify_topic",
    "queue_on_commit",
    "release_held",
    "resend_failed",
    "set_subscriptions",
    "subscribed_topics",
    "sweep",
]
