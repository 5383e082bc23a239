"""Instruments of Inserm's international cooperation, their calls for projects, the PRI zones and
their rotation, the priority themes and the register of key international partnerships (PIC)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from accounts.states import StateMachine

from . import rules
from .actions import CallAction


def in_language(obj, field):
    """The French or English variant of a bilingual field, falling back to French."""
    lang = (get_language() or "fr")[:2]
    value = getattr(obj, f"{field}_{lang}", "")
    return value or getattr(obj, f"{field}_fr", "")


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, null=True, blank=True, **kwargs)


# A call's funding and partner figures, named once: a new call copies them from its instrument's
# defaults, staff edit them in admin (and the audit trail records who changed them), the rules
# judge them (rules.CallFacts and rules.InstrumentFacts have a field of each name).
CALL_FIGURES = (
    "duration_months",
    "ceiling",
    "european_ceiling",
    "non_european_ceiling",
    "min_partners",
    "max_partners",
    "partners_must_confirm",
)
# The instrument's field that holds the default of each figure.
INSTRUMENT_DEFAULTS = {
    figure: "default_duration_months" if figure == "duration_months" else figure for figure in CALL_FIGURES
}


class Instrument(models.Model):
    class Code(models.TextChoices):
        TREMPLIN = "TREMPLIN", _("International springboards (Tremplins)")
        PRI = "PRI", _("International research projects (PRI)")
        PIC = "PIC", _("Key international partnerships (PIC)")
        PCT = "PCT", _("Thematic coordination programmes (PCT)")

    class CeilingPolicy(models.TextChoices):
        SINGLE = "single", _("One ceiling for every application")
        BY_REGION = "by_region", _("European and non-European ceilings")
        PER_CALL = "per_call", _("Set for each call by staff")
        NONE = "none", _("No funding by call")

    code = models.CharField(_("code"), max_length=16, choices=Code.choices, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    has_calls = models.BooleanField(
        _("has calls for projects"), default=True, help_text=_("Key partnerships (PIC) are agreements, not calls.")
    )
    default_duration_months = models.PositiveSmallIntegerField(_("default duration (months)"), null=True, blank=True)
    ceiling_policy = models.CharField(
        _("ceiling policy"), max_length=16, choices=CeilingPolicy.choices, default=CeilingPolicy.SINGLE
    )
    ceiling = money_field(_("ceiling (EUR)"), validators=[MinValueValidator(Decimal(0))])
    european_ceiling = money_field(
        _("ceiling for European partnerships (EUR)"), validators=[MinValueValidator(Decimal(0))]
    )
    non_european_ceiling = money_field(
        _("ceiling for partnerships outside Europe (EUR)"), validators=[MinValueValidator(Decimal(0))]
    )
    min_partners = models.PositiveSmallIntegerField(_("minimum number of partner teams"), default=1)
    max_partners = models.PositiveSmallIntegerField(_("maximum number of partner teams"), null=True, blank=True)
    partners_must_confirm = models.BooleanField(
        _("every partner team must confirm"),
        default=False,
        help_text=_("New calls ask each partner team to confirm its participation before submission."),
    )

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_language(self, "name")

    @property
    def topic(self):
        """The notification topic researchers subscribe to, to hear of this instrument's calls: the
        only place it is spelt (the alerts page saves it, opening a call notifies it). Stored in
        subscriptions, so changing it needs a data migration."""
        return f"instrument:{self.code}"

    def call_defaults(self):
        """{figure: value} a new call of this instrument starts with (see CALL_FIGURES)."""
        return {figure: getattr(self, field) for figure, field in INSTRUMENT_DEFAULTS.items()}

    def facts(self):
        return rules.InstrumentFacts(code=self.code, has_calls=self.has_calls, **self.call_defaults())


class Zone(models.Model):
    """A group of countries a PRI call may target; each country is in at most one zone."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_language(self, "name")


class ZoneCountry(models.Model):
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="countries", verbose_name=_("zone"))
    # unique: the database itself refuses a country in two zones.
    country = CountryField(
        _("country"), unique=True, error_messages={"unique": _("This country is already in another zone.")}
    )

    class Meta:
        verbose_name = _("country of the zone")
        verbose_name_plural = _("countries of the zone")
        ordering = ["zone", "country"]

    def __str__(self):
        return str(self.country.name)

    def clean(self):
        super().clean()
        if self.country and rules.is_france(self.country.code):
            raise ValidationError(
                {
                    "country": _(
                        "France, overseas France included, is in no zone: a partner there is never a partner abroad."
                    )
                }
            )


class RotationYear(models.Model):
    """The zones PRI calls target in a year. The rows form one cycle, repeated in later years."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    zones = models.ManyToManyField(Zone, related_name="rotation_years", verbose_name=_("zones"))

    class Meta:
        verbose_name = _("year of the PRI rotation")
        verbose_name_plural = _("PRI zone rotation")
        ordering = ["year"]

    def __str__(self):
        return str(self.year)


class PriorityTheme(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("priority theme")
        verbose_name_plural = _("priority themes")
        ordering = ["name_fr"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_language(self, "name")


class CallQuerySet(models.QuerySet):
    # Each query here says in SQL what the Call method of the same name says in Python
    # (open_at / is_open_at, upcoming_at / is_upcoming_at): change them together.
    def open_at(self, when):
        return self.filter(status=Call.Status.OPEN, opens_at__lte=when, closes_at__gt=when)

    def open_now(self):
        return self.open_at(timezone.now())

    def upcoming_at(self, when):
        """Announced (opened by staff) but accepting applications only later."""
        return self.filter(status=Call.Status.OPEN, opens_at__gt=when)

    def listed_at(self, when):
        """The public list: open or upcoming, i.e. opened by staff and not closed yet."""
        return self.filter(status=Call.Status.OPEN, closes_at__gt=when)

    def public(self):
        """Calls anyone may read about: every call staff have opened, drafts excepted."""
        return self.exclude(status=Call.Status.DRAFT)


class Call(StateMachine, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        IN_REVIEW = "in_review", _("In review")
        DECIDED = "decided", pgettext_lazy("call status", "Decided")

    # The state machine of a call, in one place: status -> the statuses it may move to.
    TRANSITIONS = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.CLOSED},
        Status.CLOSED: {Status.IN_REVIEW},
        Status.IN_REVIEW: {Status.DECIDED},
        Status.DECIDED: set(),
    }
    STATUS_ACTION = CallAction.STATUS

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="calls", verbose_name=_("instrument")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title_fr = models.CharField(_("title (French)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"), help_text=_("Paris time."))
    closes_at = models.DateTimeField(_("closes at"), help_text=_("Paris time. Applications are refused from then on."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    duration_months = models.PositiveSmallIntegerField(_("duration (months)"), null=True, blank=True)
    ceiling = money_field(_("ceiling (EUR)"))
    european_ceiling = money_field(_("ceiling for European partnerships (EUR)"))
    non_european_ceiling = money_field(_("ceiling for partnerships outside Europe (EUR)"))
    min_partners = models.PositiveSmallIntegerField(_("minimum number of partner teams"), default=1)
    max_partners = models.PositiveSmallIntegerField(_("maximum number of partner teams"), null=True, blank=True)
    partners_must_confirm = models.BooleanField(
        _("every partner team must confirm"),
        default=False,
        help_text=_("An application is submitted only once each partner team has confirmed its participation."),
    )
    # The committee (issue 18): what the call may fund in all, against which the pending funded
    # decisions are totalled at the meeting; and whether the decision letters carry the reviewers'
    # comments for the applicant and the rapporteur's synthesis (never a reviewer's name).
    budget_envelope = money_field(
        _("budget envelope (EUR)"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the call may fund in all; the committee meeting totals the funded decisions against it."),
    )
    feedback_to_applicants = models.BooleanField(
        _("decision letters include the reviewers' feedback"),
        default=False,
        help_text=_(
            "The synthesis and the reviewers' comments for the applicant are added to each decision letter, "
            "without the reviewers' names."
        ),
    )
    zones = models.ManyToManyField(
        Zone,
        blank=True,
        related_name="calls",
        verbose_name=_("targeted zones"),
        help_text=_("PRI: the zones of the year's rotation unless you change them."),
    )
    priority_themes = models.ManyToManyField(
        PriorityTheme, blank=True, related_name="calls", verbose_name=_("priority themes")
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["closes_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget_envelope__isnull=True) | models.Q(budget_envelope__gte=0),
                name="calls_budget_envelope_not_negative",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return in_language(self, "title")

    @property
    def description(self):
        return in_language(self, "description")

    def is_open_at(self, when):
        return self.status == self.Status.OPEN and self.opens_at <= when < self.closes_at

    def is_upcoming_at(self, when):
        """Announced (opened by staff) but accepting applications only later."""
        return self.status == self.Status.OPEN and when < self.opens_at

    def facts(self, zone_countries=frozenset(), priority_themes=frozenset()):
        """The call as plain values for the rules (see services.call_facts for the related rows)."""
        return rules.CallFacts(
            instrument_code=self.instrument.code,
            status=self.status,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            zone_countries=frozenset(zone_countries),
            priority_themes=frozenset(priority_themes),
            **{figure: getattr(self, figure) for figure in CALL_FIGURES},
        )

    def clean(self):
        """Refuse values no call may have, even as a draft (the rules module decides which)."""
        super().clean()
        if self.opens_at is None or self.closes_at is None or self.instrument_id is None:
            return
        instrument = self.instrument.facts()
        if not instrument.has_calls:
            problems = rules.check_call(None, instrument)  # key partnerships have no call at all
        else:
            problems = rules.check_call_values(self.facts(), instrument)
        errors = {}
        for finding in problems:
            errors.setdefault(finding.subject or "__all__", []).append(str(finding.message))
        if errors:
            raise ValidationError(errors)


class ReviewCriterion(models.Model):
    """What reviewers score a call's applications on; the weights sum into the ranking."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call"))
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(Decimal(0))]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["call", "position", "id"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_language(self, "name")

    @property
    def description(self):
        return in_language(self, "description")


class InstitutionalAgreement(models.Model):
    """The register of key international partnerships (PIC): agreements chosen by Inserm's top
    management, recorded by staff; nobody applies for them."""

    class Status(models.TextChoices):
        NEGOTIATION = "negotiation", _("Under negotiation")
        ACTIVE = "active", _("In force")
        ENDED = "ended", _("Ended")

    partner_institution = models.CharField(_("partner institution"), max_length=250)
    country = CountryField(_("country"))
    themes_fr = models.CharField(_("themes (French)"), max_length=300, blank=True)
    themes_en = models.CharField(_("themes (English)"), max_length=300, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("key international partnership (PIC)")
        verbose_name_plural = _("key international partnerships (PIC)")
        ordering = ["partner_institution"]
        constraints = [
            models.UniqueConstraint(fields=["partner_institution", "country"], name="unique_pic_per_institution"),
        ]

    def __str__(self):
        return f"{self.partner_institution} ({self.country.name})"

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The agreement cannot end before it starts.")})
