"""The committee meeting of a call (issue 18): the ranked applications with their means, spread,
divergence and requested amount; staff mark each funded (an amount, by default the one requested,
never above the rules' ceiling), on the waiting list or not funded, as pending decisions, against
the call's budget envelope; publishing releases them all at once from the letters' page."""

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.models import User
from accounts.page_cache import CachedFragmentMixin
from applications.models import Application, PartnerTeam
from calls import rules
from calls.services import call_facts

from . import selectors, services
from .models import Decision, ProposedAssignment, ReviewAssignment, Synthesis
from .views import StaffCallMixin

MEETING_OUTCOMES = (Decision.Outcome.FUNDED, Decision.Outcome.WAITLISTED, Decision.Outcome.REJECTED)


def _with_ceilings(call, rows):
    """Each row's ceiling (the rules', from its partner teams' countries) and the amount its form
    offers: the decision's, else the amount requested, never above the ceiling. One query."""
    facts = call_facts(call)
    countries = {}
    for application_id, country in PartnerTeam.objects.filter(
        application__in=[row.application.pk for row in rows]
    ).values_list("application_id", "country"):
        countries.setdefault(application_id, []).append(str(country))
    for row in rows:
        row.ceiling = rules.ceiling_for(facts, tuple(countries.get(row.application.pk, ())))
        requested = row.application.requested_amount or Decimal("0")
        offered = requested if row.ceiling is None else min(requested, row.ceiling)
        decided = row.decision.amount if row.decision is not None and row.decision.amount is not None else None
        row.offered_amount = decided if decided is not None else offered
    return rows


def _with_rapporteurs(rows):
    """Each row's reviewers (active), its synthesis and the proposed rapporteur (the reviewer of
    highest affinity in the routing that assigned them). Three queries for any page of rows."""
    ids = [row.application.pk for row in rows]
    syntheses = {
        s.application_id: s for s in Synthesis.objects.filter(application__in=ids).select_related("rapporteur")
    }
    assignments = list(
        ReviewAssignment.objects.active().filter(application__in=ids).select_related("reviewer").order_by("pk")
    )
    affinity = {
        (application_id, reviewer_id): value
        for application_id, reviewer_id, value in ProposedAssignment.objects.filter(
            application__in=ids, proposal__in={a.proposal_id for a in assignments if a.proposal_id}
        ).values_list("application_id", "reviewer_id", "affinity")
    }
    by_application = {}
    for assignment in assignments:
        by_application.setdefault(assignment.application_id, []).append(assignment)
    for row in rows:
        mine = by_application.get(row.application.pk, [])
        row.reviewers = [a.reviewer for a in mine]
        row.synthesis = syntheses.get(row.application.pk)
        best = max(mine, key=lambda a: (affinity.get((a.application_id, a.reviewer_id), -1.0), -a.pk), default=None)
        row.proposed_rapporteur = best.reviewer if best else None
    return rows


class MeetingView(StaffCallMixin, CachedFragmentMixin, TemplateView):
    template_name = "reviews/meeting.html"
    fragment_template = "reviews/_meeting_content.html"
    fragment_per_user = False  # the same table for every staff member who decides (GET only)
    permission_required = "reviews.decide"
    paginate_by = 50

    def fragment_args(self):
        return (self.call.pk, (self.request.GET.get("page") or "")[:12])

    def get_context_data(self, typed=None, **kwargs):
        """`typed`: (application pk, outcome, amount) a refused decision comes back with."""
        self.typed = typed
        return super().get_context_data(call=self.call, **kwargs)

    def fragment_context(self):
        criteria, rows = selectors.ranking_pages(self.call)
        paginator = Paginator(rows, self.paginate_by)
        page = paginator.get_page(self.request.POST.get("page") or self.request.GET.get("page"))
        rows = _with_rapporteurs(_with_ceilings(self.call, list(page.object_list)))
        for row in rows:
            row.typed_outcome = None
            if self.typed is not None and row.application.pk == self.typed[0]:
                row.typed_outcome, row.offered_amount, row.refused = self.typed[1], self.typed[2], True
        return {
            "rows": rows,
            "page_obj": page,
            "total": paginator.count,
            "totals": services.funded_totals(self.call),
            "held_letters": services.held_letters(self.call).count(),
            "threshold": selectors.DIVERGENCE_THRESHOLD,
            "outcomes": [(outcome.value, outcome.label) for outcome in MEETING_OUTCOMES],
        }

    def post(self, request, pk):
        application = get_object_or_404(Application, pk=request.POST.get("application") or 0, call=self.call)
        page = request.POST.get("page", "")
        back = reverse("reviews:meeting", args=[pk]) + (f"?page={int(page)}" if page.isdigit() else "")
        if request.POST.get("action") == "rapporteur":
            reviewer = User.objects.filter(pk=request.POST.get("rapporteur") or 0).first()
            try:
                if reviewer is None:
                    raise services.ReviewError(_("The rapporteur must be one of the application's reviewers."))
                services.name_rapporteur(application, reviewer, request.user)
            except services.ReviewError as error:
                for reason in error.reasons:
                    messages.error(request, f"{application.reference} — {reason}")
            else:
                messages.success(
                    request,
                    _("%(name)s is the rapporteur of %(reference)s.")
                    % {"name": reviewer.get_full_name() or reviewer.email, "reference": application.reference},
                )
            return redirect(f"{back}#row-{application.pk}")
        outcome = request.POST.get("outcome", "")
        typed_amount = request.POST.get("amount", "")
        amount = typed_amount if outcome == Decision.Outcome.FUNDED else None
        try:
            decision = services.record_decision(application, outcome, amount, request.user)
        except services.ReviewError as error:
            # The page comes back with what staff chose and typed in that row, and why not.
            for reason in error.reasons:
                messages.error(request, f"{application.reference} — {reason}")
            typed = (application.pk, outcome, typed_amount)
            return self.render_to_response(self.get_context_data(typed=typed), status=200)
        else:
            messages.success(
                request,
                _("%(reference)s: %(outcome)s, pending until you publish the decisions.")
                % {"reference": application.reference, "outcome": decision.get_outcome_display()},
            )
        return redirect(f"{back}#row-{application.pk}")
