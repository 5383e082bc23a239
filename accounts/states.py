"""The state machine every model with a status shares: its ``TRANSITIONS`` table is the one
enforced, and each change writes its audit event in the same transaction.

    class Call(StateMachine, models.Model):
        TRANSITIONS = {Status.DRAFT: {Status.OPEN}, ...}
        STATUS_ACTION = CallAction.STATUS      # the audit action of a status change (None: none)

    locked.transition(Call.Status.OPEN, by=staff)                  # one row, locked by the caller
    Call.transition_rows(queryset, [sources], target, by=staff)    # many rows, one UPDATE

A service locks the row (select_for_update), checks what the rules say, then calls transition():
the one function that changes a status. (notifications, under every app, keeps its own three
methods of the same names for the outbox; it records no audit event.)
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import record, record_many


class InvalidTransition(Exception):
    """A status change the model's TRANSITIONS table does not allow; the message says which."""

    def __init__(self, model, source, target):
        choices = dict(model.Status.choices)
        self.source, self.target = source, target
        super().__init__(
            _("This %(record)s is %(current)s: it cannot become %(target)s.")
            % {
                "record": model._meta.verbose_name,
                "current": str(choices.get(source, source)).lower(),
                "target": str(choices.get(target, target)).lower(),
            }
        )

    @property
    def message(self):
        return str(self)


class StateMachine:
    """Mixin for a model with a ``status`` field, a ``Status`` choices class and ``TRANSITIONS``."""

    TRANSITIONS: dict = {}
    STATUS_ACTION = None

    @classmethod
    def can_transition(cls, source, target):
        return target in cls.TRANSITIONS.get(source, ())

    def can_become(self, target):
        return self.can_transition(self.status, target)

    @classmethod
    def _touched(cls):
        """Fields an update must also write: an ``updated_at`` with auto_now."""
        return [f.name for f in cls._meta.concrete_fields if getattr(f, "auto_now", False)]

    def transition(self, target, *, by, action=None, details=None, **changes):
        """Move this (locked) row to `target`, set `changes`, save only those fields and record
        who did it: as `action` when the change has a name of its own (a submission), else as
        STATUS_ACTION, with `details` beside the statuses. Raises InvalidTransition when the
        table does not allow the change."""
        source = self.status
        if not self.can_transition(source, target):
            raise InvalidTransition(type(self), source, target)
        self.status = target
        for field, value in changes.items():
            setattr(self, field, value)
        self.save(update_fields=["status", *changes, *self._touched()])
        action = action or self.STATUS_ACTION
        if action:
            record(by, action, self, status={"from": str(source), "to": str(target)}, **(details or {}))
        return self

    @classmethod
    def transition_rows(cls, queryset, sources, target, *, by, **changes):
        """Move the rows of `queryset` whose status is one of `sources` to `target` in one
        UPDATE (locked first), recording one audit event each; returns the ids moved."""
        sources = [sources] if isinstance(sources, str) else list(sources)
        for source in sources:
            if not cls.can_transition(source, target):
                raise InvalidTransition(cls, source, target)
        with transaction.atomic():
            rows = list(queryset.select_for_update(of=("self",)).filter(status__in=sources).order_by("pk"))
            ids = [row.pk for row in rows]
            touched = {name: timezone.now() for name in cls._touched()}
            cls._default_manager.filter(pk__in=ids).update(status=target, **touched, **changes)
            if cls.STATUS_ACTION and rows:
                record_many(
                    by,
                    cls.STATUS_ACTION,
                    [(row, {"status": {"from": str(row.status), "to": str(target)}}) for row in rows],
                )
        return ids
