"""The bidding pages (issue 18): a reviewer's bids and conflicts on a closed call's admissible
applications, before routing; staff's view of the bids' coverage. The bid form works without
JavaScript (a button per row); static/js/bids.js saves each choice as it is made."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import ReviewerRequiredMixin
from accounts.page_cache import CachedFragmentMixin
from applications.models import Application
from calls.models import Call

from . import committee_selectors as selectors
from . import services
from .forms import BidConflictForm
from .models import Bid, ReviewerInvitation
from .views import StaffCallMixin


def _wants_json(request):
    return request.headers.get("X-Requested-With") == "fetch"


class ReviewerCallMixin(ReviewerRequiredMixin):
    """A call the reviewer accepted to review (404 otherwise: whether it exists does not leak)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            accepted = ReviewerInvitation.objects.filter(
                reviewer=request.user, status=ReviewerInvitation.Status.ACCEPTED
            ).values("call")
            self.call = get_object_or_404(
                Call.objects.select_related("instrument").filter(pk__in=accepted), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)


class BiddingView(ReviewerCallMixin, CachedFragmentMixin, TemplateView):
    template_name = "reviews/bidding.html"
    fragment_template = "reviews/_bidding_content.html"  # the reviewer's own (their bids)
    paginate_by = 25

    def filters(self, source):
        state = source.get("state", "")
        return (state if state in selectors.BID_STATES else ""), (source.get("q", "") or "")[:200]

    def back_url(self, source):
        target = source.get("back") or ""
        if target and url_has_allowed_host_and_scheme(target, {self.request.get_host()}, self.request.is_secure()):
            return target
        return reverse("reviews:bids", args=[self.call.pk])

    def fragment_args(self):
        return (self.call.pk, urlencode(sorted(self.request.GET.lists()), doseq=True))

    def get_context_data(self, **kwargs):
        return super().get_context_data(call=self.call, **kwargs)

    def fragment_context(self):
        state, query = self.filters(self.request.GET)
        problems = services.bidding_problems(self.request.user, self.call)
        rows = selectors.bidding_rows(self.request.user, self.call, state, query)
        paginator = Paginator(rows, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            "rows": page.object_list,
            "page_obj": page,
            "total": paginator.count,
            "state": state,
            "query": query,
            "problems": problems,
            "counts": selectors.bid_counts(self.request.user, self.call),
            "declared": selectors.declared_conflicts(self.request.user, self.call),
            "kinds": Bid.Kind.choices,
            "states": selectors.bid_state_choices(),
        }

    def post(self, request, pk):
        application = Application.objects.filter(pk=request.POST.get("application") or 0, call=self.call).first()
        if application is None:
            raise Http404
        try:
            bid = services.save_bid(request.user, application, request.POST.get("kind", ""))
        except services.ReviewError as error:
            if _wants_json(request):
                return JsonResponse({"saved": False, "error": " ".join(error.reasons)}, status=400)
            for reason in error.reasons:
                messages.error(request, reason)
            return redirect(self.back_url(request.POST))
        label = _("Saved: %(bid)s.") % {"bid": bid.get_kind_display()}
        if _wants_json(request):
            return JsonResponse({"saved": True, "kind": bid.kind, "message": label})
        messages.success(request, f"{application.reference} — {label}")
        return redirect(self.back_url(request.POST))


class BidConflictView(ReviewerCallMixin, TemplateView):
    """Declare a conflict of interest with one application of the call (a kind and a reason)."""

    template_name = "reviews/bid_conflict.html"

    def application(self):
        if not hasattr(self, "_application"):
            self._application = get_object_or_404(
                services.biddable(self.request.user, self.call).select_related("call"), pk=self.kwargs["application_pk"]
            )
        return self._application

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(call=self.call, application=self.application(), form=form or BidConflictForm())
        return context

    def post(self, request, pk, application_pk):
        form = BidConflictForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        application = self.application()
        try:
            services.declare_conflict_before_routing(
                request.user, application, form.cleaned_data["kind"], form.cleaned_data["reason"]
            )
        except services.ReviewError as error:
            for reason in error.reasons:
                form.add_error(None, reason)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            _("Your conflict of interest with %(reference)s is recorded: it will not be assigned to you.")
            % {"reference": application.reference},
        )
        return redirect("reviews:bids", pk=self.call.pk)


class StaffBidsView(StaffCallMixin, TemplateView):
    """How the call's admissible applications are covered by bids before routing."""

    permission_required = "reviews.route_applications"
    template_name = "reviews/staff_bids.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(selectors.bid_coverage(self.call), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            call=self.call,
            rows=page.object_list,
            page_obj=page,
            total=paginator.count,
            pool=selectors.bidding_pool_size(self.call),
        )
        return context
