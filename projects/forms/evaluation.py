"""The final evaluation's forms: staff's request (a reviewer without conflict, a due date) and the
reviewer's scores, recommendation and comments. The services check everything again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import SCORE_DESCRIPTORS

from ..models import Evaluation
from ..models.project import LONG_TEXT


class EvaluationRequestForm(forms.Form):
    """Staff choose the reviewer among those without conflict (services.evaluation.eligible_reviewers)."""

    reviewer = forms.TypedChoiceField(
        label=_("Reviewer"),
        coerce=int,
        error_messages={
            "required": _("Choose the reviewer."),
            "invalid_choice": _("Choose a reviewer from the list: only reviewers without conflict are listed."),
        },
    )
    due_on = forms.DateField(
        label=_("Evaluation due on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the date the evaluation is due."),
            "invalid": _("Give the due date as a date."),
        },
    )

    def __init__(self, *args, reviewers=(), **kwargs):
        kwargs.setdefault("prefix", "evaluation")
        super().__init__(*args, **kwargs)
        self.reviewers = {user.pk: user for user in reviewers}
        self.fields["reviewer"].choices = [("", "---------")] + [
            (user.pk, _reviewer_label(user)) for user in self.reviewers.values()
        ]

    def chosen_reviewer(self):
        return self.reviewers[self.cleaned_data["reviewer"]]


def _reviewer_label(user):
    name = user.get_full_name() or user.email
    institution = getattr(getattr(user, "reviewer_profile", None), "institution", "")
    return f"{name} ({institution})" if institution else name


def _score_field(label):
    return forms.TypedChoiceField(
        label=label,
        choices=list(SCORE_DESCRIPTORS.items()),
        coerce=int,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )


class EvaluationForm(forms.Form):
    """The reviewer's evaluation: every field is required."""

    objectives_score = _score_field(_("Achievement of the objectives"))
    partnership_score = _score_field(_("Strength of the partnership"))
    outputs_score = _score_field(_("Outputs"))
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"),
        choices=Evaluation.Recommendation.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose a recommendation.")},
    )
    comments = forms.CharField(
        label=_("Comments"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the project achieved, what the partnership became, and why you recommend what you do."),
        error_messages={"required": _("Write your comments on the project.")},
    )

    SCORES = ("objectives_score", "partnership_score", "outputs_score")

    def score_fields(self):
        return [self[name] for name in self.SCORES]
