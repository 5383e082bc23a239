"""What the audit trail records about funded projects (registered with accounts on import)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.actions import register_actions


@register_actions
class ProjectAction(models.TextChoices):
    CREATED = "project.created", _("project created from the decision")
    STATUS = "project.status", _("project status changed")
    START_SET = "project.start_set", _("project start date set")
    PAYMENT = "project.payment", _("payment recorded")
    REPORT_ADDED = "project.report_added", _("report added to the schedule")
    REPORT_MOVED = "project.report_moved", _("report due date moved")
    REPORT_WAIVED = "project.report_waived", _("report waived")
    REPORT_SAVED = "report.saved", _("report draft saved")
    REPORT_STATUS = "report.status", _("report status changed")
    EVALUATION_STATUS = "evaluation.status", _("final evaluation status changed")
    CHANGE_STATUS = "change.status", _("change request status changed")
