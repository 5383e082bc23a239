"""Staff follow submissions in Django admin: filters, and the frozen eligibility report read-only.

Applications are changed only through services.py, so the admin shows them read-only.
"""

import rules
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import AuditHistoryMixin
from accounts.admin_lists import country_lookups

from . import information, transfer
from .models import (
    Application,
    Attachment,
    BudgetLine,
    CoApplicant,
    InformationRequest,
    PartnerTeam,
    ResearcherProfile,
    SubmittedVersion,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartnerInline(ReadOnlyInline):
    model = PartnerTeam
    fields = ["institution", "city", "country", "team_leader", "email", "language", "answer", "answered_at"]
    readonly_fields = fields


class BudgetLineInline(ReadOnlyInline):
    model = BudgetLine
    fields = ["year", "category", "amount", "description"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "download", "size", "sha256", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def download(self, obj):
        from django.urls import reverse
        from django.utils.html import format_html

        url = reverse("applications:attachment", args=[obj.application_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


class PartnerCountryFilter(admin.SimpleListFilter):
    title = _("partner country")
    parameter_name = "partner_country"

    def lookups(self, request, model_admin):
        return country_lookups(
            "applications", lambda: PartnerTeam.objects.order_by().values_list("country", flat=True).distinct()
        )

    def queryset(self, request, queryset):
        if self.value():
            partners = PartnerTeam.objects.filter(application=OuterRef("pk"), country=self.value())
            return queryset.filter(Exists(partners))
        return queryset


class TransferForm(forms.Form):
    """Staff name the new lead by their account's e-mail address and say why."""

    new_lead_email = forms.EmailField(
        label=_("E-mail address of the new lead"),
        help_text=_("The account of an active researcher who has filled in their researcher profile."),
    )
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        max_length=transfer.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Both leads read it in their e-mail, and it stays in the application's history."),
    )

    def clean_new_lead_email(self):
        email = self.cleaned_data["new_lead_email"]
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise ValidationError(_("No account has this e-mail address."), code="unknown")
        self.cleaned_data["new_lead"] = user
        return email


class InformationRequestForm(forms.Form):
    """Staff write what to complete, open the sections concerned and give the day to answer by."""

    message = forms.CharField(
        label=_("Message to the applicant"),
        max_length=information.MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The lead and the co-applicants read it in their e-mail and on the application's page."),
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections to open for changes"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these sections may change until the application is resubmitted."),
    )
    deadline = forms.DateField(
        label=_("Answer by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The end of that day, Paris time (23:59). Staff are told if no answer came by then."),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [
            (slug, information.STEP_NAMES[slug]) for slug in information.steps_of(application)
        ]

    def clean_deadline(self):
        return information.end_of_day(self.cleaned_data["deadline"])


class FollowsApplicationInline(ReadOnlyInline):
    """Shown to whoever may view the application (these rows have no admin of their own)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("applications.view_application")


class InformationRequestInline(FollowsApplicationInline):
    model = InformationRequest
    fields = ["requested_at", "requested_by", "message", "open_sections", "deadline", "state"]
    readonly_fields = fields

    @admin.display(description=_("sections"))
    def open_sections(self, obj):
        return ", ".join(information.section_names(obj.sections))

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.answered_at:
            answered = date_format(localtime(obj.answered_at), "DATE_FORMAT")
            return pgettext("information request", "Answered on %(date)s") % {"date": answered}
        if obj.lapsed_at:
            return pgettext("information request", "Open, deadline passed")
        return pgettext("information request", "Open")


class CoApplicantInline(FollowsApplicationInline):
    """The co-applicants the lead invited: staff see who works on the application (the lead
    invites and removes them; staff change nothing here)."""

    model = CoApplicant
    fields = ["email", "role", "user", "invited_at", "accepted_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class VersionInline(FollowsApplicationInline):
    model = SubmittedVersion
    fields = ["page", "submitted_at", "submitted_by", "eligible", "requested_amount"]
    readonly_fields = fields

    @admin.display(description=_("version"))
    def page(self, obj):
        from django.utils.html import format_html

        url = reverse("applications:version", args=[obj.application_id, obj.number])
        return format_html('<a href="{}">{}</a>', url, gettext("Version %(number)s") % {"number": obj.number})


@admin.register(Application)
class ApplicationAdmin(AuditHistoryMixin, admin.ModelAdmin):
    list_display = ["reference", "title", "applicant", "call", "status", "eligible", "requested_amount", "submitted_at"]
    list_filter = ["call", "status", PartnerCountryFilter, "eligible", "call__instrument"]
    list_select_related = ["call", "applicant"]
    search_fields = ["reference", "title", "applicant__email", "applicant__last_name", "keywords"]
    date_hierarchy = "submitted_at"
    # 50 rows a page: Django admin renders each cell in Python (100 rows cost 65 ms at 10,000
    # applications, `make bench`); filters and search find the rest.
    list_per_page = 50
    # "N results (M total)" would count the whole table once more on every page.
    show_full_result_count = False
    inlines = [
        *(CoApplicantInline, PartnerInline, BudgetLineInline, AttachmentInline),
        *(InformationRequestInline, VersionInline),
    ]
    fieldsets = (
        (None, {"fields": ("reference", "call", "applicant", "status", "submitted_at", "withdrawn_at")}),
        (
            _("Project"),
            {"fields": ("title", "abstract", "keywords", "theme", "duration_months", "collaboration_is_new")},
        ),
        (_("Eligibility at submission"), {"fields": ("eligible", "requested_amount", "report")}),
        (_("History"), {"fields": ("history",)}),
    )
    readonly_fields = [
        "reference",
        "call",
        "applicant",
        "status",
        "submitted_at",
        "withdrawn_at",
        "title",
        "abstract",
        "keywords",
        "theme",
        "duration_months",
        "collaboration_is_new",
        "eligible",
        "requested_amount",
        "report",
        "history",
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_changelist"):
            # The list shows none of the long texts: leave them, and the report's JSON, in the database.
            queryset = queryset.defer("abstract", "keywords", "eligibility_report")
        return queryset

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/transfer/",
                self.admin_site.admin_view(self.transfer_view),
                name="applications_application_transfer",
            ),
            path(
                "<path:object_id>/request-information/",
                self.admin_site.admin_view(self.request_information_view),
                name="applications_application_request_information",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, *args, **kwargs):
        context["can_transfer"] = rules.has_perm(transfer.PERMISSION, request.user)
        context["can_request_information"] = rules.has_perm(information.PERMISSION, request.user)
        return super().render_change_form(request, context, *args, **kwargs)

    def transfer_view(self, request, object_id):
        """Hand the application to another researcher (transfer.transfer_application)."""
        if not rules.has_perm(transfer.PERMISSION, request.user):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        form = TransferForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            new_lead = form.cleaned_data["new_lead"]
            try:
                transfer.transfer_application(application, new_lead, form.cleaned_data["reason"], request.user)
            except ValidationError as error:
                fields = {"new_lead": "new_lead_email", "reason": "reason"}
                for field, errors in error.message_dict.items():
                    form.add_error(fields.get(field), errors)
            else:
                messages.success(
                    request,
                    gettext("The application is now led by %(lead)s; both leads are told by e-mail.")
                    % {"lead": transfer.person(new_lead)},
                )
                return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))
        problems = transfer.transfer_problems(application, None, "x").get(None, [])
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Transfer the application to another lead"),
            "opts": self.model._meta,
            "original": application,
            "form": form,
            "problems": problems,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/applications/application/transfer.html", context)

    def request_information_view(self, request, object_id):
        """Ask the lead for more information (information.request_information)."""
        if not rules.has_perm(information.PERMISSION, request.user):
            raise PermissionDenied
        application = self.get_object(request, unquote(object_id))
        if application is None:
            raise Http404
        form = InformationRequestForm(request.POST or None, application=application)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                information.request_information(
                    application, request.user, data["message"], data["sections"], data["deadline"]
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request,
                    gettext("More information is requested; the lead is told by e-mail and may change: %(sections)s.")
                    % {"sections": ", ".join(information.section_names(data["sections"]))},
                )
                return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))
        problems = information.request_problems(application, "x", ["general"], None, None).get(None, [])
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Ask for more information"),
            "opts": self.model._meta,
            "original": application,
            "form": form,
            "problems": problems,
            "adminform": helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/applications/application/request_information.html", context)

    @admin.display(description=_("eligibility report (frozen at submission)"))
    def report(self, obj):
        language = (get_language() or "fr")[:2]
        outcomes = {"pass": _("Met"), "fail": _("Not met"), "warning": _("To check"), "todo": _("To do")}
        rows = [
            {
                "outcome": outcomes.get(entry.get("outcome", ""), entry.get("outcome", "")),
                "message": entry.get(f"message_{language}") or entry.get("message_fr", ""),
            }
            for entry in obj.eligibility_report or []
        ]
        return render_to_string("applications/admin_report.html", {"rows": rows})


@admin.register(ResearcherProfile)
class ResearcherProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "unit_code", "team", "grade", "recruited_on", "atip_avenir_year", "erc_starting_grant_year"]
    list_filter = ["grade"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__last_name", "unit_code", "team", "orcid"]
    autocomplete_fields = ["user"]
