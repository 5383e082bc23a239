"""Creating notifications (one, many, a topic's subscribers), subscriptions, cancelling,
releasing held letters and resending failures: written in the caller's transaction, queued on
commit (see the package's docstring for the delivery guarantee)."""

import json
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import kinds
from ..models import Notification, Subscription
from ..rendering import render_subject
from .base import Status
from .queueing import queue_on_commit

# --- Subscriptions -------------------------------------------------------------------------------


def set_subscriptions(user, topics):
    """Make `topics` exactly the set of topics `user` is subscribed to."""
    wanted = {topic.strip() for topic in topics if topic and topic.strip()}
    with transaction.atomic():
        Subscription.objects.filter(user=user).exclude(topic__in=wanted).delete()
        Subscription.objects.bulk_create(
            [Subscription(user=user, topic=topic) for topic in sorted(wanted)], ignore_conflicts=True
        )


def subscribed_topics(user) -> set[str]:
    return set(Subscription.objects.filter(user=user).values_list("topic", flat=True))


# --- Creating notifications ----------------------------------------------------------------------


def _plain_json(context):
    """The context is stored as JSON: refuse anything that would not come back as it went in."""
    context = dict(context or {})
    try:
        json.dumps(context, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Notification context must hold plain JSON values only: {exc}") from exc
    return context


def _language(language):
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _target_fields(target):
    if target is None:
        return {"content_type": None, "object_id": None}
    return {"content_type": ContentType.objects.get_for_model(target), "object_id": target.pk}


def _kind_code(code):
    return kinds.get(code).code


def _initial_status(kind):
    return Status.HELD if kinds.get(kind).held else Status.PENDING


def _addressee(recipient, to_email, language):
    """{recipient, to_email} of a notification: a user, or an address with no account (a partner
    team's leader), then written in the `language` given (there is no user's to follow)."""
    if recipient is not None and to_email:
        raise ValueError("A notification goes to a user or to an address, not both.")
    if recipient is not None:
        return {"recipient": recipient, "to_email": ""}
    to_email = (to_email or "").strip()
    if not to_email:
        raise ValueError("A notification needs a recipient or an address.")
    validate_email(to_email)
    if not language:
        raise ValueError("A notification to an address without an account needs its language.")
    return {"recipient": None, "to_email": to_email}


def notify(recipient, kind, context, target=None, *, language=None, not_before=None, dedupe_key=None, to_email=None):
    """Create one notification for `recipient` in the caller's transaction; queue it on commit.

    Someone with no account (a partner team's leader) is written to with ``recipient=None``, their
    address in `to_email` and the `language` given; templates name them by the context's
    "recipient_name".

    Held kinds (decision letters) wait for staff release. A notification with `not_before` in the
    future waits for the sweeper. With a `dedupe_key` already used, the existing notification is
    returned and nothing new is created (e.g. one reminder per review and day).
    """
    kind = kinds.get(kind).code
    context = _plain_json(context)
    addressee = _addressee(recipient, to_email, language)
    if dedupe_key:
        existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    notification = Notification(
        **addressee,
        kind=kind,
        language=_language(language or getattr(recipient, "language", None)),
        context=context,
        status=_initial_status(kind),
        not_before=not_before,
        dedupe_key=dedupe_key or None,
        **_target_fields(target),
    )
    notification.subject = render_subject(notification)
    if dedupe_key:
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            # Another transaction created the same key between our check and our insert.
            return Notification.objects.get(dedupe_key=dedupe_key)
    else:
        notification.save()
    if notification.status == Status.PENDING and (not_before is None or not_before <= timezone.now()):
        queue_on_commit([notification.pk])
    return notification


@dataclass(frozen=True)
class Message:
    """One notification to create with notify_many(); the fields mean what notify()'s arguments mean."""

    recipient: object
    kind: str
    context: dict
    target: object = None
    language: str | None = None
    not_before: object = None
    dedupe_key: str | None = None
    to_email: str | None = None


def notify_many(messages) -> list:
    """Create many notifications in a constant number of queries (routing confirmation creates
    three per assignment: the assignment, the reminder and the overdue notice).

    Same rules as notify(): held kinds wait for staff, future ``not_before`` waits for the sweeper,
    a ``dedupe_key`` already used creates nothing. Call it inside the event's transaction while
    holding the lock that makes the event happen once (two concurrent calls with the same new key
    make the second transaction fail rather than create a duplicate).
    """
    messages = list(messages)
    keys = [m.dedupe_key for m in messages if m.dedupe_key]
    taken = (
        set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)) if keys else set()
    )
    content_types = {}
    rows = []
    now = timezone.now()
    for message in messages:
        if message.dedupe_key and message.dedupe_key in taken:
            continue
        if message.dedupe_key:
            taken.add(message.dedupe_key)
        kind = kinds.get(message.kind).code
        target = message.target
        if target is not None and type(target) not in content_types:
            content_types[type(target)] = ContentType.objects.get_for_model(target)
        notification = Notification(
            **_addressee(message.recipient, message.to_email, message.language),
            kind=kind,
            language=_language(message.language or getattr(message.recipient, "language", None)),
            context=_plain_json(message.context),
            status=_initial_status(kind),
            not_before=message.not_before,
            dedupe_key=message.dedupe_key or None,
            content_type=content_types.get(type(target)) if target is not None else None,
            object_id=target.pk if target is not None else None,
        )
        notification.subject = render_subject(notification)
        rows.append(notification)
    created = Notification.objects.bulk_create(rows, batch_size=2000)
    queue_on_commit(
        [n.pk for n in created if n.status == Status.PENDING and (n.not_before is None or n.not_before <= now)]
    )
    return created


def notify_topic(topic, kind, context, target=None) -> int:
    """One notification per active subscriber of `topic`, in a constant number of queries.

    Returns how many were created. Delivery is queued on commit in batches of
    NOTIFICATIONS_BATCH_SIZE notifications per Celery message.
    """
    kind = kinds.get(kind).code
    context = _plain_json(context)
    subscribers = list(
        Subscription.objects.filter(topic=topic, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "user__language")
    )
    if not subscribers:
        return 0
    target_fields = _target_fields(target)
    status = _initial_status(kind)
    subjects = {}
    notifications = []
    for user_id, user_language in subscribers:
        language = _language(user_language)
        notification = Notification(
            recipient_id=user_id, kind=kind, language=language, context=context, status=status, **target_fields
        )
        if language not in subjects:
            subjects[language] = render_subject(notification)
        notification.subject = subjects[language]
        notifications.append(notification)
    # One INSERT for up to 2,000 rows (PostgreSQL's 65,535-parameter limit allows about 3,500).
    created = Notification.objects.bulk_create(notifications, batch_size=2000)
    if status == Status.PENDING:
        queue_on_commit([notification.pk for notification in created])
    return len(created)


def cancel_pending(target, kinds=None) -> int:
    """Cancel what is still waiting (pending or held) about `target`, e.g. reminders once a review
    is in; `kinds` (codes) limits it to those kinds."""
    rows = Notification.objects.filter(**_target_fields(target))
    if kinds:
        rows = rows.filter(kind__in=[_kind_code(kind) for kind in kinds])
    with transaction.atomic():
        count = Notification.transition_rows(rows, Status.PENDING, Status.CANCELLED)
        count += Notification.transition_rows(rows, Status.HELD, Status.CANCELLED)
    return count


def _move_and_queue(ids, source, **changes):
    with transaction.atomic():
        locked = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(ids), status=source)
            .values_list("pk", flat=True)
        )
        Notification.transition_rows(Notification.objects.filter(pk__in=locked), source, Status.PENDING, **changes)
        queue_on_commit(locked)
    return locked


class ReleaseRefused(Exception):
    """Held letters of a kind their owner releases (see kinds.declare's ``released_by``)."""


def release_held(ids, *, by_owner=False) -> int:
    """Release held letters: held → pending, queued. Returns how many.

    A kind declared with ``released_by`` (decision letters: releasing them publishes the
    decisions) is released only by its owner's service, which passes ``by_owner=True`` (reviews'
    release_decisions); asked from elsewhere (the outbox's admin action), nothing is released and
    ReleaseRefused says where staff release them.
    """
    if not by_owner:
        held = Notification.objects.filter(pk__in=list(ids), status=Status.HELD)
        held_kinds = set(held.values_list("kind", flat=True).distinct())
        elsewhere = [kinds.get(code) for code in sorted(held_kinds) if kinds.get(code).released_by]
        if elsewhere:
            raise ReleaseRefused(
                _("%(kind)s are released from %(place)s, which publishes the decisions with them.")
                % {"kind": elsewhere[0].label, "place": elsewhere[0].released_by}
            )
    return len(_move_and_queue(ids, Status.HELD))


def resend_failed(ids) -> int:
    """Staff resend failed notifications: failed → pending with fresh attempts, queued."""
    return len(_move_and_queue(ids, Status.FAILED, attempts=0, not_before=None))
