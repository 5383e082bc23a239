"""The outbox in Django admin: staff read every message, edit and release held letters, resend failures."""

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.admin_lists import YearScaleListMixin

from . import services
from .models import Notification, Subscription
from .rendering import render_message


class NotificationForm(forms.ModelForm):
    """While a letter is held, its edit fields start from the rendered text; unchanged text is not stored."""

    class Meta:
        model = Notification
        fields = ["subject_override", "body_override"]
        widgets = {"body_override": forms.Textarea(attrs={"rows": 16, "cols": 100})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rendered = None
        if self.instance.pk and self.instance.status == Notification.Status.HELD and "subject_override" in self.fields:
            self._rendered = render_message(self.instance)
            if not self.instance.subject_override:
                self.initial["subject_override"] = self._rendered.subject
            if not self.instance.body_override:
                self.initial["body_override"] = self._rendered.text

    def clean(self):
        data = super().clean()
        if self._rendered is not None:
            template = Notification(
                recipient=self.instance.recipient,
                to_email=self.instance.to_email,
                kind=self.instance.kind,
                language=self.instance.language,
                context=self.instance.context,
            )
            original = render_message(template)
            if (data.get("subject_override") or "").strip() == original.subject.strip():
                data["subject_override"] = ""
            if (data.get("body_override") or "").strip() == original.text.strip():
                data["body_override"] = ""
        return data


@admin.register(Notification)
class NotificationAdmin(YearScaleListMixin, admin.ModelAdmin):
    form = NotificationForm
    list_display = [
        "created_at",
        "recipient_email",
        "kind_name",
        "language",
        "status",
        "attempts",
        "error",
        "subject",
        "sent_at",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["recipient__email", "to_email", "subject", "subject_override"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = ["release", "resend"]
    ordering = ["-created_at", "-id"]
    show_full_result_count = False
    readonly = [
        "recipient",
        "to_email",
        "kind",
        "language",
        "status",
        "attempts",
        "last_error",
        "target_display",
        "created_at",
        "not_before",
        "queued_at",
        "sending_since",
        "sent_at",
        "dedupe_key",
        "rendered_subject",
        "rendered_text",
        "context_display",
    ]

    def has_add_permission(self, request):
        return False  # Notifications come from events (services.notify), never from a form.

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Notification.Status.HELD:
            return self.readonly
        return [*self.readonly, "subject_override", "body_override"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["recipient", "to_email", "kind", "language", "status", "target_display"]}),
            (_("Message"), {"fields": ["rendered_subject", "rendered_text"]}),
        ]
        if obj is not None and obj.status == Notification.Status.HELD:
            fieldsets.append((_("Edit the letter before release"), {"fields": ["subject_override", "body_override"]}))
        elif obj is not None and (obj.subject_override or obj.body_override):
            fieldsets.append((_("Edited by staff"), {"fields": ["subject_override", "body_override"]}))
        fieldsets.append(
            (
                _("Delivery"),
                {
                    "fields": [
                        "attempts",
                        "last_error",
                        "created_at",
                        "not_before",
                        "queued_at",
                        "sending_since",
                        "sent_at",
                    ]
                },
            )
        )
        fieldsets.append(
            (
                _("Technical details (for support)"),
                {"fields": ["dedupe_key", "context_display"], "classes": ["collapse"]},
            )
        )
        return fieldsets

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def recipient_email(self, obj):
        return obj.address

    @admin.display(description=_("kind"), ordering="kind")
    def kind_name(self, obj):
        """The kind's label from its declaration: the field's own display (its choices, a callable)
        builds the list of every kind twice for each row of the list."""
        return obj.kind_label

    @admin.display(description=_("last error"))
    def error(self, obj):
        """Why a delivery failed or is being retried (the mail server's answer), in the list itself:
        staff scanning the failures should not open each row to learn the cause."""
        if not obj.last_error:
            return ""
        return format_html('<span title="{}">{}</span>', obj.last_error, Truncator(obj.last_error).chars(120))

    @admin.display(description=_("subject (rendered)"))
    def rendered_subject(self, obj):
        return render_message(obj).subject

    @admin.display(description=_("text (rendered)"))
    def rendered_text(self, obj):
        return format_html("<pre>{}</pre>", render_message(obj).text)

    @admin.display(description=_("values the message was written with"))
    def context_display(self, obj):
        rows = sorted((obj.context or {}).items())
        if not rows:
            return "—"
        return format_html_join(
            "", "<div><code>{}</code> {}</div>", ((key, json.dumps(value, ensure_ascii=False)) for key, value in rows)
        )

    @admin.display(description=_("concerns"))
    def target_display(self, obj):
        if obj.content_type_id is None:
            return "—"
        return f"{obj.content_type.name} #{obj.object_id}"

    @admin.action(description=_("Release the selected held letters"), permissions=["change"])
    def release(self, request, queryset):
        try:
            count = services.release_held(queryset.values_list("pk", flat=True))
        except services.ReleaseRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d letter released.", "%(count)d letters released.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Send the selected failed notifications again"), permissions=["change"])
    def resend(self, request, queryset):
        count = services.resend_failed(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "topic", "created_at"]
    list_filter = ["topic"]
    search_fields = ["user__email", "topic"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
