"""The committee's side of a reviewer's page (issue 18): the rapporteur's synthesis, and, once the
reviewer's own review is submitted, the other reviews and the application's discussion; staff's
reading of an application's reviews and discussion."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from applications.models import Application

from . import services
from .committee_selectors import version_rows
from .forms import DiscussionForm, ReconsiderForm, SynthesisForm
from .models import DiscussionMessage, Review, ReviewAssignment, ReviewVersion, Synthesis
from .views import AssignmentView, StaffRequiredMixin


class ReviewPageView(AssignmentView):
    """The reviewer's page of an application, with the committee's sections."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.synthesis_context(kwargs.get("synthesis_form")))
        context.update(self.discussion_context(kwargs.get("discussion_form")))
        review = context.get("review")
        versions = version_rows(list(review.versions.order_by("number"))) if review is not None else []
        context.update(versions=versions, reconsider=versions[-1] if versions and not context.get("locked") else None)
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
    """Staff read an application's reviews (with their reviewers' names, each earlier version
    kept) and its discussion, write in it, and ask a reviewer to reconsider a submitted review."""

    permission_required = "reviews.see_ranking"
    template_name = "reviews/staff_discussion.html"

    def load(self, **kwargs):
        self.application = get_object_or_404(Application.objects.select_related("call"), pk=kwargs["pk"])

    def get_context_data(self, form=None, reconsider_form=None, reconsider_pk=None, **kwargs):
        context = super().get_context_data(**kwargs)
        reviews = list(
            Review.objects.filter(
                assignment__application=self.application,
                assignment__status=ReviewAssignment.Status.ACTIVE,
                submitted_at__isnull=False,
            )
            .select_related("assignment__reviewer")
            .prefetch_related(
                "scores__criterion", Prefetch("versions", queryset=ReviewVersion.objects.order_by("number"))
            )
            .order_by("pk")
        )
        for review in reviews:
            review.earlier = version_rows(list(review.versions.all()))
            bound = reconsider_form is not None and review.pk == reconsider_pk
            review.reconsider_form = reconsider_form if bound else ReconsiderForm(prefix=f"r{review.pk}")
        context.update(
            application=self.application,
            call=self.application.call,
            reviews=reviews,
            can_reopen=self.request.user.has_perm("reviews.reopen_review"),
            discussion=discussion_rows(self.application, self.request.user, names=True),
            form=form or DiscussionForm(),
        )
        return context

    def post(self, request, pk):
        if "reconsider" in request.POST:
            return self.reconsider(request, pk)
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

    def reconsider(self, request, pk):
        """Reopen one submitted review of this application, saying what to reconsider."""
        review = get_object_or_404(
            Review.objects.select_related("assignment"),
            pk=request.POST.get("reconsider") if str(request.POST.get("reconsider", "")).isdigit() else None,
            assignment__application=self.application,
            assignment__status=ReviewAssignment.Status.ACTIVE,
        )
        form = ReconsiderForm(request.POST, prefix=f"r{review.pk}")
        if form.is_valid():
            try:
                services.ask_to_reconsider(review, request.user, form.cleaned_data["reason"])
            except services.ReviewError as error:
                for reason in error.reasons:
                    form.add_error(None, reason)
                    messages.error(request, reason)
            else:
                messages.success(
                    request, _("The review is reopened; its reviewer is told what to reconsider by e-mail.")
                )
                return redirect(reverse("reviews:staff_discussion", args=[pk]) + f"#review-{review.pk}")
        else:
            messages.error(request, _("The review is not reopened: correct the field marked below."))
        return self.render_to_response(self.get_context_data(reconsider_form=form, reconsider_pk=review.pk))
