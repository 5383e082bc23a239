"""What is asked during and at the end of a project: changes, and the final evaluation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from accounts.states import StateMachine
from applications.models import BudgetLine
from applications.validators import text_validators

from .. import schedule
from ..actions import ProjectAction
from .project import LONG_TEXT, POSITIVE_MONEY, Project, ProjectPartner, money


class Evaluation(StateMachine, models.Model):
    """The final evaluation of a project whose final report is accepted, asked of one reviewer
    without conflict; submitting it closes the project."""

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("evaluation status", "Requested")
        SUBMITTED = "submitted", pgettext_lazy("evaluation status", "Submitted")
        CANCELLED = "cancelled", pgettext_lazy("evaluation status", "Cancelled")

    class Recommendation(models.TextChoices):
        CONTINUE_PRI = "continue_pri", _("Continue as an international research project (PRI)")
        EUROPEAN = "european", _("Apply to a European programme")
        STOP = "stop", _("Stop the collaboration's funding")

    TRANSITIONS = {
        Status.REQUESTED: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: set(),
        Status.CANCELLED: set(),
    }
    STATUS_ACTION = ProjectAction.EVALUATION_STATUS
    SCORE = [MinValueValidator(1), MaxValueValidator(5)]

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("project")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="project_evaluations",
        verbose_name=_("reviewer"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_on = models.DateField(_("due on"))
    objectives_score = models.PositiveSmallIntegerField(
        _("achievement of the objectives"), null=True, blank=True, validators=SCORE
    )
    partnership_score = models.PositiveSmallIntegerField(
        _("strength of the partnership"), null=True, blank=True, validators=SCORE
    )
    outputs_score = models.PositiveSmallIntegerField(_("outputs"), null=True, blank=True, validators=SCORE)
    recommendation = models.CharField(_("recommendation"), max_length=16, choices=Recommendation.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("final evaluation")
        verbose_name_plural = _("final evaluations")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["requested", "submitted"]),
                name="projects_evaluation_one_live_per_project",
            )
        ]

    def __str__(self):
        return _("Final evaluation of %(project)s") % {"project": self.project.reference}

    @property
    def url_path(self):
        return f"/projects/evaluations/{self.pk}/"


class ChangeRequest(StateMachine, models.Model):
    """A change the lead researcher asks for during the project, approved or refused by staff."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", _("No-cost extension")
        PARTNER = "partner", _("Change of partner team")
        BUDGET_TRANSFER = "budget_transfer", _("Budget transfer between lines")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REFUSED, Status.WITHDRAWN},
        Status.APPROVED: set(),
        Status.REFUSED: set(),
        Status.WITHDRAWN: set(),
    }
    STATUS_ACTION = ProjectAction.CHANGE_STATUS

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="changes", verbose_name=_("project"))
    kind = models.CharField(_("change"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    justification = models.TextField(_("justification"), max_length=5000, validators=text_validators(5000))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # Extension
    months = models.PositiveSmallIntegerField(
        _("extension (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(schedule.MAX_EXTENSION_MONTHS)],
    )
    # Change of partner team: the team that leaves, and the one that joins.
    partner_leaving = models.ForeignKey(
        ProjectPartner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner team leaving"),
    )
    new_institution = models.CharField(
        _("new team's institution"), max_length=250, blank=True, validators=text_validators()
    )
    new_city = models.CharField(_("new team's city"), max_length=120, blank=True, validators=text_validators())
    new_country = CountryField(_("new team's country"), blank=True)
    new_team_leader = models.CharField(_("new team's leader"), max_length=200, blank=True, validators=text_validators())
    new_email = models.EmailField(_("new team leader's e-mail"), blank=True, validators=text_validators())
    # Budget transfer
    from_category = models.CharField(
        _("from budget line"), max_length=16, choices=BudgetLine.Category.choices, blank=True
    )
    to_category = models.CharField(_("to budget line"), max_length=16, choices=BudgetLine.Category.choices, blank=True)
    amount = money(_("amount (EUR)"), null=True, blank=True, validators=POSITIVE_MONEY)

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True, max_length=5000, validators=text_validators(5000))

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.project.reference}: {self.get_kind_display()}"
