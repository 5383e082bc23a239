"""The register's forms: the staff import (the file, then the confirmation) and a unit's declaration.

The forms read what was typed; the rules are the services' (importing.py, validation.py), whose
reasons the views put back on the form."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .importing import MAX_FILE_BYTES, Content
from .models import Cooperation


def _helper():
    """Crispy renders the fields only: each template writes its own <form> and buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ImportForm(forms.Form):
    content = forms.ChoiceField(
        label=_("The file holds"), choices=Content.choices, widget=forms.RadioSelect, initial=Content.COOPERATIONS
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "The first row names the columns, in English or French. CSV in UTF-8, cells separated by "
            "commas or semicolons; or an Excel workbook (XLSX), its first sheet. At most %(max)s MB."
        )
        % {"max": MAX_FILE_BYTES // 1024 // 1024},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read: the service checks the size of what it is given too.
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is too large (at most %(max)s MB): split it."),
                params={"max": MAX_FILE_BYTES // 1024 // 1024},
            )
        return upload


class ApplyImportForm(forms.Form):
    """The import, confirmed: the token names the file kept since the dry run."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=1000)
    valid_only = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, label=_("I understand that the rejected rows will not be imported."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("valid_only") and not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick the box to import the valid rows without the rejected ones."))
        return cleaned


def _year_input():
    return forms.NumberInput(attrs={"inputmode": "numeric", "min": 1900, "max": 2100, "step": 1})


REQUIRED = ("year", "partner_institution", "city", "country", "kind")


class DeclarationForm(forms.Form):
    """One cooperation of the researcher's unit. Years are read as text: the register's rules
    (validation.judge_cooperation) say what is wrong with them, as for the import."""

    year = forms.CharField(label=_("Year"), required=False, widget=_year_input())
    partner_institution = forms.CharField(label=_("Partner institution"), required=False)
    city = forms.CharField(label=_("City"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "—"), *Cooperation.Kind.choices])
    themes = forms.CharField(label=_("Themes"), required=False)
    start_year = forms.CharField(label=_("Start year"), required=False, widget=_year_input())
    end_year = forms.CharField(label=_("End year"), required=False, widget=_year_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *countries]
        # Required by the register's rules, which judge every field at once (validation.py): the
        # form lets an empty one through so that all the reasons show together.
        for name in REQUIRED:
            self.fields[name].widget.attrs["required"] = True
        self.helper = _helper()

    @classmethod
    def initial_for(cls, row):
        return {
            "year": row.year,
            "partner_institution": row.partner_institution,
            "city": row.city,
            "country": row.country.code,
            "kind": row.kind,
            "themes": row.themes,
            "start_year": row.start_year if row.start_year is not None else "",
            "end_year": row.end_year if row.end_year is not None else "",
        }

    def show(self, error):
        """A DeclarationError's reasons on the fields they are about (None: the whole form)."""
        for name, reasons in error.errors.items():
            for reason in reasons:
                self.add_error(name if name in self.fields else None, reason)
