"""What the audit trail records about applications (registered with accounts on import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.actions import register_actions


@register_actions
class ApplicationAction(models.TextChoices):
    CREATED = "application.created", _("draft started")
    SUBMITTED = "application.submitted", _("application submitted")
    WITHDRAWN = "application.withdrawn", _("application withdrawn")
    STATUS = "application.status", _("application status changed")
    TRANSFERRED = "application.transferred", _("application transferred to another lead")
    PARTNER_INVITED = "application.partner_invited", _("partner team invited to confirm")
    PARTNER_ANSWERED = "application.partner_answered", _("partner team answered")
    INFORMATION_REQUESTED = "application.information_requested", _("more information requested")
    RESUBMITTED = "application.resubmitted", _("application resubmitted")
