"""A researcher's profile and their applications to calls: partners, budget, attachments.

An application's status moves only through ``Application.TRANSITIONS`` (see services.py)::

    draft ──submit──▶ submitted ──(reviews app)──▶ in_review ──▶ decided
      │                  │  ▲                          │  ▲
      │                  ▼  │ resubmit                 ▼  │ resubmit
      │           more information requested (staff ask; back to where it was)
      └────withdraw──────┴──▶ withdrawn

Every submission (the first and each resubmission) freezes a SubmittedVersion: what was sent and
what the rules said then. ``version`` counts the saves of a draft: a step saved over a newer
version is refused (two co-applicants editing the same step).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.states import StateMachine
from calls.models import Call

from .actions import ApplicationAction
from .documents import pdf_file_name
from .validators import (
    ABSTRACT_MAX_CHARS,
    text_validators,
    validate_abstract_words,
    validate_orcid,
    validate_unit_code,
    validate_vocabulary_terms,
)

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# One draft took 17 documents: an application holds at most this many, weighing this much in all
# (checked by services.add_attachment under the application's row lock).
ATTACHMENT_MAX_COUNT = 10
ATTACHMENT_MAX_TOTAL_BYTES = 40 * 1024 * 1024
YEAR_VALIDATORS = [MinValueValidator(1990), MaxValueValidator(2100)]


class Grade(models.TextChoices):
    CRCN = "CRCN", _("Research associate, normal class (CRCN)")
    CRHC = "CRHC", _("Research associate, senior class (CRHC)")
    DR2 = "DR2", _("Research director, 2nd class (DR2)")
    DR1 = "DR1", _("Research director, 1st class (DR1)")
    DRCE = "DRCE", _("Research director, exceptional class (DRCE)")
    IR = "IR", _("Research engineer (IR)")
    OTHER = "OTHER", _("Other")


class ResearcherProfile(models.Model):
    """What the eligibility rules need to know about a researcher (Tremplin: CRCN for less than
    5 years, ATIP-Avenir laureate or ERC Starting Grant holder), and how to reach their unit."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="researcher_profile",
        verbose_name=_("user"),
    )
    unit_code = models.CharField(
        _("Inserm unit code"),
        max_length=8,
        validators=[validate_unit_code],
        help_text=_("The letter U followed by digits, e.g. U1234."),
    )
    team = models.CharField(_("team"), max_length=200, validators=text_validators())
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    recruited_on = models.DateField(
        _("date of recruitment in this grade"),
        null=True,
        blank=True,
        help_text=_("Tremplins: a CRCN is eligible for 5 years after recruitment."),
    )
    atip_avenir_year = models.PositiveSmallIntegerField(
        _("ATIP-Avenir laureate (year)"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    erc_starting_grant_year = models.PositiveSmallIntegerField(
        _("ERC Starting Grant (year)"), null=True, blank=True, validators=YEAR_VALIDATORS
    )
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        blank=True,
        validators=[validate_orcid],
        help_text=_("Optional, e.g. 0000-0002-1825-0097."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("researcher profile")
        verbose_name_plural = _("researcher profiles")
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return f"{self.user} ({self.unit_code})"


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The applications `user` may see (see permissions.visible_filter)."""
        from .permissions import visible_filter

        return self.filter(visible_filter(user))

    def with_parts(self):
        """Annotate what completeness.draft_parts() reads of the related rows (has_partner,
        has_budget_line, has_project_description), in the same query: no row of them is read."""
        return self.annotate(
            has_partner=Exists(PartnerTeam.objects.filter(application=OuterRef("pk"))),
            has_budget_line=Exists(BudgetLine.objects.filter(application=OuterRef("pk"))),
            has_project_description=Exists(
                Attachment.objects.filter(application=OuterRef("pk"), kind=Attachment.Kind.PROJECT)
            ),
        )

    def for_dashboard(self, user):
        """The researcher's applications with what the dashboard shows and what its next step
        needs (completeness.next_step), in one query without GROUP BY: no report, no budget line,
        no call description is read."""
        return (
            self.filter(applicant=user)
            .select_related("call__instrument")
            .only(*self.DASHBOARD_FIELDS)
            .with_parts()
            .order_by("-created_at", "-id")
        )

    DASHBOARD_FIELDS = (
        *("id", "call_id", "title", "abstract", "keywords", "collaboration_is_new", "status", "reference"),
        *("created_at", "call__id", "call__title_fr", "call__title_en", "call__status", "call__opens_at"),
        *("call__closes_at", "call__instrument__id", "call__instrument__code"),
    )


class Application(StateMachine, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        IN_REVIEW = "in_review", _("In review")
        DECIDED = "decided", _("Decided")
        MORE_INFO = "more_info", _("More information requested")

    # The only status changes allowed, enforced by StateMachine.transition() (accounts/states.py).
    # An application asked for more information goes back, when resubmitted, to the status it had
    # (InformationRequest.previous_status).
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
        # Decided straight from submitted: inadmissible at the screening (reviews app), never reviewed.
        Status.SUBMITTED: {Status.WITHDRAWN, Status.IN_REVIEW, Status.MORE_INFO, Status.DECIDED},
        Status.IN_REVIEW: {Status.DECIDED, Status.MORE_INFO},
        Status.MORE_INFO: {Status.SUBMITTED, Status.IN_REVIEW, Status.WITHDRAWN},
        Status.WITHDRAWN: set(),
        Status.DECIDED: set(),
    }
    STATUS_ACTION = ApplicationAction.STATUS

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("call"))
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    # Every free text has a cap, checked by the model's validators (forms and services alike).
    title = models.CharField(_("title"), max_length=300, blank=True, validators=text_validators())
    abstract = models.TextField(
        _("abstract"),
        blank=True,
        max_length=ABSTRACT_MAX_CHARS,
        validators=[*text_validators(ABSTRACT_MAX_CHARS), validate_abstract_words],
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=300,
        blank=True,
        validators=text_validators(),
        help_text=_("Separated by commas, e.g. ageing, cohort, imaging."),
    )
    # Terms of the reviewers' shared vocabulary (ids of reviews.ExpertiseTerm, chosen in the
    # applicant's language): what routing matches against the reviewers' expertise.
    vocabulary_terms = models.JSONField(
        _("fields of expertise"), default=list, blank=True, validators=[validate_vocabulary_terms]
    )
    theme = models.CharField(_("theme"), max_length=200, blank=True, validators=text_validators())
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    collaboration_is_new = models.BooleanField(
        _("the collaboration with the foreign team is new"),
        null=True,
        blank=True,
    )

    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(_("reference"), max_length=40, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    # Frozen at submission: what the rules said then, in both languages, and the amount requested.
    eligibility_report = models.JSONField(_("eligibility report"), default=list, blank=True)
    eligible = models.BooleanField(_("eligible"), null=True, blank=True)
    requested_amount = models.DecimalField(
        _("requested amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    # One more at each save of the application's content (a step, the autosave, a partner or a
    # budget line): a form carries the version it was filled from, and a save over a newer one is
    # refused with the difference shown, so that two people editing at once never lose a change.
    version = models.PositiveIntegerField(_("version"), default=1)

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["call", "status"], name="applications_call_status"),
            # The staff changelist's default order and its date drill-down, at a whole year's scale.
            models.Index(fields=["-created_at", "-id"], name="applications_recent_first"),
            models.Index(fields=["submitted_at"], name="applications_submitted_at"),
        ]

    def __str__(self):
        return self.reference or self.title or _("Application %(id)s") % {"id": self.pk}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("applications:detail", args=[self.pk])

    @property
    def url_path(self):
        """The page's path without the language prefix (for e-mail links)."""
        return f"/applications/{self.pk}/"

    # Templates ask these, never the raw status strings.
    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    @property
    def is_in_review(self):
        return self.status == self.Status.IN_REVIEW

    @property
    def is_decided(self):
        return self.status == self.Status.DECIDED

    @property
    def is_withdrawn(self):
        return self.status == self.Status.WITHDRAWN

    @property
    def is_more_info(self):
        return self.status == self.Status.MORE_INFO

    @property
    def keyword_list(self):
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class CoApplicant(models.Model):
    """Another Inserm researcher the lead invited to work on the application: they see and edit it
    while it may be changed, never submit or withdraw it (the lead's alone). Invited by e-mail
    (``email``), the invitation is accepted by the account holding that address (``user`` set,
    ``accepted_at``); removed, the row is deleted and access ends at once. Their unit counts in
    the reviewers' conflicts of interest."""

    class Role(models.TextChoices):
        CO_INVESTIGATOR = "co_investigator", _("Co-investigator")
        ADMINISTRATIVE = "administrative", _("Administrative contact")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="co_applicants", verbose_name=_("application")
    )
    email = models.EmailField(_("e-mail"), validators=text_validators())
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CO_INVESTIGATOR)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="co_applications",
        verbose_name=_("account"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    invited_at = models.DateTimeField(_("invited at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    # Sending the invitation again takes the next version: an older link is refused.
    link_version = models.PositiveIntegerField(_("version of the link"), default=1)

    class Meta:
        verbose_name = _("co-applicant")
        verbose_name_plural = _("co-applicants")
        ordering = ["invited_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="applications_coapplicant_one_per_address"),
            models.UniqueConstraint(
                fields=["application", "user"],
                condition=Q(user__isnull=False),
                name="applications_coapplicant_one_per_account",
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def accepted(self):
        return self.accepted_at is not None


class InformationRequest(models.Model):
    """Staff ask the lead of a submitted application for more information: a message, the steps
    (sections) that open again for changes, and a deadline. The application becomes
    `more information requested` until the lead resubmits (``answered_at``; it goes back to
    ``previous_status``); staff are told once when the deadline passes unanswered (``lapsed_at``)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests", verbose_name=_("application")
    )
    message = models.TextField(_("message"), max_length=5000, validators=text_validators(5000))
    # Slugs of the application's steps (general, partners, budget, declarations, attachments).
    sections = models.JSONField(_("sections to complete"), default=list)
    deadline = models.DateTimeField(_("answer by"))
    previous_status = models.CharField(
        _("status before the request"), max_length=16, choices=Application.Status.choices
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    lapsed_at = models.DateTimeField(_("staff told of no answer at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request for more information")
        verbose_name_plural = _("requests for more information")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # At most one request waits for an answer on an application.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(answered_at__isnull=True),
                name="applications_one_open_information_request",
            ),
        ]

    def __str__(self):
        return f"{self.application} — {self.requested_at:%Y-%m-%d}"

    @property
    def is_open(self):
        return self.answered_at is None


class SubmittedVersion(models.Model):
    """The frozen copy of one submission (number 1 the first, then one per resubmission): what the
    application said (``content``: its texts, partner teams, budget lines and documents' names) and
    what the rules found then, in French and English. Never changed once written; every earlier
    copy stays viewable."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="versions", verbose_name=_("application")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("submitted by")
    )
    content = models.JSONField(_("content"), default=dict)
    eligibility_report = models.JSONField(_("eligibility report"), default=list)
    eligible = models.BooleanField(_("eligible"), null=True)
    requested_amount = models.DecimalField(
        _("requested amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    information_request = models.ForeignKey(
        InformationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in answer to"),
    )

    class Meta:
        verbose_name = _("submitted version")
        verbose_name_plural = _("submitted versions")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="applications_one_version_a_number")
        ]

    def __str__(self):
        return f"{self.application} v{self.number}"


class PartnerAnswer(models.TextChoices):
    """A partner team's answer to its invitation (services in partners.py move it: waiting →
    confirmed or declined, and either back to waiting only when the link is sent again)."""

    WAITING = "waiting", _("Waiting for an answer")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class PartnerTeam(models.Model):
    class Language(models.TextChoices):
        EN = "en", _("English")
        FR = "fr", _("French")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="partners", verbose_name=_("application")
    )
    institution = models.CharField(_("institution"), max_length=250, validators=text_validators())
    city = models.CharField(_("city"), max_length=120, validators=text_validators())
    country = CountryField(_("country"))
    team_leader = models.CharField(_("team leader"), max_length=200, validators=text_validators())
    email = models.EmailField(_("team leader's e-mail"), validators=text_validators())
    # The team leader's confirmation, by the signed link the portal e-mails them (partner_links.py).
    language = models.CharField(
        _("language of the invitation"), max_length=2, choices=Language.choices, default=Language.EN
    )
    answer = models.CharField(_("answer"), max_length=16, choices=PartnerAnswer.choices, default=PartnerAnswer.WAITING)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    # Sending the link again takes the next version: a link signed with an older one is refused.
    link_version = models.PositiveIntegerField(_("version of the link"), default=1)

    class Meta:
        verbose_name = _("partner team")
        verbose_name_plural = _("partner teams")
        ordering = ["id"]

    def __str__(self):
        return f"{self.institution} ({self.country.code})"


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel and accommodation")
        CONSUMABLES = "consumables", _("Consumables")
        EQUIPMENT = "equipment", _("Small equipment")
        STAFF = "staff", _("Fixed-term staff")
        EVENTS = "events", _("Meetings and workshops")
        OTHER = "other", _("Other costs")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("application")
    )
    year = models.PositiveSmallIntegerField(_("year of the project"), validators=[MinValueValidator(1)])
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    amount = models.DecimalField(
        _("amount (EUR)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    description = models.CharField(_("details"), max_length=250, blank=True, validators=text_validators())

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["year", "category", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "year", "category"], name="applications_budgetline_one_per_year_category"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="applications_budgetline_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} — {self.year}: {self.amount} EUR"


def attachment_path(instance, filename):
    """Each application's files in their own folder, under a random name: the uploaded name never
    reaches the file system."""
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", _("Project description")
        CV = "cv", _("Curriculum vitae")
        LETTER = "letter", _("Partner's letter of support")
        OTHER = "other", _("Other document")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("application")
    )
    kind = models.CharField(_("document"), max_length=16, choices=Kind.choices, default=Kind.PROJECT)
    # A letter of support the partner team uploaded itself, through its link.
    partner = models.ForeignKey(
        "PartnerTeam",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letters",
        verbose_name=_("partner team"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def download_name(self):
        """The name every download is served under: a base name ending in .pdf, also for rows
        stored before original_name was cleaned on upload (a "report.html" is served as
        "report.pdf", never as a page the browser would render)."""
        return pdf_file_name(self.original_name)


class ReferenceCounter(models.Model):
    """The last reference number given for an instrument and a year (TREMPLIN-2026-0042).
    Locked with SELECT ... FOR UPDATE when a number is taken, so two submissions never share one."""

    instrument_code = models.CharField(_("instrument"), max_length=16)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")
        constraints = [
            models.UniqueConstraint(fields=["instrument_code", "year"], name="applications_refcounter_unique")
        ]

    def __str__(self):
        return f"{self.instrument_code}-{self.year}: {self.last_number}"


class DraftSnapshot(models.Model):
    """What a researcher typed on a step of a draft and did not save yet (partners, budget,
    declarations), kept by the page's autosave so that nothing typed is lost when they leave the
    page; given back on the step at their next visit, deleted when the step is saved."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("application")
    )
    step = models.CharField(_("step"), max_length=32)
    data = models.JSONField(_("typed values"), default=dict)
    saved_at = models.DateTimeField(_("kept at"), default=timezone.now)

    class Meta:
        verbose_name = _("unsaved changes of a draft")
        verbose_name_plural = _("unsaved changes of drafts")
        constraints = [models.UniqueConstraint(fields=["application", "step"], name="applications_one_snapshot_a_step")]

    def __str__(self):
        return f"{self.application_id} {self.step}"
