"""Forms of the calls pages and of the staff admin."""

import django_filters
from django import forms
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Call, Instrument, Zone, ZoneCountry


class CallFilter(django_filters.FilterSet):
    """The public list: open and upcoming calls, by instrument, zone and status."""

    OPEN, UPCOMING = "open", "upcoming"

    instrument = django_filters.ModelChoiceFilter(
        queryset=Instrument.objects.filter(has_calls=True),
        to_field_name="code",
        label=_("Instrument"),
        empty_label=_("All instruments"),
    )
    zone = django_filters.ModelChoiceFilter(
        field_name="zones",
        queryset=Zone.objects.all(),
        to_field_name="code",
        label=_("Targeted zone"),
        empty_label=_("All zones"),
    )
    status = django_filters.ChoiceFilter(
        choices=[(OPEN, _("Open now")), (UPCOMING, _("Opening soon"))],
        method="filter_status",
        label=_("Status"),
        empty_label=_("Open or opening soon"),
    )

    class Meta:
        model = Call
        fields = ["instrument", "zone", "status"]

    def selects(self):
        """(bound field, choices) of each filter. The page writes the selects itself
        (calls/call_list.html): Django's widget templates and crispy's chain cost the public list
        half of its time. The choices are read once, with one plain query per model field (its own
        iterator opens a server-side cursor on PostgreSQL: three round trips instead of one)."""
        return [(self.form[name], self._options(field)) for name, field in self.form.fields.items()]

    @staticmethod
    def _options(field):
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            return list(field.choices)
        options = [] if field.empty_label is None else [("", field.empty_label)]
        return options + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in queryset.all()]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        if value == self.OPEN:
            return queryset.open_at(now)
        if value == self.UPCOMING:
            return queryset.upcoming_at(now)
        return queryset


def listed_calls(now=None):
    """Calls on the public list: opened by staff and not yet closed (open now or opening soon)."""
    return Call.objects.listed_at(now or timezone.now())


class SubscriptionForm(forms.Form):
    instruments = forms.MultipleChoiceField(
        label=_("Tell me by e-mail when a call opens for"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    # accounts.User.draft_reminders (sent by the applications app's reminders).
    draft_reminders = forms.BooleanField(
        label=_("Remind me of my drafts before the call closes"),
        required=False,
        help_text=_("An e-mail 7 days and 1 day before the call closes, for each draft not yet submitted."),
    )

    def __init__(self, *args, instruments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instruments"].choices = [(i.code, i.name) for i in instruments]


class ZoneCountryForm(forms.ModelForm):
    class Meta:
        model = ZoneCountry
        fields = ["country"]

    def clean_country(self):
        country = self.cleaned_data["country"]
        clash = ZoneCountry.objects.filter(country=country).exclude(pk=self.instance.pk).select_related("zone").first()
        if clash is not None:
            raise ValidationError(
                _("%(country)s is already in the zone “%(zone)s”: a country belongs to one zone only."),
                code="unique",
                params={"country": clash.country.name, "zone": clash.zone.name},
            )
        return country


class CallFromInstrumentForm(forms.Form):
    instrument = forms.ModelChoiceField(
        label=_("Instrument"), queryset=Instrument.objects.filter(has_calls=True), empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title_fr = forms.CharField(
        label=_("Title (French)"), max_length=250, required=False, help_text=_("Default: the instrument and the year.")
    )
    title_en = forms.CharField(
        label=_("Title (English)"), max_length=250, required=False, help_text=_("Default: the instrument and the year.")
    )
    opens_at = forms.SplitDateTimeField(label=_("Opens at (Paris time)"), widget=admin_widgets.AdminSplitDateTime)
    closes_at = forms.SplitDateTimeField(label=_("Closes at (Paris time)"), widget=admin_widgets.AdminSplitDateTime)
