"""What the audit trail records about the register (registered with accounts on import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.actions import register_actions


@register_actions
class CooperationAction(models.TextChoices):
    IMPORTED = "cooperation.imported", _("declared cooperations imported")
    SITES_IMPORTED = "cooperation.sites_imported", _("sites abroad imported")
    DECLARED = "cooperation.declared", _("cooperation declared by its unit")
    CHANGED = "cooperation.changed", _("declared cooperation changed by its unit")
    DELETED = "cooperation.deleted", _("declared cooperation deleted by its unit")
