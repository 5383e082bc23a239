"""Django admin for staff: reviewers, invitations, conflicts, routing proposals, assignments,
reviews (reopen) and decisions. Every change goes through services.py."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_lists import YearScaleListMixin

from . import routing_adapter, services
from .models import (
    ConflictOfInterest,
    CriterionScore,
    Decision,
    ExpertiseTerm,
    ProposedAssignment,
    Review,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    ReviewVersion,
    RoutingProposal,
)


def _report(request, error):
    for reason in error.reasons:
        messages.error(request, reason)


@admin.register(ExpertiseTerm)
class ExpertiseTermAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_fr"]
    search_fields = ["name_en", "name_fr"]


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "institution",
        "country",
        "unit_code",
        "max_load_per_call",
        "is_available",
        "available_until",
    ]
    list_filter = ["is_available", "country"]
    search_fields = ["user__email", "user__last_name", "institution", "unit_code", "free_keywords"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["expertise", "themes"]


@admin.register(ReviewerInvitation)
class ReviewerInvitationAdmin(admin.ModelAdmin):
    """Adding an invitation invites the reviewer (e-mail queued); answers come from the reviewer."""

    list_display = ["reviewer", "call", "status", "invited_at", "responded_at"]
    list_filter = ["status", "call"]
    search_fields = ["reviewer__email", "reviewer__last_name"]
    list_select_related = ["reviewer", "call"]
    autocomplete_fields = ["reviewer"]
    fields = ["call", "reviewer", "status", "invited_by", "invited_at", "responded_at"]
    readonly_fields = ["status", "invited_by", "invited_at", "responded_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "call", "reviewer"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        invitation = services.invite_reviewer(obj.call, obj.reviewer, request.user)
        obj.pk = invitation.pk


class ConflictForm(forms.ModelForm):
    class Meta:
        model = ConflictOfInterest
        fields = ["reviewer", "application", "kind", "reason"]


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(admin.ModelAdmin):
    """Staff record conflicts here; computed ones (unit, institution, applicant, partner) need no row."""

    form = ConflictForm
    list_display = ["reviewer", "application", "kind", "source", "created_at"]
    list_filter = ["kind", "source"]
    search_fields = ["reviewer__email", "application__reference"]
    list_select_related = ["reviewer", "application"]
    autocomplete_fields = ["reviewer"]
    raw_id_fields = ["application"]

    def save_model(self, request, obj, form, change):
        conflict = services.declare_conflict(obj.reviewer, obj.application, obj.kind, obj.reason, request.user)
        obj.pk = conflict.pk


class ProposedAssignmentInline(admin.TabularInline):
    """The proposal's pairs, read only: staff add and remove them on the proposal page, through
    services.add_proposed_pair / remove_proposed_pair (proposal locked, conflicts checked, audited)."""

    model = ProposedAssignment
    verbose_name_plural = _("Proposed pairs (add or remove them on the proposal page)")
    fields = ["application", "reviewer", "affinity", "source"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("application", "reviewer")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LaunchRoutingForm(forms.ModelForm):
    class Meta:
        model = RoutingProposal
        fields = ["call", "reviewers_per_application", "due_date"]

    def clean(self):
        data = super().clean()
        call, due_date = data.get("call"), data.get("due_date")
        if call is not None and call.status not in services.ROUTABLE_CALL_STATUSES:
            self.add_error("call", _("Close the call before routing its applications."))
        if due_date is not None and due_date <= timezone.localdate():
            self.add_error("due_date", _("The reviews' due date must be in the future."))
        return data


@admin.register(RoutingProposal)
class RoutingProposalAdmin(admin.ModelAdmin):
    """Adding a proposal routes the call in one action (inline below 200 applications, by Celery
    above); staff then adjust the pairs on the proposal page and confirm."""

    list_display = ["__str__", "call", "status", "progress", "reviewers_per_application", "due_date", "created_at"]
    list_filter = ["status", "call"]
    list_select_related = ["call", "application"]
    actions = ["confirm_selected", "discard_selected", "recompute_selected"]
    inlines = [ProposedAssignmentInline]
    readonly_fields = [
        "call",
        "application",
        "status",
        "progress",
        "reviewers_per_application",
        "due_date",
        "total_affinity",
        "shortfall_list",
        "stats",
        "error",
        "created_by",
        "created_at",
        "confirmed_by",
        "confirmed_at",
        "page_link",
    ]

    class Media:
        js = ["js/reviews_progress.js"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = LaunchRoutingForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        return self.readonly_fields if obj else ["call", "reviewers_per_application", "due_date"]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            return
        proposal = services.launch_routing(
            obj.call,
            request.user,
            reviewers_per_application=obj.reviewers_per_application,
            due_date=obj.due_date,
        )
        obj.pk = proposal.pk
        obj.status = proposal.status

    @admin.display(description=_("Applications left short"))
    def shortfall_list(self, obj):
        items = [f"{s.get('reference')}: {routing_adapter.shortfall_message(s)}" for s in (obj.shortfalls or [])]
        return format_html("<br>".join(["{}"] * len(items)), *items) if items else "—"

    @admin.display(description=_("Page"))
    def page_link(self, obj):
        url = reverse("reviews:staff_proposal", args=[obj.pk])
        return format_html(
            '<a href="{}" data-progress-url="{}">{}</a>',
            url,
            reverse("reviews:proposal_progress", args=[obj.pk]) if obj.status in ("queued", "computing") else "",
            _("Open the proposal page"),
        )

    @admin.action(description=_("Confirm the selected proposals (assignments and notifications)"))
    def confirm_selected(self, request, queryset):
        count = 0
        for proposal in queryset:
            try:
                count += len(services.confirm_routing(proposal, request.user))
            except services.ReviewError as error:
                _report(request, error)
        self.message_user(
            request,
            ngettext("%(count)d assignment created.", "%(count)d assignments created.", count) % {"count": count},
        )

    @admin.action(description=_("Discard the selected proposals"))
    def discard_selected(self, request, queryset):
        for proposal in queryset:
            try:
                services.discard_routing(proposal, request.user)
            except services.ReviewError as error:
                _report(request, error)

    @admin.action(description=_("Compute the selected proposals again"))
    def recompute_selected(self, request, queryset):
        for proposal in queryset:
            services.run_routing(proposal.pk)


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(YearScaleListMixin, admin.ModelAdmin):
    list_display = ["application", "reviewer", "call", "status", "due_date", "assigned_at"]
    list_filter = ["status", "call"]
    search_fields = ["application__reference", "reviewer__email", "reviewer__last_name"]
    list_select_related = ["application", "reviewer", "call"]
    readonly_fields = [
        "application",
        "call",
        "reviewer",
        "status",
        "proposal",
        "assigned_by",
        "assigned_at",
        "ended_at",
        "end_reason",
    ]
    fields = [*readonly_fields, "due_date"]
    actions = ["remove_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("End the selected assignments"))
    def remove_selected(self, request, queryset):
        for assignment in queryset:
            services.remove_assignment(assignment, request.user, reason=str(_("Removed by staff")))


class CriterionScoreInline(admin.TabularInline):
    model = CriterionScore
    fields = ["criterion", "score", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReviewVersionInline(admin.StackedInline):
    """What the review said each time staff reopened it (read only)."""

    model = ReviewVersion
    fields = ["number", "recommendation", "general_comment", "comment_for_applicant", "scores", "submitted_at"]
    fields += ["reopened_at", "reopened_by", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(YearScaleListMixin, admin.ModelAdmin):
    list_display = ["assignment", "status", "recommendation", "submitted_at", "reopened_at"]
    list_filter = ["status", "recommendation", "assignment__call"]
    search_fields = ["assignment__application__reference", "assignment__reviewer__email"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
    readonly_fields = [
        "assignment",
        "status",
        "recommendation",
        "general_comment",
        "submitted_at",
        "reopened_at",
        "reopened_by",
    ]
    inlines = [CriterionScoreInline, ReviewVersionInline]
    actions = ["reopen_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Reopen the selected reviews for their reviewers"))
    def reopen_selected(self, request, queryset):
        reopened = 0
        for review in queryset:
            try:
                services.reopen_review(review, request.user)
            except services.ReviewError as error:
                _report(request, error)
            else:
                reopened += 1
        if reopened:
            self.message_user(request, _("The reviews are reopened."))


@admin.register(Decision)
class DecisionAdmin(YearScaleListMixin, admin.ModelAdmin):
    """Decisions are recorded on the ranking page (the ceiling is checked there); the letters are
    released from the notifications outbox."""

    list_display = ["application", "outcome", "amount", "decided_by", "decided_at", "released_at"]
    list_filter = ["outcome", "application__call"]
    search_fields = ["application__reference"]
    list_select_related = ["application", "decided_by"]
    readonly_fields = ["application", "outcome", "amount", "decided_by", "decided_at", "released_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
