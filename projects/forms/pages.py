"""Staff's forms on the project page: the start date, suspending and ending a project early."""

from django import forms
from django.utils.translation import gettext_lazy as _

REASON_MAX = 500


class StartDateForm(forms.Form):
    start = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the start date."), "invalid": _("Give the start date as a date.")},
    )

    def __init__(self, *args, project=None, **kwargs):
        if project is not None:
            kwargs.setdefault("initial", {"start": project.start_date})
        kwargs.setdefault("prefix", "start")
        super().__init__(*args, **kwargs)


class ReasonForm(forms.Form):
    """A reason staff must give (suspending, ending early), trimmed and capped."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    required_reason = _("Give the reason.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = self.required_reason


class SuspendForm(ReasonForm):
    prefix_name = "suspend"
    required_reason = _("Say why the project is suspended.")


class TerminateForm(ReasonForm):
    prefix_name = "terminate"
    required_reason = _("Say why the project ends early.")

    confirm = forms.BooleanField(
        label=_(
            "I understand that the reports not yet submitted will be waived and that the project cannot be resumed."
        ),
        error_messages={"required": _("Tick the box to confirm that the project ends early.")},
    )
