"""The researcher's forms: profile, and one form (or formset) per step of an application."""

import math
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from calls import rules
from calls.models import PriorityTheme

from . import drafting, selectors
from .documents import inspect_pdf
from .models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    ATTACHMENT_MAX_TOTAL_BYTES,
    Application,
    Attachment,
    BudgetLine,
    CoApplicant,
    PartnerTeam,
    ResearcherProfile,
)
from .validators import ABSTRACT_MAX_WORDS, normalize_orcid, normalize_unit_code


def _helper():
    """Crispy renders the fields only: each template writes its own <form> and buttons."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class TextCaps:
    """Every text with a cap is shown the way the title's is: no maxlength in the page (a browser
    would cut a pasted text without a word); the server refuses a longer one, saying its length
    (the model's validators, for the services too); static/js/word-counter.js shows the count
    beside the field (data-max-chars) once the text nears its cap."""

    def show_text_caps(self):
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)
            if getattr(field, "max_length", None) and not field.widget.is_hidden:
                field.widget.attrs.update(
                    {
                        "data-max-chars": field.max_length,
                        "data-template-chars": _("Characters: %(count)s of %(max)s"),
                        "data-template-over": _("Characters: %(count)s of %(max)s — too long"),
                    }
                )


class ProfileForm(TextCaps, forms.ModelForm):
    # Longer than stored: "u 1234" and "https://orcid.org/..." are accepted, then normalised; the
    # model's validators judge the normalised value.
    unit_code = forms.CharField(
        label=_("Inserm unit code"), max_length=20, help_text=_("The letter U followed by digits, e.g. U1234.")
    )
    orcid = forms.CharField(
        label=_("ORCID iD"), max_length=60, required=False, help_text=_("Optional, e.g. 0000-0002-1825-0097.")
    )

    class Meta:
        model = ResearcherProfile
        fields = [
            "unit_code",
            "team",
            "grade",
            "recruited_on",
            "atip_avenir_year",
            "erc_starting_grant_year",
            "orcid",
        ]
        widgets = {"recruited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.show_text_caps()

    def clean_unit_code(self):
        return normalize_unit_code(self.cleaned_data.get("unit_code"))

    def clean_orcid(self):
        return normalize_orcid(self.cleaned_data.get("orcid"))


class GeneralForm(TextCaps, forms.ModelForm):
    class Meta:
        model = Application
        # No duration: a project lasts its instrument's (set when the draft starts, checked by the rules).
        fields = ["title", "abstract", "vocabulary_terms", "keywords", "theme"]
        widgets = {"abstract": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        abstract = self.fields["abstract"]
        abstract.help_text = _("At most %(max)s words.") % {"max": ABSTRACT_MAX_WORDS}
        # The word counter (static/js/word-counter.js) reads this and adds itself to aria-describedby,
        # after the help text and the errors Django ties to the field.
        abstract.widget.attrs.update({"data-max-words": ABSTRACT_MAX_WORDS})
        themes = list(self.instance.call.priority_themes.all()) if self.instance.call_id else []
        if themes:
            self.fields["theme"] = forms.ChoiceField(
                label=capfirst(_("priority theme")),
                choices=[("", "---------")] + [(theme.code, theme.name) for theme in themes],
                required=False,
                help_text=_("This call funds projects on one of these priority themes."),
            )
        else:
            self.fields["theme"].help_text = _("The scientific field of the project, in a few words.")
        self.fields["vocabulary_terms"] = forms.TypedMultipleChoiceField(
            label=_("Fields of expertise"),
            help_text=_("Choose the fields of your project: reviewers are matched with it by these fields."),
            choices=vocabulary_choices(),
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        if not self.fields["vocabulary_terms"].choices:
            del self.fields["vocabulary_terms"]  # no vocabulary yet: free keywords only
        self.fields["keywords"].label = _("Other keywords")
        self.fields["title"].required = False
        self.show_text_caps()  # the abstract's words are counted too, and refused by the model

    def clean_keywords(self):
        words = [word.strip() for word in self.cleaned_data.get("keywords", "").split(",") if word.strip()]
        return ", ".join(dict.fromkeys(words))


class DeclarationsForm(forms.ModelForm):
    collaboration_is_new = forms.TypedChoiceField(
        label=_("Is the collaboration with the foreign team new?"),
        help_text=_("Tremplins fund the start of a new collaboration; an established one may apply to a PRI."),
        choices=[("True", _("Yes, we have not worked together before")), ("False", _("No, we already collaborate"))],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
        required=True,
    )

    class Meta:
        model = Application
        fields = ["collaboration_is_new"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        if self.instance.collaboration_is_new is not None:
            self.initial["collaboration_is_new"] = str(self.instance.collaboration_is_new)


class PartnerForm(TextCaps, forms.ModelForm):
    class Meta:
        model = PartnerTeam
        fields = ["institution", "city", "country", "team_leader", "email", "language"]
        labels = {"language": _("Language of the e-mail")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_text_caps()
        # The team leader is e-mailed a link to confirm, in this language; a row posted without it
        # keeps the team's language (English for a new team).
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data.get("language") or self.instance.language or PartnerTeam.Language.EN


class PartnerFormSet(BaseInlineFormSet):
    """The partners step. Saving goes through the partner service (drafting.add_partner,
    update_partner, remove_partner), which judges every value again, as `by_user`."""

    def __init__(self, *args, by_user=None, **kwargs):
        self.by_user = by_user
        super().__init__(*args, **kwargs)

    def _values(self, form):
        return {name: form.cleaned_data[name] for name in drafting.PARTNER_FIELDS}

    def save_new(self, form, commit=True):
        return drafting.add_partner(self.instance, self.by_user, **self._values(form))

    def save_existing(self, form, obj, commit=True):
        return drafting.update_partner(obj, self.by_user, **self._values(form))

    def delete_existing(self, obj, commit=True):
        drafting.remove_partner(obj, self.by_user)

    def clean(self):
        """The partner teams kept, judged by the rules' own checks of their countries (what
        "abroad" is, overseas France being France; a code of no country), in the rules' words."""
        super().clean()
        if any(self.errors):
            return
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        countries = tuple(str(f.cleaned_data["country"]) for f in kept if f.cleaned_data.get("country"))
        if not countries:
            return
        facts = rules.ProposalFacts(partner_countries=countries, amount=Decimal("0"))
        findings = (rules.check_partner_countries(facts), rules.check_partner_abroad(facts))
        problems = [finding for finding in findings if finding is not None and not finding.passed]
        if problems:
            raise ValidationError([ValidationError(str(f.message), code=f.code) for f in problems])


PartnerFormSetFactory = inlineformset_factory(
    Application,
    PartnerTeam,
    form=PartnerForm,
    formset=PartnerFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    max_num=drafting.MAX_PARTNERS,
    validate_max=True,
    absolute_max=drafting.MAX_PARTNERS,  # a forged TOTAL_FORMS never makes the server build a thousand rows
)


def project_years(application):
    months = application.duration_months or application.call.duration_months or 12
    return max(1, math.ceil(months / 12))


class BudgetLineForm(TextCaps, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["year", "category", "amount", "description"]
        widgets = {"amount": forms.NumberInput(attrs={"min": "0", "step": "0.01"})}

    def __init__(self, *args, years=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(
            label=capfirst(_("year of the project")),
            choices=[(year, _("Year %(n)s") % {"n": year}) for year in range(1, years + 1)],
            coerce=int,
        )
        self.fields["amount"].min_value = 0
        self.show_text_caps()


class BudgetFormSet(BaseInlineFormSet):
    def __init__(self, *args, years=1, **kwargs):
        self.years = years
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["years"] = self.years
        return kwargs

    def clean(self):
        # Our message beside the row first; Django's generic "duplicate data" check after.
        if any(self.errors):
            return
        seen, duplicate = set(), False
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            key = (data["year"], data["category"])
            if key in seen:
                duplicate = True
                form.add_error(
                    "category",
                    ValidationError(
                        _("This category already has a line for this year: add the amounts together."),
                        code="duplicate_line",
                    ),
                )
            seen.add(key)
        if not duplicate:
            super().clean()


BudgetFormSetFactory = inlineformset_factory(
    Application,
    BudgetLine,
    form=BudgetLineForm,
    formset=BudgetFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    can_delete=True,
    max_num=60,
    validate_max=True,
    absolute_max=60,
)


class CoApplicantForm(forms.Form):
    """What the lead types to invite a co-applicant; co_applicants.invite_co_applicant judges it
    again (the model's validators, the lead's own address, a duplicate, the cap)."""

    email = forms.EmailField(label=_("E-mail of the researcher"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CoApplicant.Role.choices,
        initial=CoApplicant.Role.CO_INVESTIGATOR,
        widget=forms.RadioSelect,
    )


class AttachmentForm(forms.Form):
    """One PDF for an application. The caps are class attributes so the attachments step can show
    them beside the form."""

    max_file_mb = ATTACHMENT_MAX_BYTES // (1024 * 1024)
    max_count = ATTACHMENT_MAX_COUNT
    max_total_mb = ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024)

    kind = forms.ChoiceField(label=capfirst(_("document")), choices=Attachment.Kind.choices)
    file = forms.FileField(
        label=_("PDF file"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        # Formatted here, not at import, so that it follows the visitor's language.
        self.fields["file"].help_text = _("PDF only, at most %(size)s MB.") % {"size": self.max_file_mb}

    def clean_file(self):
        """An early, field-level answer with documents.inspect_pdf: a PDF by its content, not its
        name, without active content, within the size caps, readable and unencrypted.
        services.add_attachment inspects the bytes again, since it trusts no caller."""
        upload = self.cleaned_data["file"]
        inspect_pdf(upload, max_bytes=ATTACHMENT_MAX_BYTES)
        return upload


def vocabulary_choices():
    """The shared vocabulary in the reader's language, alphabetical."""
    from django.utils.translation import get_language

    french = (get_language() or "fr").startswith("fr")
    terms = [(term_id, name_fr if french else name_en) for term_id, name_fr, name_en in selectors.vocabulary()]
    return sorted(terms, key=lambda choice: _sort_key(choice[1]))


def _sort_key(text):
    """Alphabetical as a reader expects it: "épidémiologie" among the e's, not after z."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def theme_name(code):
    theme = PriorityTheme.objects.filter(code=code).first()
    return theme.name if theme else code
