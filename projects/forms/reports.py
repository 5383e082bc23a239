"""The report's forms: the lead researcher's draft (texts, missions, co-publications, spending by
budget line, documents) and staff's (add, move or waive a report; accept or ask for changes).

The forms read what was typed and give early answers beside the fields; services.reports judges
everything again (a form is one caller among several) and says where each problem is, which the
page puts back beside the same fields."""

from crispy_forms.helper import FormHelper
from django import forms
from django.forms import formset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from applications.documents import inspect_pdf
from applications.forms import TextCaps
from applications.models import ATTACHMENT_MAX_BYTES

from ..models import Mission, Report
from ..services import reports as services

TEXT_ROWS = 6
DATE_WIDGET = {"type": "date"}


def _helper():
    """Crispy renders the fields only: the templates write their own <form> and buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


def _date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give a date, e.g. 2027-03-15.")},
        **kwargs,
    )


class ReportTextForm(TextCaps, forms.ModelForm):
    """The report's texts: a progress report asks for the scientific progress and the other
    outcomes; a final report also for the partnership's outcome and what comes next."""

    class Meta:
        model = Report
        fields = list(services.TEXT_FIELDS)
        widgets = {name: forms.Textarea(attrs={"rows": TEXT_ROWS}) for name in services.TEXT_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        required = services.REQUIRED_TEXT.get(self.instance.kind, ())
        if self.instance.kind != Report.Kind.FINAL:
            for name in ("partnership_outcome", "next_steps"):
                del self.fields[name]
        for name, field in self.fields.items():
            field.required = False  # a draft may be incomplete; submitting asks for the required ones
            field.label = capfirst(field.label)
            if name in required:
                field.help_text = _("Required to submit the report.")
        self.show_text_caps()

    def texts(self):
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class MissionForm(forms.Form):
    traveller = forms.CharField(label=capfirst(_("who")), max_length=200)
    from_city = forms.CharField(label=capfirst(_("from (city)")), max_length=120)
    from_country = forms.ChoiceField(label=capfirst(_("from (country)")))
    to_city = forms.CharField(label=capfirst(_("to (city)")), max_length=120)
    to_country = forms.ChoiceField(label=capfirst(_("to (country)")))
    started_on = _date_field(capfirst(_("from")))
    ended_on = _date_field(capfirst(_("to")))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "---------"), *Mission._meta.get_field("from_country").choices]
        self.fields["from_country"].choices = choices
        self.fields["to_country"].choices = choices
        self.fields["started_on"].label = _("Date of departure")
        self.fields["ended_on"].label = _("Date of return")

    def clean(self):
        data = super().clean()
        start, end = data.get("started_on"), data.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The mission cannot end before it starts."))
        return data


class PublicationForm(forms.Form):
    doi = forms.CharField(
        label=_("DOI"),
        max_length=250,
        help_text=_("e.g. 10.1038/s41586-020-2649-2 (a https://doi.org/ link is accepted too)"),
    )
    title = forms.CharField(label=capfirst(_("title")), max_length=500)
    year = forms.IntegerField(label=capfirst(_("year")))

    def clean_doi(self):
        doi = services.normalize_doi(self.cleaned_data.get("doi"))
        problem = services.doi_error(doi)
        if problem:
            raise forms.ValidationError(problem)
        return doi

    def clean_year(self):
        year = self.cleaned_data.get("year")
        last = services.last_publication_year()
        if year is not None and not services.FIRST_PUBLICATION_YEAR <= year <= last:
            raise forms.ValidationError(
                _("Give a year between %(first)s and %(last)s.")
                % {"first": services.FIRST_PUBLICATION_YEAR, "last": last}
            )
        return year


class RowsFormSet(forms.BaseFormSet):
    """Extra rows left empty are ignored; `rows()` gives (form, data) for the others, once valid."""

    def rows(self):
        return [
            (form, form.cleaned_data)
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]


MissionFormSet = formset_factory(
    MissionForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=100, validate_max=True, absolute_max=100
)
PublicationFormSet = formset_factory(
    PublicationForm, formset=RowsFormSet, extra=1, can_delete=True, max_num=100, validate_max=True, absolute_max=100
)


def mission_initial(report):
    return [
        {name: getattr(mission, name) for name in services.MISSION_FIELDS} | {"days": mission.days}
        for mission in report.missions.all()
    ]


def publication_initial(report):
    return [{name: getattr(p, name) for name in services.PUBLICATION_FIELDS} for p in report.publications.all()]


class SpendingForm(forms.Form):
    """One amount per budget line of the project, with the planned amount beside it."""

    def __init__(self, *args, lines=(), spent=None, **kwargs):
        kwargs.setdefault("prefix", "spending")
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        spent = spent or {}
        for line in self.lines:
            self.fields[line.category] = forms.DecimalField(
                label=line.get_category_display(),
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                initial=spent.get(line.category),
                localize=False,
                error_messages={"min_value": _("The amount spent cannot be negative.")},
            )

    def rows(self):
        """(bound field, planned amount) per line, for the template."""
        return [(self[line.category], line.planned) for line in self.lines]

    def amounts(self):
        return {line.category: self.cleaned_data.get(line.category) for line in self.lines}


class ReportAttachmentForm(forms.Form):
    max_file_mb = ATTACHMENT_MAX_BYTES // (1024 * 1024)
    max_count = services.ATTACHMENT_MAX_COUNT

    file = forms.FileField(
        label=_("PDF file"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "attachment")
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.fields["file"].help_text = _("PDF only, at most %(size)s MB; at most %(count)s documents.") % {
            "size": self.max_file_mb,
            "count": self.max_count,
        }

    def clean_file(self):
        """An early answer on the file's content; services.reports.add_report_attachment judges it again."""
        upload = self.cleaned_data["file"]
        inspect_pdf(upload, max_bytes=ATTACHMENT_MAX_BYTES)
        return upload


# --- Staff ------------------------------------------------------------------------------------------


def _reason_field(label):
    return forms.CharField(
        label=label,
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason.")},
    )


class AddReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=Report.Kind.choices)
    due_on = _date_field(_("Due on"))
    reason = _reason_field(_("Why this report is added"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "add_report")
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class MoveReportForm(forms.Form):
    due_on = _date_field(_("New due date"))
    reason = _reason_field(_("Why the due date moves"))

    def __init__(self, *args, report=None, **kwargs):
        kwargs.setdefault("prefix", "move")
        if report is not None:
            kwargs.setdefault("initial", {"due_on": report.due_on})
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class WaiveReportForm(forms.Form):
    reason = _reason_field(_("Why the report is waived"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "waive")
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RequestChangesForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the researcher"),
        max_length=services.MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what to change: the researcher receives this message by e-mail and sees it on the report."),
        error_messages={"required": _("Write the message: say what the researcher should change.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "changes")
        super().__init__(*args, **kwargs)
        self.helper = _helper()
