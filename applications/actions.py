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
    CO_APPLICANT_INVITED = "application.co_applicant_invited", _("co-applicant invited")
    CO_APPLICANT_ACCEPTED = "application.co_applicant_accepted", _("co-applicant accepted the invitation")
    CO_APPLICANT_REMOVED = "application.co_applicant_removed", _("co-applicant removed")
    CO_APPLICANT_LEFT = "application.co_applicant_left", _("co-applicant left the application")
    CONTENT_SAVED = "application.content_saved", _("content of the application saved")
