"""What the audit trail records about calls (registered with accounts on import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.actions import register_actions


@register_actions
class CallAction(models.TextChoices):
    CREATED = "call.created", _("call created")
    CHANGED = "call.changed", _("call dates or ceilings changed")
    STATUS = "call.status", _("call status changed")
