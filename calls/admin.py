"""Django admin for staff: instruments, zones and their rotation, calls and the PIC register."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries as world

from accounts.admin import AuditHistoryMixin
from accounts.audit import record

from . import services
from .actions import CallAction
from .forms import CallFromInstrumentForm, ZoneCountryForm
from .models import (
    CALL_FIGURES,
    INSTRUMENT_DEFAULTS,
    Call,
    InstitutionalAgreement,
    Instrument,
    PriorityTheme,
    ReviewCriterion,
    RotationYear,
    Zone,
    ZoneCountry,
)

MAX_NAMED_COUNTRIES = 25
# Changes of these fields are written in the audit trail (who moved a deadline, who raised a ceiling).
AUDITED_CALL_FIELDS = ("opens_at", "closes_at", *CALL_FIGURES, "budget_envelope", "feedback_to_applicants")


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en", "has_calls", "default_duration_months", "ceiling_policy"]
    fieldsets = [
        (None, {"fields": ["code", "name_fr", "name_en", "description_fr", "description_en", "has_calls"]}),
        (_("Defaults of new calls"), {"fields": ["ceiling_policy", *INSTRUMENT_DEFAULTS.values()]}),
    ]


class ZoneCountryInline(admin.TabularInline):
    model = ZoneCountry
    form = ZoneCountryForm
    extra = 3


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_en", "code", "country_count"]
    search_fields = ["name_fr", "name_en", "code", "countries__country"]
    prepopulated_fields = {"code": ["name_en"]}
    inlines = [ZoneCountryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(country_count=Count("countries"))

    @admin.display(description=_("countries"), ordering="country_count")
    def country_count(self, zone):
        return zone.country_count


def _name_countries(codes):
    names = sorted(str(world.name(code)) for code in codes)
    if len(names) > MAX_NAMED_COUNTRIES:
        more = len(names) - MAX_NAMED_COUNTRIES
        return ", ".join(names[:MAX_NAMED_COUNTRIES]) + " " + gettext("and %(count)s more") % {"count": more}
    return ", ".join(names)


@admin.register(RotationYear)
class RotationYearAdmin(admin.ModelAdmin):
    list_display = ["year", "zone_names"]
    filter_horizontal = ["zones"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("zones")

    @admin.display(description=_("zones"))
    def zone_names(self, rotation):
        return ", ".join(zone.name for zone in rotation.zones.all())

    def changelist_view(self, request, extra_context=None):
        report = services.rotation_cycle()
        if report.years and report.missing_countries:
            messages.warning(
                request,
                gettext(
                    "One full cycle of the rotation (%(first)s–%(last)s) never targets these countries: "
                    "%(countries)s. Add them to a zone of the cycle."
                )
                % {
                    "first": min(report.years),
                    "last": max(report.years),
                    "countries": _name_countries(report.missing_countries),
                },
            )
        return super().changelist_view(request, extra_context)


@admin.register(PriorityTheme)
class PriorityThemeAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_en", "code"]
    search_fields = ["name_fr", "name_en"]
    prepopulated_fields = {"code": ["name_en"]}


class ReviewCriterionInline(admin.TabularInline):
    model = ReviewCriterion
    extra = 0
    fields = ["position", "name_fr", "name_en", "weight", "description_fr", "description_en"]


@admin.register(Call)
class CallAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["title_fr", "instrument", "year", "status", "opens_at", "closes_at"]
    list_filter = ["instrument", "year", "status"]
    list_select_related = ["instrument"]
    search_fields = ["title_fr", "title_en", "description_fr", "description_en"]
    date_hierarchy = "closes_at"
    readonly_fields = ["status", "history"]
    filter_horizontal = ["zones", "priority_themes"]
    inlines = [ReviewCriterionInline]
    actions = ["open_selected", "close_selected"]
    fieldsets = [
        (
            None,
            {"fields": ["instrument", "year", "status", "title_fr", "title_en", "description_fr", "description_en"]},
        ),
        (_("Dates (Paris time)"), {"fields": ["opens_at", "closes_at"]}),
        (_("Funding and partners"), {"fields": list(CALL_FIGURES)}),
        (_("Targeting"), {"fields": ["zones", "priority_themes"]}),
        (_("Committee"), {"fields": ["budget_envelope", "feedback_to_applicants"]}),
        (_("History"), {"fields": ["history"], "classes": ["collapse"]}),
    ]

    def save_model(self, request, obj, form, change):
        """Save, and write who changed the dates or the funding figures in the audit trail."""
        super().save_model(request, obj, form, change)
        if not change:
            record(request.user, CallAction.CREATED, obj)
            return
        changed = [name for name in form.changed_data if name in AUDITED_CALL_FIELDS]
        if changed:
            record(
                request.user,
                CallAction.CHANGED,
                obj,
                **{name: {"from": form.initial.get(name), "to": form.cleaned_data.get(name)} for name in changed},
            )

    def get_urls(self):
        return [
            path(
                "from-instrument/",
                self.admin_site.admin_view(self.from_instrument_view),
                name="calls_call_from_instrument",
            ),
            *super().get_urls(),
        ]

    def from_instrument_view(self, request):
        """Create a draft call with the instrument's defaults (and the year's PRI zones)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"year": timezone.localdate().year}
        form = CallFromInstrumentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                call = services.create_call_from_instrument(
                    data["instrument"],
                    data["year"],
                    by_user=request.user,
                    title_fr=data["title_fr"],
                    title_en=data["title_en"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.log_addition(request, call, [{"added": {}}])
                messages.success(
                    request,
                    gettext(
                        "The draft call “%(call)s” was created with the defaults of %(instrument)s. "
                        "Check it, then open it."
                    )
                    % {"call": call.title, "instrument": call.instrument.name},
                )
                return HttpResponseRedirect(reverse("admin:calls_call_change", args=[call.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Create a call from an instrument"),
            "opts": self.model._meta,
            "form": form,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/calls/call/from_instrument.html", context)

    def _confirm(self, request, queryset, action, title, apply, problems_of):
        """Show what the action will do, and why a call cannot take it (the service's own reasons,
        `problems_of(call)`); apply it once staff confirm."""
        if request.POST.get("confirm") == "yes":
            done = 0
            for call in queryset.select_related("instrument"):
                try:
                    apply(call, request.user)
                except ValidationError as error:
                    self.message_user(
                        request,
                        gettext("“%(call)s” was not changed: %(reasons)s")
                        % {"call": call.title, "reasons": " ".join(error.messages)},
                        messages.ERROR,
                    )
                else:
                    done += 1
                    self.log_change(request, call, [{"changed": {"fields": ["status"]}}])
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d call changed.", "%(count)d calls changed.", done) % {"count": done},
                    messages.SUCCESS,
                )
            return None
        calls = list(queryset.select_related("instrument").prefetch_related("zones__countries", "priority_themes"))
        rows = [{"call": call, "problems": problems_of(call), "consequences": []} for call in calls]
        if action == "close_selected":
            consequences = services.closing_consequences([row["call"] for row in rows if not row["problems"]])
            for row in rows:
                row["consequences"] = consequences.get(row["call"].pk, [])
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "rows": rows,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected": [str(call.pk) for call in calls],
            "any_ok": any(not row["problems"] for row in rows),
        }
        return TemplateResponse(request, "admin/calls/call/confirm_status_change.html", context)

    @admin.action(description=_("Open the selected calls"), permissions=["change"])
    def open_selected(self, request, queryset):
        return self._confirm(
            request, queryset, "open_selected", _("Open these calls?"), services.open_call, services.opening_problems
        )

    @admin.action(description=_("Close the selected calls"), permissions=["change"])
    def close_selected(self, request, queryset):
        return self._confirm(
            request, queryset, "close_selected", _("Close these calls?"), services.close_call, services.closing_problems
        )


@admin.register(InstitutionalAgreement)
class InstitutionalAgreementAdmin(admin.ModelAdmin):
    list_display = ["partner_institution", "country", "themes_fr", "starts_on", "ends_on", "status"]
    list_filter = ["status", "country"]
    search_fields = ["partner_institution", "themes_fr", "themes_en", "notes"]
