"""The routing proposals staff adjust before they confirm them (HotCRP's shape)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.states import StateMachine
from applications.models import Application
from calls.models import Call


class RoutingProposal(StateMachine, models.Model):
    """One run of the router for a call (or for one application after a recusal), for staff to
    inspect and adjust before it becomes assignments."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        COMPUTING = "computing", _("Computing")
        DRAFT = "draft", _("Draft: to check and confirm")
        CONFIRMED = "confirmed", _("Confirmed")
        DISCARDED = "discarded", _("Discarded")
        FAILED = "failed", _("Failed")

    TRANSITIONS = {
        Status.QUEUED: {Status.COMPUTING, Status.FAILED, Status.DISCARDED},
        Status.COMPUTING: {Status.DRAFT, Status.FAILED},
        Status.DRAFT: {Status.CONFIRMED, Status.DISCARDED, Status.COMPUTING},
        Status.FAILED: {Status.COMPUTING, Status.DISCARDED},
        Status.CONFIRMED: set(),
        Status.DISCARDED: set(),
    }
    # Queued → computing → draft is the router's own progress (no audit); staff's confirm and
    # discard are recorded as actions of their own.
    STATUS_ACTION = None

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="routing_proposals", verbose_name=_("call"))
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only this application"),
        help_text=_("Set for a replacement after a recusal."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    due_date = models.DateField(_("reviews due on"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    total_affinity = models.FloatField(_("total affinity"), null=True, blank=True)
    shortfalls = models.JSONField(_("applications left short"), default=list, blank=True)
    stats = models.JSONField(_("figures"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("routing proposal")
        verbose_name_plural = _("routing proposals")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        if self.application_id:
            return _("Replacement for %(application)s") % {"application": self.application}
        return _("Routing of %(call)s (%(date)s)") % {
            "call": self.call,
            "date": formats.date_format(timezone.localtime(self.created_at), "DATETIME_FORMAT"),
        }

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT


class ProposedAssignment(models.Model):
    class Source(models.TextChoices):
        ROUTER = "router", _("Proposed by the router")
        STAFF = "staff", _("Added by staff")

    proposal = models.ForeignKey(
        RoutingProposal, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("proposal")
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="+", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reviewer")
    )
    affinity = models.FloatField(_("affinity"), default=0)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.ROUTER)

    class Meta:
        verbose_name = _("proposed assignment")
        verbose_name_plural = _("proposed assignments")
        ordering = ["application_id", "-affinity", "reviewer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "application", "reviewer"], name="reviews_proposed_assignment_unique"
            )
        ]

    def __str__(self):
        return f"{self.application} → {self.reviewer}"
