"""The audit trail: one call per fact, from the service function that makes the change.

    record(actor, AuditEvent.Action.DECISION_RECORDED, decision, outcome="funded", amount=Decimal(...))

Call it inside the change's transaction, so the fact and its record commit (or roll back) together.
"""

from django.contrib.contenttypes.models import ContentType

from .models import AuditEvent


def _repr(value, limit):
    return str(value)[:limit] if value is not None else ""


def record(actor, action, target=None, **changes):
    """Write one AuditEvent: `actor` (a user or None for the system), `action` (an
    AuditEvent.Action), `target` (any model instance or None) and what changed, as JSON-able
    keyword values (Decimal, dates and datetimes are fine)."""
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
    event.save()
    return event


def events_for(target):
    """The audit events of one record, newest first."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(target), object_id=str(target.pk)
    ).select_related("actor")
