"""The decision on an application (funded, waitlisted, not funded), its amount and its letter's release."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from applications.models import Application


class Decision(models.Model):
    class Outcome(models.TextChoices):
        # "Decision" and "application" are feminine in French ("Financée"), hence the context.
        FUNDED = "funded", pgettext_lazy("decision on an application", "Funded")
        REJECTED = "rejected", pgettext_lazy("decision on an application", "Not funded")
        WAITLISTED = "waitlisted", _("On the waiting list")
        # Decided at the administrative screening, before any review (models.committee.Screening).
        INADMISSIBLE = "inadmissible", _("Inadmissible")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision", verbose_name=_("application")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    amount = models.DecimalField(
        _("amount awarded (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    released_at = models.DateTimeField(
        _("letter released at"), null=True, blank=True, help_text=_("The researcher sees the decision from then on.")
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at", "-id"]
        # The default order, read backwards (admin's list of 10,000 decisions reads its first 50 rows from it).
        indexes = [models.Index(fields=["decided_at", "id"], name="reviews_decision_decided")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="funded", amount__isnull=False) | ~Q(outcome="funded") & Q(amount__isnull=True),
                name="reviews_decision_amount_only_when_funded",
            )
        ]

    def __str__(self):
        return f"{self.application}: {self.get_outcome_display()}"

    @property
    def url_path(self):
        return f"/reviews/decisions/{self.application_id}/"

    NEXT_STEPS = {
        Outcome.FUNDED: _(
            "The international relations office will write to you within a few weeks about the start of the "
            "project, the payment of the funds and the reports to send during the project."
        ),
        Outcome.WAITLISTED: _(
            "Your application is on the waiting list: we will tell you if funds become available for it. You "
            "have nothing to do until then."
        ),
        Outcome.REJECTED: _(
            "Your application is not funded this time. You may apply again to a later call; the international "
            "relations office can tell you more about the committee's assessment."
        ),
        Outcome.INADMISSIBLE: _(
            "Your application was not sent to the reviewers: it did not pass the administrative screening, for "
            "the reason given. You may apply again to a later call; the international relations office can "
            "tell you more."
        ),
    }

    def next_steps(self):
        """What the researcher does (or waits for) after this decision, as the letter says it."""
        return self.NEXT_STEPS[self.Outcome(self.outcome)]
