from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils.html import format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import personal_data
from .actions import action_label
from .admin_lists import YearScaleListMixin
from .models import AuditEvent, ErasureRequest, User
from .third_party_labels import TOTP_LABELS


@admin.register(User)
class UserAdmin(YearScaleListMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_researcher", "is_reviewer", "is_staff"]
    list_filter = ["is_researcher", "is_reviewer", "is_staff", "is_active", "language"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name", "language", "draft_reminders")}),
        (_("Roles"), {"fields": ("is_researcher", "is_reviewer", "is_active", "is_staff", "is_superuser")}),
        (_("Permissions"), {"fields": ("groups", "user_permissions")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordedContentTypeFilter(admin.SimpleListFilter):
    """The kinds of record the trail holds events of: each content type probed with EXISTS on the
    (content type, object) index, not a DISTINCT over the whole trail (30,000 events a year)."""

    title = _("content type")
    parameter_name = "content_type__id__exact"

    def lookups(self, request, model_admin):
        recorded = AuditEvent.objects.filter(content_type=OuterRef("pk"))
        types = ContentType.objects.filter(Exists(recorded))
        return sorted(((str(kind.pk), capfirst(kind.name)) for kind in types), key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


class StaffActorFilter(admin.SimpleListFilter):
    """Staff members who acted: every researcher acts too (creating, submitting), and a list of
    10,000 names is no filter; a researcher's events are found by searching their address."""

    title = _("staff member")
    parameter_name = "actor__id__exact"

    def lookups(self, request, model_admin):
        acted = AuditEvent.objects.filter(actor=OuterRef("pk"))
        staff = User.objects.filter(is_staff=True).filter(Exists(acted)).order_by("email")
        return [(str(user.pk), user.email) for user in staff.only("pk", "email")]

    def queryset(self, request, queryset):
        return queryset.filter(actor_id=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(YearScaleListMixin, ReadOnlyAdmin):
    """Who changed a call's dates or ceilings, who routed and confirmed, who reopened a review,
    who decided what amount: one read-only list for staff."""

    list_display = ["at", "actor_repr", "action_name", "content_type", "object_repr", "what_changed"]
    list_filter = ["action", RecordedContentTypeFilter, StaffActorFilter]
    search_fields = ["object_repr", "actor_repr", "object_id"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    fields = ["at", "actor", "actor_repr", "action", "content_type", "object_id", "object_repr", "what_changed"]
    readonly_fields = fields

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, event):
        """The action's label from its registry: the field's own display (its choices, a callable)
        sorts every app's actions again, twice for each row of the list."""
        return action_label(event.action)

    @admin.display(description=_("what changed"))
    def what_changed(self, event):
        """The recorded values as lines a person reads (dates in Paris time), not raw JSON."""
        model = event.content_type.model_class() if event.content_type_id else None
        return format_html_join(
            "",
            "<div>{} — {}</div>",
            ((_label(model, key), _readable(value, _field(model, key))) for key, value in _items(event.changes)),
        )


class AuditHistoryMixin:
    """A ModelAdmin mixin: the record's history from the audit trail, as a read-only field
    ("history") staff read on its change page (who, when in Paris time, what, what changed)."""

    @admin.display(description=_("history"))
    def history(self, obj):
        from django.utils import formats, timezone
        from django.utils.html import format_html

        from .audit import action_label, events_for

        if obj is None or obj.pk is None:
            return "—"
        model = type(obj)
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    formats.date_format(timezone.localtime(event.at), "DATETIME_FORMAT"),
                    event.actor_repr or _("the portal"),
                    action_label(event.action),
                    "; ".join(
                        f"{_label(model, key)} — {_readable(value, _field(model, key))}"
                        for key, value in _items(event.changes)
                    ),
                )
                for event in events_for(obj).order_by("at", "id")
            ),
        )
        if not rows:
            return _("Nothing recorded yet.")
        return format_html(
            '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
            '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            _("when"),
            _("by"),
            _("what"),
            _("what changed"),
            rows,
        )


def _field(model, name):
    """The model field a recorded key names, or None (a key of its own, a model since removed)."""
    if model is None or not name:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # FieldDoesNotExist, or a relation without a concrete field
        return None


def _label(model, key):
    """The field's own label in the reader's language ("Montant demandé"), not its code."""
    from django.utils.text import capfirst

    field = _field(model, key)
    return capfirst(getattr(field, "verbose_name", None) or key.replace("_", " ")) if key else "—"


def _items(changes):
    if isinstance(changes, dict):
        return sorted(changes.items())
    return [("", changes)] if changes not in (None, "", [], {}) else []


def _readable(value, field=None):
    """A stored value as text: an ISO date-time in local time, a before/after pair with an arrow,
    a choice by its label, an amount in euros with the locale's grouping."""
    from decimal import Decimal, InvalidOperation

    from django.db import models
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_datetime

    if isinstance(value, dict) and value and set(value) <= {"from", "to"}:
        return f"{_readable(value.get('from'), field)} → {_readable(value.get('to'), field)}"
    if isinstance(value, list):
        return ", ".join(_readable(item, field) for item in value)
    if field is not None and value is not None and getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DecimalField) and value not in (None, ""):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return str(value)
        places = 0 if amount == amount.to_integral_value() else 2
        return f"{formats.number_format(amount, places, use_l10n=True, force_grouping=True)} €"
    if isinstance(value, str):
        moment = parse_datetime(value) if len(value) >= 16 and value[4:5] == "-" else None
        if moment is not None and timezone.is_aware(moment):
            return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
        return value
    return "—" if value is None else str(value)


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    """Users' requests to erase their personal data; staff carry them out with the action."""

    list_display = ["user_repr", "status", "requested_at", "handled_by", "handled_at"]
    list_filter = ["status"]
    search_fields = ["user_repr"]
    list_select_related = ["handled_by"]
    fields = ["user", "user_repr", "reason", "status", "requested_at", "handled_by", "handled_at", "outcome"]
    readonly_fields = fields
    actions = ["erase_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Erase the personal data of the selected requests"), permissions=["change"])
    def erase_selected(self, request, queryset):
        for erasure in queryset:
            try:
                personal_data.erase(erasure, request.user)
            except personal_data.ErasureError as error:
                self.message_user(request, f"{erasure.user_repr}: {error}", messages.ERROR)
            else:
                self.message_user(request, _("Erased: %(user)s") % {"user": erasure.user_repr}, messages.SUCCESS)


# django-otp's own admin shows each device's secret key and QR code to every staff member, which
# would let one of them copy another's second factor. Staff here only see who has a device and
# remove a lost one (its owner then sets up a new one at the next login).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(ReadOnlyAdmin):
    # django-otp's field labels are not translatable: the columns carry the portal's own.
    list_display = ["device_user", "device_name", "device_confirmed", "device_created_at", "device_last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    fields = list_display
    readonly_fields = fields

    @admin.display(description=TOTP_LABELS["fields"]["user"][0], ordering="user__email")
    def device_user(self, device):
        return device.user

    @admin.display(description=TOTP_LABELS["fields"]["name"][0], ordering="name")
    def device_name(self, device):
        return device.name

    @admin.display(description=TOTP_LABELS["fields"]["confirmed"][0], boolean=True, ordering="confirmed")
    def device_confirmed(self, device):
        return device.confirmed

    @admin.display(description=TOTP_LABELS["fields"]["created_at"][0], ordering="created_at")
    def device_created_at(self, device):
        return device.created_at

    @admin.display(description=TOTP_LABELS["fields"]["last_used_at"][0], ordering="last_used_at")
    def device_last_used_at(self, device):
        return device.last_used_at

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
