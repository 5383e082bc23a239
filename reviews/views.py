"""The reviewers' pages, the staff's pages per call and the researcher's decision page.

Thin views: parse input, call a service, render. A reviewer reaches an application only through
selectors.assignment_for_page (active assignment, no conflict of interest); anyone else gets 404,
never 403, so that the existence of an application never leaks.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from accounts.access import ReviewerRequiredMixin
from accounts.page_cache import CachedFragmentMixin
from accounts.permissions import missing_permissions
from applications.models import Attachment
from applications.selectors import vocabulary_labels
from applications.stored_files import serve_stored_file
from calls.models import ReviewCriterion
from notifications.rendering import render_message

from . import committee_selectors, permissions, routing_adapter, selectors, services
from .forms import AddPairForm, DecisionForm, RecusalForm, ReviewerProfileForm, RouteForm, ScoreForm
from .models import (
    Decision,
    ProposedAssignment,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    RoutingProposal,
    Synthesis,
)


class StaffRequiredMixin(LoginRequiredMixin):
    """Staff pages: login, the staff role and the page's permission are checked before anything is
    looked up, so an anonymous visitor is sent to log in whatever the id (the ids in use never
    leak). Other logged-in users get 404; staff without the permission get 403 naming it.

    `permission_required` names the portal permission (reviews/permissions.py) for reading the
    page; views that change things call `require()` for the change's own permission. Subclasses
    load their objects in `load()`, called once the checks pass."""

    permission_required = "reviews.see_calls"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.is_staff(request.user):
            raise Http404
        self.require(self.permission_required)
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def require(self, permission):
        if not self.request.user.has_perm(permission):
            missing = missing_permissions(self.request.user, permission)
            raise PermissionDenied(
                _("Your account lacks the permission for this page (%(missing)s): ask an administrator.")
                % {"missing": "; ".join(missing)}
            )

    def load(self, **kwargs):
        """Look up the page's objects (after the checks)."""


def _errors(request, error):
    for reason in error.reasons:
        messages.error(request, reason)


# --- Reviewer: queue, profile, invitations --------------------------------------------------------


class QueueView(ReviewerRequiredMixin, CachedFragmentMixin, TemplateView):
    template_name = "reviews/queue.html"
    fragment_template = "reviews/_queue_content.html"

    def fragment_context(self):
        return {
            "assignments": list(selectors.reviewer_queue(self.request.user)),
            "bidding_calls": committee_selectors.bidding_calls(self.request.user),
            "invitations": list(
                ReviewerInvitation.objects.filter(reviewer=self.request.user, status=ReviewerInvitation.Status.PENDING)
                .select_related("call")
                .only("id", "call__id", "call__title_fr", "call__title_en")
            ),
        }


class ProfileView(ReviewerRequiredMixin, TemplateView):
    template_name = "reviews/profile.html"

    def get_form(self):
        profile = ReviewerProfile.objects.filter(user=self.request.user).first() or ReviewerProfile(
            user=self.request.user
        )
        return ReviewerProfileForm(self.request.POST or None, instance=profile)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if form.is_valid():
            form.save()
            messages.success(request, _("Your reviewer profile is saved."))
            return redirect("reviews:profile")
        return self.render_to_response(self.get_context_data(form=form))


class InvitationView(ReviewerRequiredMixin, TemplateView):
    template_name = "reviews/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.invitation = get_object_or_404(
                ReviewerInvitation.objects.select_related("call"), pk=kwargs["pk"], reviewer=request.user
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(invitation=self.invitation, **kwargs)

    def post(self, request, pk):
        accept = request.POST.get("answer") == "accept"
        try:
            services.answer_invitation(self.invitation, accept, request.user)
        except services.ReviewError as error:
            _errors(request, error)
            return redirect("reviews:invitation", pk=pk)
        if accept:
            messages.success(request, _("Thank you: you will be told when applications are assigned to you."))
            return redirect("reviews:profile")
        messages.success(request, _("You declined the invitation."))
        return redirect("reviews:queue")


# --- Reviewer: one application ---------------------------------------------------------------------


class AssignmentMixin(ReviewerRequiredMixin):
    """Loads the user's active, conflict-free assignment on the application, or 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and permissions.is_reviewer(request.user):
            try:
                self.assignment = selectors.assignment_for_page(request.user, kwargs["pk"])
            except ReviewAssignment.DoesNotExist:
                raise Http404 from None
        return super().dispatch(request, *args, **kwargs)


class AssignmentView(AssignmentMixin, TemplateView):
    template_name = "reviews/assignment.html"

    def criteria(self):
        return ReviewCriterion.objects.filter(call=self.assignment.call_id).order_by("position", "id")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        review = selectors.review_of(self.assignment)
        application = self.assignment.application
        context.update(
            assignment=self.assignment,
            application=application,
            review=review,
            locked=review is not None and review.is_locked,
            form=form or ScoreForm(criteria=self.criteria(), review=review),
            budget_total=sum((line.amount for line in application.budget_lines.all()), 0),
            vocabulary_labels=vocabulary_labels(application.vocabulary_terms),
            ceiling=services.ceiling_of(application),
            **selectors.application_changes(self.assignment),
        )
        return context

    def post(self, request, pk):
        submitting = "submit" in request.POST
        form = ScoreForm(request.POST, criteria=self.criteria(), submitting=submitting)
        if not form.is_valid():
            messages.error(request, _("The review is not saved: correct the fields marked below."))
            return self.render_to_response(self.get_context_data(form=form), status=200)
        confirmed = submitting and request.POST.get("confirmed") == "1"
        try:
            services.save_review(
                self.assignment,
                request.user,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                general_comment=form.cleaned_data["general_comment"],
                comment_for_applicant=form.cleaned_data["comment_for_applicant"],
                submit=confirmed,
            )
        except services.ReviewError as error:
            _errors(request, error)
            return self.render_to_response(self.get_context_data(form=form))
        if submitting and not confirmed:
            # Kept as a draft first (nothing is lost), then the consequence is stated before it is final.
            return self.render_to_response(self.get_context_data(form=form, confirm_submit=True))
        if submitting:
            messages.success(request, _("Your review is submitted. Thank you."))
        else:
            messages.success(request, _("Your draft is saved."))
        return redirect("reviews:assignment", pk=pk)


class AttachmentView(AssignmentMixin, View):
    """The application's files, to its assigned reviewers only, as a download."""

    def get(self, request, pk, attachment_id):
        attachment = get_object_or_404(Attachment, pk=attachment_id, application_id=self.assignment.application_id)
        return serve_stored_file(request, attachment.file, attachment.download_name)


class RecuseView(AssignmentMixin, TemplateView):
    template_name = "reviews/recuse.html"

    def get_context_data(self, form=None, **kwargs):
        return super().get_context_data(
            assignment=self.assignment, application=self.assignment.application, form=form or RecusalForm(), **kwargs
        )

    def post(self, request, pk):
        form = RecusalForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.recuse(
                self.assignment,
                request.user,
                form.cleaned_data["reason"],
                conflict_kind=form.cleaned_data["conflict_kind"] or None,
            )
        except services.ReviewError as error:
            _errors(request, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("You no longer review this application; the staff are told."))
        return redirect("reviews:queue")


# --- Researcher: the published decision ------------------------------------------------------------


class DecisionView(LoginRequiredMixin, TemplateView):
    """The decision on the researcher's own application, once the letter is released (else 404)."""

    template_name = "reviews/decision.html"

    def get_context_data(self, **kwargs):
        try:
            decision = selectors.published_decision_for(self.request.user, kwargs["pk"])
        except Decision.DoesNotExist:
            raise Http404 from None
        application = decision.application
        feedback = (
            services.applicant_feedback([application.pk]).get(application.pk, [])
            if application.call.feedback_to_applicants
            else []
        )
        synthesis = (
            Synthesis.objects.filter(application=application, submitted_at__isnull=False).first()
            if application.call.feedback_to_applicants
            else None
        )
        return super().get_context_data(
            decision=decision, application=application, feedback=feedback, synthesis=synthesis, **kwargs
        )


# --- Staff ------------------------------------------------------------------------------------------


class StaffCallListView(StaffRequiredMixin, TemplateView):
    template_name = "reviews/staff_calls.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(calls=selectors.staff_calls(), **kwargs)


class StaffCallMixin(StaffRequiredMixin):
    def load(self, **kwargs):
        self.call = get_object_or_404(selectors.calls_for_staff(), pk=kwargs["pk"])


class StaffCallView(StaffCallMixin, TemplateView):
    template_name = "reviews/staff_call.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            call=self.call,
            progress=selectors.call_progress(self.call),
            form=form or RouteForm(),
            proposals=selectors.call_proposals(self.call),
            pool_size=len(routing_adapter.reviewer_pool(self.call)),
            invitations=selectors.call_invitations(self.call),
            screening=committee_selectors.screening_counts(self.call),
        )
        return context

    def post(self, request, pk):
        self.require("reviews.route_applications")
        form = RouteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            proposal = services.launch_routing(
                self.call,
                request.user,
                reviewers_per_application=form.cleaned_data["reviewers_per_application"],
                due_date=form.cleaned_data["due_date"],
            )
        except services.ReviewError as error:
            _errors(request, error)
            return self.render_to_response(self.get_context_data(form=form))
        return redirect("reviews:staff_proposal", pk=proposal.pk)


class StaffProposalView(StaffRequiredMixin, TemplateView):
    template_name = "reviews/staff_proposal.html"

    ACTION_PERMISSIONS = {
        "confirm": "reviews.confirm_proposal",
        "discard": "reviews.discard_proposal",
        "remove": "reviews.route_applications",
        "add": "reviews.route_applications",
    }

    def load(self, **kwargs):
        self.proposal = get_object_or_404(selectors.proposals_for_staff(), pk=kwargs["pk"])

    def get_context_data(self, add_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        proposal = self.proposal
        pairs = list(selectors.proposal_pairs(proposal))
        reviewers = routing_adapter.reviewer_pool(proposal.call)
        loads = routing_adapter.current_loads(proposal.call, [r.pk for r in reviewers])
        proposed = {}
        for pair in pairs:
            proposed[pair.reviewer_id] = proposed.get(pair.reviewer_id, 0) + 1
        context.update(
            proposal=proposal,
            pairs=pairs,
            shortfalls=routing_adapter.proposal_shortfalls(proposal, pairs),
            pool_size=len(reviewers),
            reviewer_loads=[
                {
                    "reviewer": r,
                    "current": loads.get(r.pk, 0),
                    "proposed": proposed.get(r.pk, 0),
                    "max": r.reviewer_profile.max_load_per_call,
                }
                for r in reviewers
            ],
            add_form=add_form or AddPairForm(proposal=proposal, reviewers=reviewers),
            computing=proposal.status in (RoutingProposal.Status.QUEUED, RoutingProposal.Status.COMPUTING),
        )
        return context

    def post(self, request, pk):
        action = request.POST.get("action")
        if action not in self.ACTION_PERMISSIONS:
            return redirect("reviews:staff_proposal", pk=pk)
        self.require(self.ACTION_PERMISSIONS[action])
        proposal = self.proposal
        try:
            if action == "confirm":
                if not request.POST.get("short_confirmed") and routing_adapter.proposal_shortfalls(
                    proposal, proposal.pairs.only("application_id")
                ):
                    # Say what confirming leaves undone before doing it.
                    return self.render_to_response(self.get_context_data(confirm_short=True))
                created = services.confirm_routing(proposal, request.user)
                messages.success(
                    request, _("%(count)d assignments created; the reviewers are told.") % {"count": len(created)}
                )
                return redirect("reviews:staff_call", pk=proposal.call_id)
            if action == "discard":
                services.discard_routing(proposal, request.user)
                messages.success(request, _("The proposal is discarded."))
                return redirect("reviews:staff_call", pk=proposal.call_id)
            if action == "remove":
                pair_id = request.POST.get("pair", "")
                if not (pair_id.isascii() and pair_id.isdigit()):
                    raise Http404
                pair = get_object_or_404(ProposedAssignment, pk=pair_id, proposal=proposal)
                services.remove_proposed_pair(pair, request.user)
                messages.success(request, _("The reviewer is removed from the proposal."))
            elif action == "add":
                form = AddPairForm(
                    request.POST, proposal=proposal, reviewers=routing_adapter.reviewer_pool(proposal.call)
                )
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(add_form=form))
                services.add_proposed_pair(
                    proposal, form.cleaned_data["application"], form.cleaned_data["reviewer"], request.user
                )
                messages.success(request, _("The reviewer is added to the proposal."))
        except services.ReviewError as error:
            _errors(request, error)
        return redirect("reviews:staff_proposal", pk=pk)


class StaffProposalProgressView(StaffRequiredMixin, View):
    def get(self, request, pk):
        proposal = get_object_or_404(RoutingProposal, pk=pk)
        return JsonResponse(
            {"status": proposal.status, "progress": proposal.progress, "label": proposal.get_status_display()}
        )


class RankingView(StaffCallMixin, CachedFragmentMixin, TemplateView):
    template_name = "reviews/ranking.html"
    permission_required = "reviews.see_ranking"
    fragment_template = "reviews/_ranking_table.html"
    fragment_per_user = False  # every staff member with the permission reads the same table

    paginate_by = 50

    def fragment_args(self):
        return (self.call.pk, (self.request.GET.get("page") or "")[:12])

    def fragment_context(self):
        # Ranks are global, over the whole call; the database computes the one page of 50 rows
        # shown, and the committee exports hold them all.
        criteria, rows = selectors.ranking_pages(self.call)
        paginator = Paginator(rows, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            "criteria": criteria,
            "rows": page.object_list,
            "page_obj": page,
            "total": paginator.count,
            "threshold": selectors.DIVERGENCE_THRESHOLD,
            # Letters are held, then released, with a write to their decisions: the stamp follows.
            "held_letters": services.held_letters(self.call).count(),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.call, **kwargs)


class ReleaseLettersView(StaffCallMixin, TemplateView):
    """The call's held decision letters, each shown as its recipient will read it, and one button
    that releases them all (publishing the decisions)."""

    template_name = "reviews/release_letters.html"
    permission_required = "reviews.release_decisions"
    preview_limit = 200

    def get_context_data(self, **kwargs):
        letters = services.with_feedback(self.call, services.held_letters(self.call)[: self.preview_limit + 1])
        previews = [(letter, render_message(letter)) for letter in letters[: self.preview_limit]]
        return super().get_context_data(
            call=self.call,
            previews=previews,
            more=len(letters) > self.preview_limit,
            totals=services.funded_totals(self.call),
            **kwargs,
        )

    def post(self, request, pk):
        try:
            count = services.release_decisions(
                self.call, request.user, over_envelope_confirmed=request.POST.get("over_envelope") == "1"
            )
        except services.ReviewError as error:
            _errors(request, error)
            return redirect("reviews:release_letters", pk=pk)
        messages.success(
            request,
            ngettext(
                "%(count)d decision letter is released: it is on its way and the decision is published.",
                "%(count)d decision letters are released: they are on their way and the decisions are published.",
                count,
            )
            % {"count": count},
        )
        return redirect("reviews:meeting", pk=pk)


class ExportView(StaffCallMixin, View):
    permission_required = "reviews.see_ranking"

    def get(self, request, pk, fmt):
        stem = f"ranking-{self.call.instrument.code.lower()}-{self.call.year}-{self.call.pk}"
        if fmt == "csv":
            # As the reader's spreadsheet expects it: French ones split on ";" and read decimal
            # commas. The byte-order mark tells Excel the file is UTF-8 (accents intact).
            french = translation.get_language() == "fr"
            body = selectors.export_csv(
                self.call, delimiter=";" if french else ",", decimal_separator="," if french else "."
            )
            response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                selectors.export_xlsx(self.call),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response


class DecisionFormView(StaffRequiredMixin, TemplateView):
    template_name = "reviews/decision_form.html"
    permission_required = "reviews.decide"

    def load(self, **kwargs):
        self.application = get_object_or_404(selectors.applications_for_decision(), pk=kwargs["pk"])

    def get_context_data(self, form=None, **kwargs):
        decision = selectors.decision_of(self.application)
        initial = {"outcome": decision.outcome, "amount": decision.amount} if decision else {}
        return super().get_context_data(
            application=self.application,
            decision=decision,
            ceiling=services.ceiling_of(self.application),
            form=form or DecisionForm(initial=initial),
            **kwargs,
        )

    def post(self, request, pk):
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.record_decision(
                    self.application, form.cleaned_data["outcome"], form.cleaned_data["amount"], request.user
                )
            except services.ReviewError as error:
                for reason in error.reasons:
                    form.add_error("amount" if form.cleaned_data["outcome"] == "funded" else None, reason)
            else:
                messages.success(
                    request, _("The decision is recorded; its letter is held in the outbox until you release it.")
                )
                return redirect(reverse("reviews:ranking", args=[self.application.call_id]))
        return self.render_to_response(self.get_context_data(form=form))
