"""Reviewers: the shared vocabulary, their profiles, invitations to a call, and their conflicts of interest
(``conflict_filter``: the SQL mirror of reviews.conflicts)."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.states import StateMachine
from applications.models import Application, CoApplicant, PartnerTeam, ResearcherProfile
from applications.validators import text_validators
from calls.models import Call, PriorityTheme, in_language

from .. import conflicts
from ..actions import ReviewAction
from ..keywords import split_keywords

SCORE_MIN, SCORE_MAX = 1, 5
STATEMENT_MAX_CHARS = 3000
PUBLICATIONS_MAX_CHARS = 6000


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
    # What routing reads besides the keywords (reviews/routing/text.py: TF-IDF against the
    # applications' titles, abstracts and keywords).
    expertise_statement = models.TextField(
        _("expertise statement"),
        max_length=STATEMENT_MAX_CHARS,
        blank=True,
        validators=text_validators(STATEMENT_MAX_CHARS),
        help_text=_("A few sentences on your fields, methods and diseases, in French or English."),
    )
    recent_publications = models.TextField(
        _("titles of recent publications"),
        max_length=PUBLICATIONS_MAX_CHARS,
        blank=True,
        validators=text_validators(PUBLICATIONS_MAX_CHARS),
        help_text=_("One title per line, e.g. those of the last five years."),
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
    co_applicants = CoApplicant.objects.filter(application=OuterRef("pk"), accepted_at__isnull=False)
    condition = Q(applicant=user.pk) | Exists(co_applicants.filter(user=user.pk))
    condition |= Exists(ConflictOfInterest.objects.filter(application=OuterRef("pk"), reviewer=user.pk))
    email = conflicts.normalise(user.email)
    if email:
        partners = PartnerTeam.objects.annotate(key=_normalised(F("email")))
        condition |= Exists(partners.filter(application=OuterRef("pk"), key=email))
    unit = conflicts.normalise(profile.unit_code if profile else "")
    if unit:
        units = ResearcherProfile.objects.annotate(key=_normalised(F("unit_code")))
        condition |= Exists(units.filter(user=OuterRef("applicant"), key=unit))
        co_units = co_applicants.annotate(key=_normalised(F("user__researcher_profile__unit_code")))
        condition |= Exists(co_units.filter(key=unit))
    institution = conflicts.normalise(profile.institution if profile else "")
    if institution:
        partners = PartnerTeam.objects.annotate(key=_normalised(F("institution")))
        condition |= Exists(partners.filter(application=OuterRef("pk"), key=institution))
    return condition
