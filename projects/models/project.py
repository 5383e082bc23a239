"""The funded project, its partner teams, its planned budget, its instalments and payments."""

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
from applications.models import Application, BudgetLine
from applications.validators import text_validators
from calls.models import Call, Instrument
from reviews.models import Decision

from .. import schedule
from ..actions import ProjectAction

LONG_TEXT = 10_000
POSITIVE_MONEY = [MinValueValidator(Decimal("0.01"))]


def money(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see every project, a researcher their own, anyone else none."""
        from accounts.permissions import is_staff

        if is_staff(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(lead=user)


class Project(StateMachine, models.Model):
    class Status(models.TextChoices):
        # A project's own words ("active" says something else of an assignment).
        STARTING = "starting", pgettext_lazy("project status", "Starting")
        ACTIVE = "active", pgettext_lazy("project status", "Active")
        FINAL_REPORT_DUE = "final_report_due", pgettext_lazy("project status", "Final report due")
        CLOSED = "closed", pgettext_lazy("project status", "Closed")
        SUSPENDED = "suspended", pgettext_lazy("project status", "Suspended")
        TERMINATED = "terminated", pgettext_lazy("project status", "Terminated early")

    TRANSITIONS = {
        Status.STARTING: {Status.ACTIVE, Status.SUSPENDED, Status.TERMINATED},
        Status.ACTIVE: {Status.FINAL_REPORT_DUE, Status.SUSPENDED, Status.TERMINATED},
        # An approved extension moves the end date back into the future.
        Status.FINAL_REPORT_DUE: {Status.CLOSED, Status.ACTIVE, Status.SUSPENDED, Status.TERMINATED},
        Status.SUSPENDED: {Status.ACTIVE, Status.STARTING, Status.FINAL_REPORT_DUE, Status.TERMINATED},
        Status.CLOSED: set(),
        Status.TERMINATED: set(),
    }
    STATUS_ACTION = ProjectAction.STATUS
    #: Statuses in which the researcher still reports and asks for changes.
    RUNNING = (Status.STARTING, Status.ACTIVE, Status.FINAL_REPORT_DUE, Status.SUSPENDED)

    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="project", verbose_name=_("decision")
    )
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="project", verbose_name=_("application")
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=300)
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="projects", verbose_name=_("call"))
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="projects", verbose_name=_("instrument")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("lead researcher"),
    )
    awarded = money(_("amount awarded (EUR)"), validators=POSITIVE_MONEY)
    decided_on = models.DateField(_("decided on"))
    start_date = models.DateField(_("start date"))
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    extension_months = models.PositiveSmallIntegerField(
        _("extension (months)"), default=0, validators=[MaxValueValidator(schedule.MAX_EXTENSION_MONTHS)]
    )
    end_date = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.STARTING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["status", "end_date"], name="projects_status_end"),
            # The default order, read backwards: admin's list (and its date drill-down's MIN/MAX).
            models.Index(fields=["start_date", "id"], name="projects_project_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(awarded__gt=0), name="projects_project_awarded_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="projects_project_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(extension_months__lte=schedule.MAX_EXTENSION_MONTHS),
                name="projects_project_extension_capped",
            ),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("projects:detail", args=[self.pk])

    @property
    def url_path(self):
        return f"/projects/{self.pk}/"

    @property
    def total_months(self):
        return self.duration_months + self.extension_months

    @property
    def plan(self):
        return schedule.plan_for(self.instrument.code, self.duration_months)

    @property
    def is_running(self):
        return self.status in self.RUNNING

    @property
    def is_closed(self):
        return self.status in (self.Status.CLOSED, self.Status.TERMINATED)

    def elapsed_percent(self, today=None):
        return schedule.elapsed_percent(self.start_date, self.end_date, today or timezone.localdate())


class ProjectPartner(models.Model):
    """A partner team of the project: copied from the application when the project is created,
    then changed only by an approved change request (the team left keeps its row, with left_on)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners", verbose_name=_("project"))
    institution = models.CharField(_("institution"), max_length=250, validators=text_validators())
    city = models.CharField(_("city"), max_length=120, validators=text_validators())
    country = CountryField(_("country"))
    team_leader = models.CharField(_("team leader"), max_length=200, validators=text_validators())
    email = models.EmailField(_("team leader's e-mail"), validators=text_validators())
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner team of a project")
        verbose_name_plural = _("partner teams of projects")
        ordering = ["id"]

    def __str__(self):
        return f"{self.institution} ({self.country.code})"

    @property
    def is_current(self):
        return self.left_on is None


class ProjectBudgetLine(models.Model):
    """The planned budget of one line over the whole project (the application's lines of every
    year added up); budget transfers approved by staff move money between lines."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    category = models.CharField(_("budget line"), max_length=16, choices=BudgetLine.Category.choices)
    planned = money(_("planned (EUR)"), validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        verbose_name = _("planned budget line")
        verbose_name_plural = _("planned budget lines")
        ordering = ["project", "category"]
        constraints = [
            models.UniqueConstraint(fields=["project", "category"], name="projects_budgetline_one_per_category"),
            models.CheckConstraint(condition=Q(planned__gte=0), name="projects_budgetline_planned_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.planned} EUR"


class Instalment(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="instalments", verbose_name=_("project")
    )
    sequence = models.PositiveSmallIntegerField(_("instalment"))
    due_on = models.DateField(_("due on"))
    amount = money(_("amount (EUR)"), validators=POSITIVE_MONEY)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["project", "sequence"]
        constraints = [models.UniqueConstraint(fields=["project", "sequence"], name="projects_instalment_unique")]

    def __str__(self):
        return _("Instalment %(n)s") % {"n": self.sequence}


class Payment(models.Model):
    """What was paid and when, recorded by staff; never more, in all, than the award."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="payments", verbose_name=_("project"))
    instalment = models.ForeignKey(
        Instalment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("instalment"),
    )
    amount = money(_("amount paid (EUR)"), validators=POSITIVE_MONEY)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=250, blank=True, validators=text_validators())
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["project", "paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="projects_payment_positive")]

    def __str__(self):
        return f"{self.paid_on}: {self.amount} EUR"
