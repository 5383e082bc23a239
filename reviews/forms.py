"""Forms of the review pages. They parse input; the services decide."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application

from .models import (
    SCORE_DESCRIPTORS,
    ConflictOfInterest,
    Decision,
    Recommendation,
    ReviewerProfile,
    Screening,
)
from .models.committee import SCREENING_DETAILS_MAX_CHARS


class ReviewerProfileForm(forms.ModelForm):
    class Meta:
        model = ReviewerProfile
        fields = [
            "expertise",
            "free_keywords",
            "expertise_statement",
            "recent_publications",
            "themes",
            "institution",
            "country",
            "unit_code",
            "max_load_per_call",
            "is_available",
            "available_until",
        ]
        widgets = {
            "expertise": forms.CheckboxSelectMultiple,
            "themes": forms.CheckboxSelectMultiple,
            "available_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expertise_statement": forms.Textarea(attrs={"rows": 4}),
            "recent_publications": forms.Textarea(attrs={"rows": 5}),
        }

    def clean_unit_code(self):
        return self.cleaned_data["unit_code"].strip().upper()


def score_field_name(criterion):
    return f"score_{criterion.pk}"


def comment_field_name(criterion):
    return f"comment_{criterion.pk}"


class LongTextField(forms.CharField):
    """A text with a cap checked on the server (its error says so, the text comes back whole),
    never cut by the browser: no maxlength attribute, as the applications' forms."""

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class ScoreForm(forms.Form):
    """One 1-5 score and one comment per criterion of the call, a recommendation, a comment.

    A draft may leave anything empty; ``submitting=True`` requires every score and the
    recommendation, with the error next to the field that misses."""

    recommendation = forms.ChoiceField(
        label=_("Overall recommendation"),
        choices=[("", "---------"), *Recommendation.choices],
        required=False,
    )
    general_comment = forms.CharField(
        label=_("General comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Confidential: read by the committee only."),
    )
    comment_for_applicant = LongTextField(
        label=_("Comment for the applicant"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=3000,
        help_text=_(
            "The applicant may read it with the decision, never with your name, if staff share the "
            "reviewers' feedback for this call."
        ),
    )

    def __init__(self, *args, criteria, review=None, submitting=False, **kwargs):
        self.criteria = list(criteria)
        self.submitting = submitting
        initial = kwargs.pop("initial", {}) or {}
        if review is not None:
            initial.setdefault("recommendation", review.recommendation)
            initial.setdefault("general_comment", review.general_comment)
            initial.setdefault("comment_for_applicant", review.comment_for_applicant)
            for score in review.scores.all():
                initial.setdefault(f"score_{score.criterion_id}", score.score)
                initial.setdefault(f"comment_{score.criterion_id}", score.comment)
        super().__init__(*args, initial=initial, **kwargs)
        choices = [(value, label) for value, label in SCORE_DESCRIPTORS.items()]
        for criterion in self.criteria:
            self.fields[score_field_name(criterion)] = forms.TypedChoiceField(
                label=criterion.name,
                help_text=criterion.description,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                # Bootstrap's radio class: the button floats beside its label, which wraps under
                # itself on a phone instead of leaving the button alone on a line.
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[comment_field_name(criterion)] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.name},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
        # Keep the recommendation and general comment after the criteria.
        self.order_fields([f for c in self.criteria for f in (score_field_name(c), comment_field_name(c))])

    def clean(self):
        data = super().clean()
        if self.submitting:
            for criterion in self.criteria:
                name = score_field_name(criterion)
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Score this criterion before submitting."))
            if not data.get("recommendation"):
                self.add_error("recommendation", _("Give an overall recommendation before submitting."))
        return data

    def criterion_rows(self):
        return [(c, self[score_field_name(c)], self[comment_field_name(c)]) for c in self.criteria]

    def scores(self):
        return {
            c.pk: (self.cleaned_data.get(score_field_name(c)), self.cleaned_data.get(comment_field_name(c), ""))
            for c in self.criteria
        }


class RecusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you step down?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Staff read it; the applicant never does."),
    )
    conflict_kind = forms.ChoiceField(
        label=_("Is it a conflict of interest?"),
        choices=[("", _("No, another reason")), *ConflictOfInterest.Kind.choices],
        required=False,
    )


class RouteForm(forms.Form):
    reviewers_per_application = forms.IntegerField(
        label=_("Reviewers per application"), min_value=1, max_value=10, initial=3
    )
    due_date = forms.DateField(
        label=_("Reviews due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("due_date", timezone.localdate() + timedelta(days=30))
        super().__init__(*args, **kwargs)

    def clean_due_date(self):
        day = self.cleaned_data["due_date"]
        if day <= timezone.localdate():
            raise forms.ValidationError(_("The reviews' due date must be in the future."))
        return day


class AddPairForm(forms.Form):
    application = forms.ModelChoiceField(label=_("Application"), queryset=Application.objects.none())
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=get_user_model().objects.none())

    def __init__(self, *args, proposal, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        applications = Application.objects.filter(call=proposal.call_id, status__in=["submitted", "in_review"])
        if proposal.application_id:
            applications = applications.filter(pk=proposal.application_id)
        self.fields["application"].queryset = applications.order_by("reference", "pk")
        self.fields["reviewer"].queryset = get_user_model().objects.filter(pk__in=[r.pk for r in reviewers])


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label=_("Amount awarded (EUR)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("Only for a funded application; never above the ceiling of the application."),
    )


class ScreeningForm(forms.Form):
    """Staff's screening of one application: admissible, or inadmissible with a reason from the list
    and details the applicant reads in their letter. The service judges again (admin, commands)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=Screening.Outcome.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Reason, when inadmissible"),
        choices=[("", _("Choose a reason")), *Screening.Reason.choices],
        required=False,
    )
    details = LongTextField(
        label=_("Details for the applicant"),
        required=False,
        max_length=SCREENING_DETAILS_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Quoted in the letter when the application is inadmissible; required for another reason."),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == Screening.Outcome.INADMISSIBLE:
            if not data.get("reason"):
                self.add_error("reason", _("Choose the reason why the application is inadmissible."))
            elif data.get("reason") == Screening.Reason.OTHER and not (data.get("details") or "").strip():
                self.add_error("details", _("Say in the details what the other reason is: the applicant reads it."))
        return data


class BidConflictForm(forms.Form):
    """A reviewer declares a conflict of interest with an application before routing."""

    kind = forms.ChoiceField(label=_("Kind of conflict"))
    reason = LongTextField(
        label=_("What the conflict is"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff read it; the applicant never does."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (kind.value, kind.label)
            for kind in (
                ConflictOfInterest.Kind.COLLABORATOR,
                ConflictOfInterest.Kind.PERSONAL,
                ConflictOfInterest.Kind.SAME_UNIT,
                ConflictOfInterest.Kind.OTHER,
            )
        ]


class SynthesisForm(forms.Form):
    """The rapporteur's synthesis of the application's reviews (prefixed: it shares the page with
    the reviewer's own recommendation field)."""

    prefix = "synthesis"

    strengths = LongTextField(
        label=_("Strengths"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    weaknesses = LongTextField(
        label=_("Weaknesses"), required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=[("", "---------"), *Recommendation.choices], required=False
    )


class DiscussionForm(forms.Form):
    body = LongTextField(label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ReconsiderForm(forms.Form):
    """Staff ask one reviewer to reconsider their submitted review (the review is reopened)."""

    reason = LongTextField(
        label=_("What do you ask the reviewer to reconsider?"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the reviewer alone by e-mail; their submitted version is kept."),
    )
