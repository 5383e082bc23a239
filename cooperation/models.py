"""Inserm in the world (issue 19): the register of the international cooperations its teams
declare each year, the sites abroad shown on the map, and the yearly figures.

A cooperation is one unit's link with one partner institution in one year, of one kind: the same
(unit, year, institution, city, country, kind) twice is a duplicate, refused by the database (the
import's idempotence rests on it). Funded projects and PIC agreements feed the register
(``source``); researchers declare their unit's own; staff import a year's file.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

#: The first year of the register; a year after the current one is refused (services.check_year).
FIRST_YEAR = 1990


class Cooperation(models.Model):
    class Kind(models.TextChoices):
        COPUBLICATION = "copublication", _("Co-publication")
        MOBILITY = "mobility", _("Mobility")
        JOINT_PROJECT = "joint_project", _("Joint project")
        SHARED_RESOURCES = "shared_resources", _("Shared data or equipment")
        COHORT = "cohort", _("Cohort")
        AGREEMENT = "agreement", _("Agreement")

    class Source(models.TextChoices):
        DECLARED = "declared", _("Declared by the unit")
        IMPORTED = "imported", _("Imported by staff")
        PROJECT = "project", _("Funded project")
        AGREEMENT = "agreement", _("PIC agreement")

    year = models.PositiveSmallIntegerField(
        _("year declared"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(2100)]
    )
    unit_code = models.CharField(_("unit code"), max_length=20, db_index=True)
    partner_institution = models.CharField(_("partner institution"), max_length=250)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"), db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    themes = models.CharField(_("themes"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperations",
        verbose_name=_("funded project"),
    )
    agreement = models.ForeignKey(
        "calls.InstitutionalAgreement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cooperations",
        verbose_name=_("PIC agreement"),
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.DECLARED)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("declared cooperation")
        verbose_name_plural = _("declared cooperations")
        ordering = ["-year", "country", "partner_institution", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_code", "year", "partner_institution", "city", "country", "kind"],
                name="cooperation_one_per_unit_year_partner_kind",
            ),
            models.CheckConstraint(
                condition=Q(end_year__isnull=True)
                | Q(start_year__isnull=True)
                | Q(end_year__gte=models.F("start_year")),
                name="cooperation_ends_after_it_starts",
            ),
        ]
        indexes = [models.Index(fields=["year", "country"], name="cooperation_year_country")]

    def __str__(self):
        return f"{self.unit_code} — {self.partner_institution} ({self.country.code}, {self.year})"

    def clean(self):
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("A cooperation cannot end before it starts.")})


class Site(models.Model):
    """A place of Inserm abroad on the map: an international joint unit, a PRI city, a city of an
    international research network (``network`` names the network its cities share), an ANRS-MIE
    site or an office."""

    class Kind(models.TextChoices):
        JOINT_UNIT = "joint_unit", _("International joint unit")
        PRI_CITY = "pri_city", _("International research project (PRI)")
        NETWORK = "network", _("International research network (CNRS–Inserm)")
        ANRS_SITE = "anrs_site", _("ANRS-MIE site")
        OFFICE = "office", _("Office")

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    network = models.CharField(_("network"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    active_from = models.PositiveSmallIntegerField(_("active from (year)"), null=True, blank=True)
    active_until = models.PositiveSmallIntegerField(_("active until (year)"), null=True, blank=True)

    class Meta:
        verbose_name = _("site abroad")
        verbose_name_plural = _("sites abroad")
        ordering = ["kind", "country", "city", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name_en", "city", "country"], name="cooperation_one_site"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="cooperation_site_on_earth",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.city})"

    @property
    def name(self):
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr

    def active_in(self, year):
        return (self.active_from is None or self.active_from <= year) and (
            self.active_until is None or year <= self.active_until
        )


class YearlyFigures(models.Model):
    """A year's figures. Each figure left empty is computed from the register (cooperations,
    countries) or the PIC agreements in force; the publication counts are only ever entered, with
    their source."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    declared_cooperations = models.PositiveIntegerField(_("declared cooperations"), null=True, blank=True)
    countries = models.PositiveSmallIntegerField(_("countries"), null=True, blank=True)
    agreements_in_force = models.PositiveSmallIntegerField(_("cooperation agreements in force"), null=True, blank=True)
    international_copublications = models.PositiveIntegerField(
        _("international co-publications"), null=True, blank=True
    )
    international_share = models.DecimalField(
        _("share of Inserm's publications (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    eu_copublications = models.PositiveIntegerField(_("co-publications with the EU"), null=True, blank=True)
    eu_share = models.DecimalField(
        _("share of Inserm's publications with the EU (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    source = models.TextField(_("source of the entered figures"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("yearly figures")
        verbose_name_plural = _("yearly figures")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(international_share__isnull=True) | Q(international_share__gte=0, international_share__lte=100)
                )
                & (Q(eu_share__isnull=True) | Q(eu_share__gte=0, eu_share__lte=100)),
                name="cooperation_shares_are_percentages",
            ),
        ]

    def __str__(self):
        return str(self.year)
