"""Staff's payment form (the project page and the payment page). The amount is read by the
service (services.money.parse_amount): typed in either language, "6 000,50" or "6000.50"."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..services.base import ProjectError
from ..services.money import parse_amount


class PaymentForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount paid (EUR)"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Give the amount paid.")},
    )
    paid_on = forms.DateField(
        label=_("Paid on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of the payment."), "invalid": _("Give the date as a date.")},
    )
    instalment = forms.TypedChoiceField(label=_("Instalment"), coerce=int, required=False, empty_value=None)
    note = forms.CharField(label=_("Note"), max_length=250, required=False)

    def __init__(self, *args, instalments=(), **kwargs):
        """`instalments`: the summary's lines (services.money.money_summary), so that the choices
        cost no query."""
        kwargs.setdefault("prefix", "payment")
        super().__init__(*args, **kwargs)
        self.fields["instalment"].choices = [("", _("None (allocated in order)"))] + [
            (line.instalment.pk, _("Instalment %(n)s") % {"n": line.sequence}) for line in instalments
        ]

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"], what=_("The payment"))
        except ProjectError as error:
            raise forms.ValidationError(error.reasons) from None
