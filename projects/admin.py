"""Django admin for staff: every funded project's record, to look up and search, read-only.

A project changes only through its services (services/*.py: one function per change, each
validated, audited and notified, reached from the portal's pages): its status, dates, money,
partners, reports and evaluation are shown here, never edited, added or deleted.
"""

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditHistoryMixin
from accounts.admin_lists import country_lookups

from .models import (
    ChangeRequest,
    Evaluation,
    Instalment,
    Mission,
    Payment,
    Project,
    ProjectBudgetLine,
    ProjectPartner,
    Publication,
    Report,
    ReportAttachment,
    ReportVersion,
    Spending,
)

PARIS_TIME = _("Dates (Paris time)")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, searched and filtered; changed only by the services."""

    # Django admin renders each cell in Python: 50 rows a page, and no second count of the table.
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Projects -------------------------------------------------------------------------------------


class PartnerInline(ReadOnlyInline):
    model = ProjectPartner
    fields = ["institution", "city", "country", "team_leader", "email", "joined_on", "left_on"]
    readonly_fields = fields


class BudgetLineInline(ReadOnlyInline):
    model = ProjectBudgetLine
    fields = ["category", "planned"]
    readonly_fields = fields


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = ["sequence", "due_on", "amount"]
    readonly_fields = fields


class PartnerCountryFilter(admin.SimpleListFilter):
    title = _("country of a partner team")
    parameter_name = "partner_country"

    def lookups(self, request, model_admin):
        current = ProjectPartner.objects.filter(left_on__isnull=True).order_by()
        return country_lookups("projects", lambda: current.values_list("country", flat=True).distinct())

    def queryset(self, request, queryset):
        if self.value():
            partners = ProjectPartner.objects.filter(project=OuterRef("pk"), left_on__isnull=True, country=self.value())
            return queryset.filter(Exists(partners))
        return queryset


@admin.register(Project)
class ProjectAdmin(AuditHistoryMixin, ReadOnlyAdmin):
    list_display = ["reference", "title", "instrument", "lead", "status", "awarded", "start_date", "end_date"]
    list_filter = ["status", "instrument", "call__year", PartnerCountryFilter]
    list_select_related = ["instrument", "lead"]
    search_fields = ["reference", "title", "lead__email", "lead__last_name"]
    date_hierarchy = "start_date"
    inlines = [PartnerInline, BudgetLineInline, InstalmentInline]
    fieldsets = [
        (None, {"fields": ["reference", "title", "call", "instrument", "lead", "status", "decision", "application"]}),
        (_("Dates"), {"fields": ["decided_on", "start_date", "duration_months", "extension_months", "end_date"]}),
        (_("Funding"), {"fields": ["awarded"]}),
        (PARIS_TIME, {"fields": ["created_at", "updated_at", "closed_at"]}),
        (_("History"), {"fields": ["history"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["history"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["paid_on", "project", "amount", "instalment", "recorded_by", "recorded_at"]
    list_filter = ["project__instrument"]
    list_select_related = ["project", "instalment", "recorded_by"]
    search_fields = ["project__reference", "project__title", "note"]
    date_hierarchy = "paid_on"
    fields = ["project", "instalment", "amount", "paid_on", "note", "recorded_by", "recorded_at"]


# --- Reports --------------------------------------------------------------------------------------


class MissionInline(ReadOnlyInline):
    model = Mission
    fields = ["traveller", "from_city", "from_country", "to_city", "to_country", "started_on", "ended_on"]
    readonly_fields = fields


class PublicationInline(ReadOnlyInline):
    model = Publication
    fields = ["doi", "title", "year"]
    readonly_fields = fields


class SpendingInline(ReadOnlyInline):
    model = Spending
    fields = ["category", "spent"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = ReportAttachment
    fields = ["original_name", "size", "sha256", "uploaded_at", "uploaded_by"]
    readonly_fields = fields


class VersionInline(ReadOnlyInline):
    model = ReportVersion
    fields = ["number", "submitted_at", "submitted_by"]
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "project", "due_on", "status", "submitted_at", "reviewed_by"]
    list_filter = ["status", "kind", "scheduled", "project__instrument"]
    list_select_related = ["project", "reviewed_by"]
    search_fields = ["project__reference", "project__title", "project__lead__last_name"]
    date_hierarchy = "due_on"
    # The model's order ("project", then due date) sorts by the projects' own order (start date), a
    # join and a sort of the 36,000 reports of five years on each view; the newest projects first
    # (by id) keeps each project's reports together and is read from the project_id index.
    ordering = ["-project_id", "due_on", "id"]
    inlines = [VersionInline, MissionInline, PublicationInline, SpendingInline, AttachmentInline]
    fieldsets = [
        (None, {"fields": ["project", "kind", "sequence", "due_on", "scheduled", "status", "staff_reason"]}),
        (
            _("Report"),
            {
                "fields": [
                    "scientific_progress",
                    "partnership_outcome",
                    "next_steps",
                    "joint_grants",
                    "students",
                    "patents",
                    "data_shared",
                ]
            },
        ),
        (_("Review"), {"fields": ["reviewed_by", "staff_message"]}),
        (PARIS_TIME, {"fields": ["submitted_at", "reviewed_at", "updated_at"]}),
    ]


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "project", "number", "submitted_at", "submitted_by"]
    list_select_related = ["report__project", "submitted_by"]
    search_fields = ["report__project__reference", "report__project__title"]
    date_hierarchy = "submitted_at"
    fields = ["report", "number", "submitted_at", "submitted_by", "content"]

    @admin.display(description=_("project"), ordering="report__project__reference")
    def project(self, version):
        return version.report.project.reference


# --- Changes and the final evaluation --------------------------------------------------------------


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "reviewer", "status", "due_on", "recommendation", "submitted_at"]
    list_filter = ["status", "recommendation"]
    list_select_related = ["project", "reviewer"]
    search_fields = ["project__reference", "project__title", "reviewer__email", "reviewer__last_name"]
    fieldsets = [
        (None, {"fields": ["project", "reviewer", "status", "requested_by", "due_on"]}),
        (
            _("Evaluation"),
            {"fields": ["objectives_score", "partnership_score", "outputs_score", "recommendation", "comments"]},
        ),
        (PARIS_TIME, {"fields": ["requested_at", "submitted_at"]}),
    ]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "requested_by", "requested_at", "decided_by", "decided_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["project", "requested_by", "decided_by"]
    search_fields = ["project__reference", "project__title", "justification"]
    date_hierarchy = "requested_at"
    fieldsets = [
        (None, {"fields": ["project", "kind", "status", "justification", "requested_by"]}),
        (_("No-cost extension"), {"fields": ["months"]}),
        (
            _("Change of partner team"),
            {
                "fields": [
                    "partner_leaving",
                    "new_institution",
                    "new_city",
                    "new_country",
                    "new_team_leader",
                    "new_email",
                ]
            },
        ),
        (_("Budget transfer between lines"), {"fields": ["from_category", "to_category", "amount"]}),
        (_("Decision"), {"fields": ["decided_by", "decision_reason"]}),
        (PARIS_TIME, {"fields": ["requested_at", "decided_at"]}),
    ]
