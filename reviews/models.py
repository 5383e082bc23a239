"""Reviewers, their conflicts of interest, the routing proposals, the reviews and the decisions.

Statuses are explicit state machines (``TRANSITIONS`` next to each status); every change goes
through a function of services.py. A reviewer sees an application only through an *active*
``ReviewAssignment`` and only while no conflict of interest, computed or declared, exists between
them (the rule is reviews.conflicts; ``conflict_filter`` below is its SQL mirror): the rule is
applied in the querysets, not only in the views.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.db.models.functions import Lower, Replace
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.states import StateMachine
from applications.models import Application, PartnerTeam, ResearcherProfile
from calls.models import Call, PriorityTheme, ReviewCriterion, in_language

from . import conflicts
from .actions import ReviewAction
from .keywords import split_keywords

SCORE_MIN, SCORE_MAX = 1, 5


class ExpertiseTerm(models.Model):
    """The controlled vocabulary of expertise; a keyword matches a term by its French or English name."""

    name_fr = models.CharField(_("name (French)"), max_length=120, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("expertise term")
        verbose_name_plural = _("expertise terms")
        ordering = ["name_en"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_language(self, "name")


class ReviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile", verbose_name=_("user")
    )
    expertise = models.ManyToManyField(
        ExpertiseTerm, blank=True, related_name="reviewers", verbose_name=_("expertise (vocabulary)")
    )
    free_keywords = models.CharField(
        _("other expertise keywords"),
        max_length=400,
        blank=True,
        help_text=_("Separated by commas, for expertise the vocabulary does not list."),
    )
    themes = models.ManyToManyField(PriorityTheme, blank=True, related_name="reviewers", verbose_name=_("themes"))
    institution = models.CharField(_("institution"), max_length=250, blank=True)
    country = CountryField(_("country"), blank=True)
    unit_code = models.CharField(
        _("Inserm unit code"),
        max_length=8,
        blank=True,
        help_text=_("Only if you belong to an Inserm unit, e.g. U1234."),
    )
    max_load_per_call = models.PositiveSmallIntegerField(
        _("maximum number of applications per call"), default=5, validators=[MaxValueValidator(100)]
    )
    is_available = models.BooleanField(_("available to review"), default=True)
    available_until = models.DateField(
        _("available until"), null=True, blank=True, help_text=_("Leave empty if you have no end date.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("reviewer profile")
        verbose_name_plural = _("reviewer profiles")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return str(self.user)

    @property
    def keyword_list(self):
        return split_keywords(self.free_keywords)

    def available_on(self, day):
        return self.is_available and (self.available_until is None or self.available_until >= day)


class ReviewerInvitation(StateMachine, models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.DECLINED},
        Status.ACCEPTED: {Status.DECLINED},
        Status.DECLINED: {Status.ACCEPTED},
    }
    STATUS_ACTION = ReviewAction.INVITATION_STATUS

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="reviewer_invitations", verbose_name=_("call")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviewer_invitations",
        verbose_name=_("reviewer"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reviewer invitation")
        verbose_name_plural = _("reviewer invitations")
        ordering = ["-invited_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["call", "reviewer"], name="reviews_invitation_unique")]

    def __str__(self):
        return f"{self.reviewer} — {self.call}"

    @property
    def may_accept(self):
        return self.can_become(self.Status.ACCEPTED)

    @property
    def may_decline(self):
        return self.can_become(self.Status.DECLINED)

    @property
    def url_path(self):
        return f"/reviews/invitations/{self.pk}/"


class ConflictOfInterest(models.Model):
    """A conflict declared by the reviewer or recorded by staff. Computed conflicts (same unit,
    partner institution, applicant or partner team leader) are not stored: they are evaluated from
    the current profiles every time (reviews.conflicts), so they can never go stale."""

    class Kind(models.TextChoices):
        SAME_UNIT = conflicts.SAME_UNIT, _("Same unit")
        PARTNER_INSTITUTION = conflicts.PARTNER_INSTITUTION, _("Partner institution")
        COLLABORATOR = conflicts.COLLABORATOR, _("Collaborator")
        PERSONAL = conflicts.PERSONAL, _("Personal relationship")
        DECLARED = "declared", _("Declared by the reviewer")
        OTHER = "other", _("Other")

    class Source(models.TextChoices):
        REVIEWER = "reviewer", _("Declared by the reviewer")
        STAFF = "staff", _("Recorded by staff")

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("reviewer")
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.DECLARED)
    source = models.CharField(_("declared by"), max_length=16, choices=Source.choices, default=Source.STAFF)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["reviewer", "application"], name="reviews_conflict_unique"),
        ]

    def __str__(self):
        return f"{self.reviewer} × {self.application} ({self.get_kind_display()})"


def reviewer_profile(user):
    if user is None or not getattr(user, "pk", None):
        return None
    try:
        return user.reviewer_profile
    except ReviewerProfile.DoesNotExist:
        return None


def _normalised(expression):
    """SQL mirror of conflicts.normalise: without blanks (the same characters), in lower case.
    Plain REPLACE, which PostgreSQL and SQLite (the embedded database of a first run) both have."""
    for character in conflicts.BLANK_CHARACTERS:
        expression = Replace(expression, Value(character), Value(""))
    return Lower(expression)


def conflict_filter(user, profile=None):
    """A Q over Application: the applications `user` has a conflict of interest with. The SQL
    mirror of conflicts.conflict_kinds (same cases, same normalisation, blanks never match), for
    the querysets: a conflicted reviewer is never shown, assigned nor allowed to score."""
    profile = profile if profile is not None else reviewer_profile(user)
    condition = Q(applicant=user.pk)
    condition |= Exists(ConflictOfInterest.objects.filter(application=OuterRef("pk"), reviewer=user.pk))
    email = conflicts.normalise(user.email)
    if email:
        partners = PartnerTeam.objects.annotate(key=_normalised(F("email")))
        condition |= Exists(partners.filter(application=OuterRef("pk"), key=email))
    unit = conflicts.normalise(profile.unit_code if profile else "")
    if unit:
        units = ResearcherProfile.objects.annotate(key=_normalised(F("unit_code")))
        condition |= Exists(units.filter(user=OuterRef("applicant"), key=unit))
    institution = conflicts.normalise(profile.institution if profile else "")
    if institution:
        partners = PartnerTeam.objects.annotate(key=_normalised(F("institution")))
        condition |= Exists(partners.filter(application=OuterRef("pk"), key=institution))
    return condition


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


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=ReviewAssignment.Status.ACTIVE)

    def with_overdue(self, today=None):
        """Each assignment with ``overdue`` (ReviewAssignment.overdue_condition), in the same query."""
        condition = ReviewAssignment.overdue_condition(today)
        return self.annotate(overdue=ExpressionWrapper(condition, output_field=BooleanField()))

    def for_reviewer(self, user):
        """The active assignments `user` may work on: never one with a conflict of interest."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        # A correlated EXISTS checks only the reviewer's own assignments; "NOT IN (every
        # conflicted application)" scanned the whole applications table on each request.
        conflicted = Application.objects.filter(conflict_filter(user), pk=OuterRef("application_id"))
        return self.active().filter(reviewer=user).exclude(Exists(conflicted))


class ReviewAssignment(StateMachine, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        RECUSED = "recused", _("Recused")
        REMOVED = "removed", _("Removed by staff")

    TRANSITIONS = {
        Status.ACTIVE: {Status.RECUSED, Status.REMOVED},
        Status.RECUSED: set(),
        Status.REMOVED: set(),
    }
    STATUS_ACTION = ReviewAction.ASSIGNMENT_STATUS

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="review_assignments", verbose_name=_("application")
    )
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="review_assignments", verbose_name=_("call"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    due_date = models.DateField(_("due on"))
    proposal = models.ForeignKey(
        RoutingProposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("proposal")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                condition=Q(status="active"),
                name="reviews_one_active_assignment_per_pair",
            )
        ]
        indexes = [models.Index(fields=["call", "status"], name="reviews_assignment_call_status")]

    def __str__(self):
        return f"{self.application} → {self.reviewer}"

    @property
    def is_active(self):
        """The reviewer still holds it (the queryset's .active() asks the same)."""
        return self.status == self.Status.ACTIVE

    @property
    def url_path(self):
        return f"/reviews/applications/{self.application_id}/"

    @staticmethod
    def overdue_condition(today=None):
        """The one definition of an overdue review, as a Q: the assignment is active, its review not
        submitted, and its due date is past: from the day after it (the morning the overdue notice
        goes out, ``overdue_at``) until the review is submitted. The queue (with_overdue), the
        staff's figures (selectors.call_progress) and ``is_overdue`` all ask this."""
        today = today or timezone.localdate()
        late = Q(status=ReviewAssignment.Status.ACTIVE, due_date__lt=today)
        return late & ~Q(review__status=Review.Status.SUBMITTED)

    def is_overdue(self, today=None):
        """overdue_condition for this one assignment (one query; a list uses with_overdue)."""
        return ReviewAssignment.objects.filter(self.overdue_condition(today), pk=self.pk).exists()

    @property
    def reminder_at(self):
        return _at_nine(self.due_date - timedelta(days=3))

    @property
    def overdue_at(self):
        """9 a.m. on the first day overdue_condition holds (the day after the due date)."""
        return _at_nine(self.due_date + timedelta(days=1))


def _at_nine(day):
    """9 a.m. Paris time on `day` (reminders arrive in office hours)."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(9, 0)))


class Recommendation(models.TextChoices):
    STRONGLY_SUPPORT = "strongly_support", _("Fund as a priority")
    SUPPORT = "support", _("Fund")
    RESERVATIONS = "reservations", _("Fund only if the budget allows")
    DO_NOT_SUPPORT = "do_not_support", _("Do not fund")


SCORE_DESCRIPTORS = {
    1: _("1 — Poor: serious weaknesses"),
    2: _("2 — Fair: significant weaknesses"),
    3: _("3 — Good: some weaknesses"),
    4: _("4 — Very good: minor weaknesses"),
    5: _("5 — Excellent: no real weakness"),
}


class Review(StateMachine, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    TRANSITIONS = {Status.DRAFT: {Status.SUBMITTED}, Status.SUBMITTED: {Status.DRAFT}}
    STATUS_ACTION = ReviewAction.REVIEW_STATUS

    assignment = models.OneToOneField(
        ReviewAssignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    recommendation = models.CharField(
        _("overall recommendation"), max_length=24, choices=Recommendation.choices, blank=True
    )
    general_comment = models.TextField(_("general comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return str(self.assignment)

    @property
    def is_locked(self):
        return self.status == self.Status.SUBMITTED


class CriterionScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"))
    criterion = models.ForeignKey(
        ReviewCriterion, on_delete=models.CASCADE, related_name="+", verbose_name=_("criterion")
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="reviews_one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="reviews_score_between_1_and_5",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        FUNDED = "funded", _("Funded")
        REJECTED = "rejected", _("Not funded")
        WAITLISTED = "waitlisted", _("On the waiting list")

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
    }

    def next_steps(self):
        """What the researcher does (or waits for) after this decision, as the letter says it."""
        return self.NEXT_STEPS[self.Outcome(self.outcome)]
