"""The audit trail: one call per fact, from the service function that makes the change.

    record(actor, CallAction.CHANGED, call, closes_at={"from": ..., "to": ...})

Call it inside the change's transaction, so the fact and its record commit (or roll back) together.
Status changes are recorded by ``StateMachine.transition()`` (accounts/states.py) itself.

Each app declares its own actions, namespaced by what they are about ("call.status",
"application.submitted", "routing.confirmed"), as a TextChoices class registered here from its
AppConfig.ready() (accounts imports no app above it). ``AuditEvent.action`` takes its choices from
the registry, so admin's filter and labels show every app's actions in the reader's language.
"""

from django.contrib.contenttypes.models import ContentType

from .actions import AccountAction, action_label, register_actions, registered
from .models import AuditEvent

__all__ = ["AccountAction", "action_label", "events_for", "record", "record_many", "register_actions"]


def _repr(value, limit):
    return str(value)[:limit] if value is not None else ""


def _event(actor, action, target, changes):
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=actor,
        actor_repr=_repr(actor.email if actor is not None else "", 254),
        action=action,
        changes=changes,
    )
    if target is not None:
        event.content_type = ContentType.objects.get_for_model(target)
        event.object_id = str(target.pk)
        event.object_repr = _repr(target, 300)
    return event


def record(actor, action, target=None, **changes):
    """Write one AuditEvent: `actor` (a user or None for the system), `action` (a registered
    action), `target` (any model instance or None) and what changed, as JSON-able keyword values
    (Decimal, dates and datetimes are fine)."""
    if not registered(action):
        raise ValueError(f"Unknown audit action {action!r}: declare it with register_actions().")
    event = _event(actor, action, target, changes)
    event.save()
    return event


def record_many(actor, action, targets_and_changes):
    """record() for many targets in one INSERT: `targets_and_changes` is [(instance, changes)]."""
    if not registered(action):
        raise ValueError(f"Unknown audit action {action!r}: declare it with register_actions().")
    return AuditEvent.objects.bulk_create(
        [_event(actor, action, target, changes) for target, changes in targets_and_changes]
    )


def events_for(target):
    """The audit events of one record, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("actor")
