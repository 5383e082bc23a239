"""The committee's work before and around the reviews (issue 18): the administrative screening of
each submitted application once its call has closed."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from applications.validators import text_validators

SCREENING_DETAILS_MAX_CHARS = 2000


class Screening(models.Model):
    """Staff's administrative check of a submitted application after its call closed: complete,
    eligible per the report frozen at submission, signatures and letters present. Only admissible
    applications are routed to reviewers; an inadmissible one leaves the review with a decision
    letter held for release like every other (services.screening)."""

    class Outcome(models.TextChoices):
        ADMISSIBLE = "admissible", _("Admissible")
        INADMISSIBLE = "inadmissible", _("Inadmissible")

    class Reason(models.TextChoices):
        INCOMPLETE = "incomplete", _("The application is incomplete")
        NOT_ELIGIBLE = "not_eligible", _("The programme's eligibility rules are not met")
        SIGNATURES = "signatures", _("A signature or a letter of support is missing")
        OUT_OF_SCOPE = "out_of_scope", _("The project is outside the call's scope")
        DUPLICATE = "duplicate", _("The same project was submitted twice")
        OTHER = "other", _("Another reason")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="screening", verbose_name=_("application")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    details = models.TextField(
        _("details"),
        max_length=SCREENING_DETAILS_MAX_CHARS,
        blank=True,
        validators=text_validators(SCREENING_DETAILS_MAX_CHARS),
        help_text=_("Quoted in the letter to the applicant when the application is inadmissible."),
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("screened by")
    )
    screened_at = models.DateTimeField(_("screened at"), default=timezone.now)

    class Meta:
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        ordering = ["application"]
        constraints = [
            # An inadmissible application always says why; an admissible one has no reason.
            models.CheckConstraint(
                condition=Q(outcome="admissible", reason="") | Q(outcome="inadmissible") & ~Q(reason=""),
                name="reviews_screening_reason_only_when_inadmissible",
            )
        ]

    def __str__(self):
        return f"{self.application}: {self.get_outcome_display()}"

    @property
    def admissible(self):
        return self.outcome == self.Outcome.ADMISSIBLE


class Bid(models.Model):
    """A reviewer's preference for an application of a call they accepted to review, given before
    routing: eager, willing, no preference (the default, the same as no bid) or not willing. The
    router weighs it (reviews/routing/bids.py); "not willing" is assigned only when nothing else
    fills the slot."""

    class Kind(models.TextChoices):
        EAGER = "eager", _("Eager to review it")
        WILLING = "willing", _("Willing to review it")
        NEUTRAL = "neutral", _("No preference")
        NOT_WILLING = "not_willing", _("Not willing to review it")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="bids", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bids", verbose_name=_("reviewer")
    )
    kind = models.CharField(_("bid"), max_length=16, choices=Kind.choices, default=Kind.NEUTRAL)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["application", "reviewer"]
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="reviews_one_bid_a_pair")]

    def __str__(self):
        return f"{self.reviewer} × {self.application}: {self.get_kind_display()}"


SYNTHESIS_MAX_CHARS = 3000
# As a review's (models.reviewing.Recommendation), named here to keep this module free of it.
RECOMMENDATIONS = [
    ("strongly_support", _("Fund as a priority")),
    ("support", _("Fund")),
    ("reservations", _("Fund only if the budget allows")),
    ("do_not_support", _("Do not fund")),
]


class Synthesis(models.Model):
    """The rapporteur's synthesis of an application's reviews: one assigned reviewer, named by staff
    (proposed: the one of highest affinity), writes its strengths, weaknesses and a recommendation
    once every review is in; the meeting shows it, and a decision letter may quote it."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="synthesis", verbose_name=_("application")
    )
    rapporteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="syntheses", verbose_name=_("rapporteur")
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("named by")
    )
    named_at = models.DateTimeField(_("named at"), default=timezone.now)
    strengths = models.TextField(
        _("strengths"), max_length=SYNTHESIS_MAX_CHARS, blank=True, validators=text_validators(SYNTHESIS_MAX_CHARS)
    )
    weaknesses = models.TextField(
        _("weaknesses"), max_length=SYNTHESIS_MAX_CHARS, blank=True, validators=text_validators(SYNTHESIS_MAX_CHARS)
    )
    recommendation = models.CharField(_("recommendation"), max_length=24, blank=True, choices=RECOMMENDATIONS)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("synthesis")
        verbose_name_plural = _("syntheses")
        ordering = ["application"]

    def __str__(self):
        return f"{self.application}: {self.rapporteur}"

    @property
    def is_submitted(self):
        return self.submitted_at is not None


DISCUSSION_MESSAGE_MAX_CHARS = 5000


class DiscussionMessage(models.Model):
    """A message of an application's discussion among its reviewers (once their own review is
    submitted) and staff; the others are told by a daily digest."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="discussion", verbose_name=_("application")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("author")
    )
    body = models.TextField(
        _("message"), max_length=DISCUSSION_MESSAGE_MAX_CHARS, validators=text_validators(DISCUSSION_MESSAGE_MAX_CHARS)
    )
    by_staff = models.BooleanField(_("written by staff"), default=False)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("discussion message")
        verbose_name_plural = _("discussion messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["created_at"], name="reviews_discussion_created")]

    def __str__(self):
        return f"{self.application}: {self.body[:40]}"


def dossier_path(instance, filename):
    return f"dossiers/{instance.call_id}/{uuid.uuid4().hex}.pdf"


class Dossier(models.Model):
    """A committee dossier as one PDF, built by a Celery task (reviews.build_dossier) whose progress
    its page shows: one application, or every admissible application of a call with a bookmark
    each; the staff version adds the reviews and the synthesis."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, related_name="+", verbose_name=_("call"))
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("application")
    )
    with_reviews = models.BooleanField(_("with the reviews and the synthesis"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=dossier_path, max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        verbose_name = _("committee dossier")
        verbose_name_plural = _("committee dossiers")
        ordering = ["-requested_at", "-id"]

    def __str__(self):
        return f"{self.application or self.call} ({self.get_status_display()})"
