"""The lead researcher's change requests (one form per kind, chosen by ?kind= on the same page)
and staff's decision on one. The services check everything again: these forms shape the input."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import LazyTypedChoiceField

from applications.models import BudgetLine

from .. import schedule
from ..models import ChangeRequest
from ..services.base import ProjectError
from ..services.money import euros, parse_amount

Kind = ChangeRequest.Kind
JUSTIFICATION_MAX = 5000


class ChangeForm(forms.Form):
    kind = None
    justification = forms.CharField(
        label=_("Justification"),
        max_length=JUSTIFICATION_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the change is needed, and what it allows the project to achieve."),
        error_messages={"required": _("Say why the change is needed: the justification is required.")},
    )

    def __init__(self, *args, project=None, **kwargs):
        self.project = project
        super().__init__(*args, **kwargs)
        # The justification comes last, after the kind's own fields.
        self.order_fields([name for name in self.fields if name != "justification"] + ["justification"])


class ExtensionForm(ChangeForm):
    kind = Kind.EXTENSION
    months = forms.IntegerField(
        label=_("Extension (months)"),
        min_value=1,
        max_value=schedule.MAX_EXTENSION_MONTHS,
        error_messages={
            "required": _("Give the number of months."),
            "invalid": _("Give the extension in whole months."),
        },
    )

    def __init__(self, *args, room=None, **kwargs):
        super().__init__(*args, **kwargs)
        if room is not None:
            self.fields["months"].help_text = _(
                "At most %(max)s months over the project's life; %(room)s still possible."
            ) % {"max": schedule.MAX_EXTENSION_MONTHS, "room": max(room, 0)}


class PartnerChangeForm(ChangeForm):
    kind = Kind.PARTNER
    leaving = forms.TypedChoiceField(
        label=_("Partner team leaving"), coerce=int, error_messages={"required": _("Choose the team that leaves.")}
    )
    institution = forms.CharField(label=_("New team's institution"), max_length=250)
    city = forms.CharField(label=_("New team's city"), max_length=120)
    country = LazyTypedChoiceField(label=_("New team's country"), choices=[])
    team_leader = forms.CharField(label=_("New team's leader"), max_length=200)
    email = forms.EmailField(label=_("New team leader's e-mail"))

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaving"].choices = [("", "—")] + [
            (p.pk, f"{p.institution}, {p.city} ({p.country.name}) — {p.team_leader}") for p in partners
        ]
        self.fields["country"].choices = [("", "—"), *countries]


class BudgetTransferForm(ChangeForm):
    kind = Kind.BUDGET_TRANSFER
    from_category = forms.ChoiceField(
        label=_("From the budget line"), error_messages={"required": _("Choose the line the money comes from.")}
    )
    to_category = forms.ChoiceField(
        label=_("To the budget line"),
        choices=[("", "—"), *BudgetLine.Category.choices],
        error_messages={"required": _("Choose the line the money goes to.")},
    )
    amount = forms.CharField(
        label=_("Amount transferred (EUR)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give the amount transferred.")},
    )

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_category"].choices = [("", "—")] + [
            (line.category, f"{line.get_category_display()} ({euros(line.planned)} €)") for line in lines
        ]

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"], what=_("The amount transferred"))
        except ProjectError as error:
            raise forms.ValidationError(error.reasons) from None


FORMS = {Kind.EXTENSION: ExtensionForm, Kind.PARTNER: PartnerChangeForm, Kind.BUDGET_TRANSFER: BudgetTransferForm}


class DecideChangeForm(forms.Form):
    """Staff's decision: one text box (the reason of a refusal, required; an optional note with
    an approval) and two buttons, ``decision=approve`` or ``decision=refuse``."""

    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("Approve or refuse the request.")},
    )
    reason = forms.CharField(
        label=_("Reason (required to refuse; an optional note with an approval)"),
        max_length=JUSTIFICATION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the change is refused: the researcher reads the reason."))
        return cleaned
