"""The register, the sites and the yearly figures in Django admin."""

from django.contrib import admin

from .models import Cooperation, Site, YearlyFigures


@admin.register(Cooperation)
class CooperationAdmin(admin.ModelAdmin):
    list_display = ["year", "unit_code", "partner_institution", "city", "country", "kind", "source"]
    list_filter = ["year", "kind", "source", "country"]
    search_fields = ["unit_code", "partner_institution", "city", "themes"]
    raw_id_fields = ["project", "agreement", "declared_by"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "kind", "network", "city", "country", "latitude", "longitude", "active_from"]
    list_filter = ["kind", "country"]
    search_fields = ["name_fr", "name_en", "city", "network"]


@admin.register(YearlyFigures)
class YearlyFiguresAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "declared_cooperations",
        "countries",
        "agreements_in_force",
        "international_copublications",
        "eu_copublications",
    ]
