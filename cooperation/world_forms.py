"""The filters of the public page "Inserm in the world" (a GET form: it works without JavaScript).
A value the form refuses is named in a message and left out; the page still shows (status 400)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import FIRST_YEAR, Site


class WorldFilter(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        required=False,
        min_value=FIRST_YEAR,
        error_messages={"invalid": _("The year must be a number, such as 2020.")},
    )
    type = forms.ChoiceField(
        label=_("Type of site"),
        required=False,
        choices=[("", _("All types of site")), *Site.Kind.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not a type of site.")},
    )
    instrument = forms.ChoiceField(
        label=_("Instrument"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not an instrument.")},
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=10)

    def __init__(self, *args, instruments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            ("", _("All instruments")),
            *((instrument.code, instrument.name) for instrument in instruments),
        ]

    def clean_year(self):
        year = self.cleaned_data.get("year")
        if year is not None and year > timezone.localdate().year:
            raise forms.ValidationError(_("The year cannot be after this year."), code="future")
        return year

    def clean_country(self):
        code = (self.cleaned_data.get("country") or "").strip().upper()
        if code and code not in dict(countries):
            raise forms.ValidationError(
                _("“%(code)s” is not a country code (two letters, such as JP for Japan)."),
                code="unknown_country",
                params={"code": code[:10]},
            )
        return code

    def value(self, name, default=""):
        """The field's valid value, or `default` when it was left out or refused."""
        if not self.is_bound or name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value
