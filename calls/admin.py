from django.contrib import admin

from .models import Call, Instrument


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "instrument", "year", "status", "opens_at", "closes_at"]
    list_filter = ["instrument", "year", "status"]
    search_fields = ["title_fr", "title_en"]
