"""The form a partner team's leader answers with, on the page their signed link opens."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import ATTACHMENT_MAX_BYTES, PartnerAnswer


class PartnerAnswerForm(forms.Form):
    """Confirm or decline, with the team's details to correct and an optional letter (PDF). The
    form only reads what is typed: partners.answer_as_partner judges every value (the model's
    caps, the e-mail, the country by the rules, the PDF by its content) and saves all or nothing."""

    answer = forms.TypedChoiceField(
        label=_("Does your team take part in this project?"),
        choices=[
            (PartnerAnswer.CONFIRMED, _("Yes, my team takes part")),
            (PartnerAnswer.DECLINED, _("No, my team does not take part")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether your team takes part.")},
    )
    institution = forms.CharField(label=_("Institution"), strip=True)
    city = forms.CharField(label=_("City"), strip=True)
    country = forms.ChoiceField(label=_("Country"))
    email = forms.EmailField(label=_("Your e-mail"))
    letter = forms.FileField(
        label=_("Letter of support (PDF, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Named in the page's language, sorted in it (built here: a list built on import would
        # keep the language of whoever imported the module first).
        self.fields["country"].choices = [("", "---------"), *countries]
        # Here too: a lazy text formatted on import is a plain text in the importer's language.
        self.fields["letter"].help_text = _(
            "A PDF of at most %(size)s MB, with a confirmation only; it replaces any letter you sent before."
        ) % {"size": ATTACHMENT_MAX_BYTES // (1024 * 1024)}

    @classmethod
    def for_partner(cls, partner, data=None, files=None):
        initial = {
            "institution": partner.institution,
            "city": partner.city,
            "country": partner.country.code if partner.country else "",
            "email": partner.email,
        }
        if partner.answer != PartnerAnswer.WAITING:
            initial["answer"] = partner.answer
        return cls(data, files, initial=initial)

    def corrections(self):
        return {name: self.cleaned_data[name] for name in ("institution", "city", "country", "email")}
