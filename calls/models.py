"""Instruments of Inserm's international cooperation and their calls for projects."""

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(obj, field):
    """The French or English variant of a bilingual field, falling back to French."""
    lang = (get_language() or "fr")[:2]
    value = getattr(obj, f"{field}_{lang}", "")
    return value or getattr(obj, f"{field}_fr", "")


class Instrument(models.Model):
    class Code(models.TextChoices):
        TREMPLIN = "TREMPLIN", _("International springboards (Tremplins)")
        PRI = "PRI", _("International research projects (PRI)")
        PIC = "PIC", _("Key international partnerships (PIC)")
        PCT = "PCT", _("Thematic coordination programmes (PCT)")

    code = models.CharField(_("code"), max_length=16, choices=Code.choices, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return in_language(self, "name")


class CallQuerySet(models.QuerySet):
    def open_at(self, when):
        return self.filter(status=Call.Status.OPEN, opens_at__lte=when, closes_at__gt=when)

    def open_now(self):
        return self.open_at(timezone.now())


class Call(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        IN_REVIEW = "in_review", _("In review")
        DECIDED = "decided", _("Decided")

    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="calls", verbose_name=_("instrument")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title_fr = models.CharField(_("title (French)"), max_length=250)
    title_en = models.CharField(_("title (English)"), max_length=250)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["closes_at", "id"]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return in_language(self, "title")

    @property
    def description(self):
        return in_language(self, "description")
