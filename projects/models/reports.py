"""The reports a project owes, their submitted versions and what they list."""

from decimal import Decimal

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
from .project import LONG_TEXT, Project, money


class Report(StateMachine, models.Model):
    """One report the project owes: scheduled from the plan (or added by staff), filled in by the
    lead researcher, frozen on each submission (ReportVersion), accepted by staff."""

    class Kind(models.TextChoices):
        PROGRESS = schedule.PROGRESS, _("Progress report")
        FINAL = schedule.FINAL, _("Final report")

    class Status(models.TextChoices):
        # A report's own words (French agrees them with "rapport", not with "candidature").
        PLANNED = "planned", pgettext_lazy("report status", "Not started")
        DRAFT = "draft", pgettext_lazy("report status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
        CHANGES_REQUESTED = "changes_requested", pgettext_lazy("report status", "Changes requested")
        ACCEPTED = "accepted", pgettext_lazy("report status", "Accepted")
        WAIVED = "waived", pgettext_lazy("report status", "Waived")

    TRANSITIONS = {
        Status.PLANNED: {Status.DRAFT, Status.SUBMITTED, Status.WAIVED},
        Status.DRAFT: {Status.SUBMITTED, Status.WAIVED},
        Status.SUBMITTED: {Status.ACCEPTED, Status.CHANGES_REQUESTED},
        Status.CHANGES_REQUESTED: {Status.SUBMITTED},
        Status.ACCEPTED: set(),
        Status.WAIVED: set(),
    }
    STATUS_ACTION = ProjectAction.REPORT_STATUS
    #: Statuses the researcher may still edit in.
    EDITABLE = (Status.PLANNED, Status.DRAFT, Status.CHANGES_REQUESTED)
    #: Statuses in which the report is owed and not yet in: overdue once past its due date.
    OWED = (Status.PLANNED, Status.DRAFT)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports", verbose_name=_("project"))
    kind = models.CharField(_("report"), max_length=16, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(
        _("year"), default=0, help_text=_("The anniversary a progress report covers (0 for the final report).")
    )
    due_on = models.DateField(_("due on"))
    scheduled = models.BooleanField(
        _("from the instrument's plan"),
        default=True,
        help_text=_("Off for a report staff added; a moved report keeps its date when the schedule changes."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    staff_reason = models.CharField(
        _("staff's reason"),
        max_length=500,
        blank=True,
        validators=text_validators(),
        help_text=_("Why staff added, moved or waived this report."),
    )

    # What the researcher writes.
    scientific_progress = models.TextField(
        _("scientific progress"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT)
    )
    partnership_outcome = models.TextField(
        _("the partnership's outcome"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT)
    )
    next_steps = models.TextField(
        _("plans (a PRI, a European application...)"),
        blank=True,
        max_length=LONG_TEXT,
        validators=text_validators(LONG_TEXT),
    )
    joint_grants = models.TextField(
        _("joint grants obtained"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT)
    )
    students = models.TextField(
        _("students trained or exchanged"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT)
    )
    patents = models.TextField(_("patents"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT))
    data_shared = models.TextField(
        _("data and resources shared"), blank=True, max_length=LONG_TEXT, validators=text_validators(LONG_TEXT)
    )

    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    staff_message = models.TextField(
        _("message to the researcher"), blank=True, max_length=5000, validators=text_validators(5000)
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["project", "due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="projects_report_status_due"),
            # Admin's date drill-down reads the first and last due dates of the list.
            models.Index(fields=["due_on"], name="projects_report_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "sequence"],
                condition=Q(scheduled=True),
                name="projects_report_one_per_plan_entry",
            )
        ]

    def __str__(self):
        if self.kind == self.Kind.PROGRESS and self.sequence:
            return _("Progress report, year %(n)s") % {"n": self.sequence}
        return str(self.get_kind_display())

    @property
    def url_path(self):
        return f"/projects/{self.project_id}/reports/{self.pk}/"

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    def is_overdue(self, today=None):
        return self.status in self.OWED and self.due_on < (today or timezone.localdate())


class ReportVersion(models.Model):
    """The frozen copy of a report as submitted: what staff review, whatever the researcher edits next."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions", verbose_name=_("report"))
    number = models.PositiveSmallIntegerField(_("version"))
    content = models.JSONField(_("content"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("submitted by")
    )

    class Meta:
        verbose_name = _("submitted version of a report")
        verbose_name_plural = _("submitted versions of reports")
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="projects_reportversion_unique")]

    def __str__(self):
        return _("%(report)s, version %(n)s") % {"report": self.report, "n": self.number}


class Mission(models.Model):
    """A mission or exchange made during the project: who went from where to where, when."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="missions", verbose_name=_("report"))
    traveller = models.CharField(_("who"), max_length=200, validators=text_validators())
    from_city = models.CharField(_("from (city)"), max_length=120, validators=text_validators())
    from_country = CountryField(_("from (country)"))
    to_city = models.CharField(_("to (city)"), max_length=120, validators=text_validators())
    to_country = CountryField(_("to (country)"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("to"))

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["report", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__gte=models.F("started_on")), name="projects_mission_dates_in_order"
            )
        ]

    def __str__(self):
        return f"{self.traveller}: {self.from_city} → {self.to_city}"

    @property
    def days(self):
        return (self.ended_on - self.started_on).days + 1


class Publication(models.Model):
    """A co-publication with the partner teams; a DOI is reported once per project."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="publications", verbose_name=_("report"))
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="publications", verbose_name=_("project")
    )
    doi = models.CharField(_("DOI"), max_length=200, help_text=_("e.g. 10.1038/s41586-020-2649-2"))
    title = models.CharField(_("title"), max_length=500, validators=text_validators())
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])

    class Meta:
        verbose_name = _("co-publication")
        verbose_name_plural = _("co-publications")
        ordering = ["report", "year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "doi"],
                name="projects_publication_doi_once_per_project",
                violation_error_message=_("This DOI is already reported for this project."),
            )
        ]

    def __str__(self):
        return f"{self.doi} ({self.year})"


class Spending(models.Model):
    """What was spent on one budget line, as the report states it (to compare with the plan)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="spending", verbose_name=_("report"))
    category = models.CharField(_("budget line"), max_length=16, choices=BudgetLine.Category.choices)
    spent = money(_("spent (EUR)"), validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("spending on a budget line")
        verbose_name_plural = _("spending by budget line")
        ordering = ["report", "category"]
        constraints = [
            models.UniqueConstraint(fields=["report", "category"], name="projects_spending_one_per_line"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="projects_spending_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.spent} EUR"


def report_attachment_path(instance, filename):
    import uuid

    return f"projects/{instance.report.project_id}/reports/{instance.report_id}/{uuid.uuid4().hex}.pdf"


class ReportAttachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report"))
    file = models.FileField(_("file"), upload_to=report_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("attachment of a report")
        verbose_name_plural = _("attachments of reports")
        ordering = ["report", "uploaded_at", "id"]

    def __str__(self):
        return self.original_name
