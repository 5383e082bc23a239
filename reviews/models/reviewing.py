"""Assignments of a reviewer to an application, their reviews and the scores per criterion."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.states import StateMachine
from applications.models import Application
from calls.models import Call, ReviewCriterion

from ..actions import ReviewAction
from .people import SCORE_MAX, SCORE_MIN, conflict_filter
from .proposals import RoutingProposal


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
        indexes = [
            models.Index(fields=["call", "status"], name="reviews_assignment_call_status"),
            # The default order (admin's list of 30,000 a year reads its first 50 rows from it).
            models.Index(fields=["due_date", "id"], name="reviews_assignment_due"),
        ]

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


COMMENT_FOR_APPLICANT_MAX_CHARS = 3000


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
    # Read by the applicant in the decision letter, without the reviewer's name, when staff share
    # the feedback of the call (Call.feedback_to_applicants); general_comment stays the committee's.
    comment_for_applicant = models.TextField(
        _("comment for the applicant"), max_length=COMMENT_FOR_APPLICANT_MAX_CHARS, blank=True
    )
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
        # The default order, read backwards (admin's list of 30,000 a year reads its first 50 rows from it).
        indexes = [models.Index(fields=["updated_at", "id"], name="reviews_review_updated")]

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


class ReviewVersion(models.Model):
    """A submitted review as it stood when staff reopened it (to ask its reviewer to reconsider,
    from the discussion, or from admin): kept, so the committee and the reviewer still read what
    was submitted first. ``scores`` lists {criterion, name, score, comment} in the criteria's order."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions", verbose_name=_("review"))
    number = models.PositiveSmallIntegerField(_("version"))
    recommendation = models.CharField(
        _("overall recommendation"), max_length=24, choices=Recommendation.choices, blank=True
    )
    general_comment = models.TextField(_("general comment"), blank=True)
    comment_for_applicant = models.TextField(_("comment for the applicant"), blank=True)
    scores = models.JSONField(_("scores"), default=list)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reason = models.TextField(_("what staff ask to reconsider"), blank=True)

    class Meta:
        verbose_name = _("earlier version of a review")
        verbose_name_plural = _("earlier versions of reviews")
        ordering = ["review_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="reviews_one_version_number_per_review")
        ]

    def __str__(self):
        return f"{self.review} v{self.number}"
