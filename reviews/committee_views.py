"""The committee's side of a reviewer's page (issue 18): the rapporteur's synthesis, and, once the
reviewer's own review is submitted, the other reviews and the application's discussion; staff's
reading of an application's reviews and discussion."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from applications.models import Application

from . import services
from .forms import DiscussionForm, SynthesisForm
from .models import DiscussionMessage, Review, ReviewAssignment, Synthesis
from .views import AssignmentView, StaffRequiredMixin


class ReviewPageView(AssignmentView):
    """The reviewer's page of an application, with the committee's sections."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.synthesis_context(kwargs.get("synthesis_form")))
        context.update(self.discussion_context(kwargs.get("discussion_form")))
        return context

    def discussion_context(self, form=None):
        """The other reviews and the discussion, once the reviewer's own review is submitted."""
        others = services.other_reviews(self.assignment)
        if not services.in_discussion(self.request.user, self.assignment.application):
            return {"discussion_open": False}
        return {
            "discussion_open": True,
            "other_reviews": others,
            "discussion": discussion_rows(self.assignment.application, self.request.user, names=False),
            "discussion_form": form or DiscussionForm(),
        }

    def synthesis_context(self, form=None):
        """The synthesis section, for the application's rapporteur only."""
        synthesis = Synthesis.objects.filter(application=self.assignment.application_id).first()
        if synthesis is None or synthesis.rapporteur_id != self.request.user.pk:
            return {"synthesis": None}
        initial = {k: getattr(synthesis, k) for k in ("strengths", "weaknesses", "recommendation")}
        return {
            "synthesis": synthesis,
            "synthesis_form": form or SynthesisForm(initial=initial),
            "reviews_missing": services.reviews_missing(self.assignment.application),
        }


class SynthesisView(ReviewPageView):
    """The rapporteur saves or submits the synthesis; refused, the page comes back filled in."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = SynthesisForm(request.POST)
        if form.is_valid():
            try:
                services.write_synthesis(
                    self.assignment.application, request.user, submit="submit" in request.POST, **form.cleaned_data
                )
            except services.ReviewError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(
                    request,
                    _("Your synthesis is submitted.") if "submit" in request.POST else _("Your synthesis is saved."),
                )
                return redirect(reverse("reviews:assignment", args=[pk]) + "#synthesis")
        return self.render_to_response(self.get_context_data(synthesis_form=form))


def discussion_rows(application, viewer, *, names):
    """The discussion's messages with who wrote them, as `viewer` may read it: reviewers see
    "you", "a reviewer" or "staff"; staff see names."""
    rows = []
    for message in DiscussionMessage.objects.filter(application=application).select_related("author"):
        if message.author_id == viewer.pk:
            author = _("You")
        elif names and message.author is not None:
            author = message.author.get_full_name() or message.author.email
        else:
            author = _("Staff") if message.by_staff else _("A reviewer")
        rows.append({"message": message, "author": author})
    return rows


class DiscussionView(ReviewPageView):
    """A reviewer writes in the application's discussion; refused, the page comes back filled in."""

    http_method_names = ["post"]

    def post(self, request, pk):
        form = DiscussionForm(request.POST)
        if form.is_valid():
            try:
                services.post_message(self.assignment.application, request.user, form.cleaned_data["body"])
            except services.ReviewError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
                    messages.error(request, reason)
            else:
                messages.success(
                    request, _("Your message is in the discussion; the others read it in tomorrow's digest.")
                )
                return redirect(reverse("reviews:assignment", args=[pk]) + "#discussion")
        return self.render_to_response(self.get_context_data(discussion_form=form))


class StaffDiscussionView(StaffRequiredMixin, TemplateView):
    """Staff read an application's submitted reviews (with their reviewers' names) and its
    discussion, and write in it."""

    permission_required = "reviews.see_ranking"
    template_name = "reviews/staff_discussion.html"

    def load(self, **kwargs):
        self.application = get_object_or_404(Application.objects.select_related("call"), pk=kwargs["pk"])

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        reviews = (
            Review.objects.filter(
                assignment__application=self.application,
                assignment__status=ReviewAssignment.Status.ACTIVE,
                status=Review.Status.SUBMITTED,
            )
            .select_related("assignment__reviewer")
            .prefetch_related("scores__criterion")
            .order_by("pk")
        )
        context.update(
            application=self.application,
            call=self.application.call,
            reviews=list(reviews),
            discussion=discussion_rows(self.application, self.request.user, names=True),
            form=form or DiscussionForm(),
        )
        return context

    def post(self, request, pk):
        form = DiscussionForm(request.POST)
        if form.is_valid():
            try:
                services.post_as_staff(self.application, request.user, form.cleaned_data["body"])
            except services.ReviewError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(request, _("Your message is in the discussion."))
                return redirect(reverse("reviews:staff_discussion", args=[pk]) + "#discussion")
        return self.render_to_response(self.get_context_data(form=form))
