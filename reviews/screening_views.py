"""Staff's screening pages (issue 18): a call's submitted applications to screen after it closed,
and one application's screening with what staff check. Thin: the query is
committee_selectors.screening_rows, the change services.screen_application."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from applications.models import Application

from . import committee_selectors as selectors
from . import services
from .forms import ScreeningForm
from .models import Screening
from .views import StaffCallMixin, StaffRequiredMixin, _errors


def _list_url(call_id, state="", query="", page=""):
    params = {key: value for key, value in (("state", state), ("q", query), ("page", page)) if value}
    url = reverse("reviews:screening", args=[call_id])
    return f"{url}?{urlencode(params)}" if params else url


class ScreeningListView(StaffCallMixin, TemplateView):
    """The call's applications with what the screening checks; "Admissible" in one click, the
    other outcome on the application's own page (a reason and details to give)."""

    permission_required = "reviews.screen_applications"
    template_name = "reviews/screening.html"
    paginate_by = 50

    def filters(self, source):
        state = source.get("state", "")
        return (state if state in selectors.STATES else ""), (source.get("q", "") or "")[:200]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state, query = self.filters(self.request.GET)
        paginator = Paginator(selectors.screening_rows(self.call, state, query), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        language = get_language()
        for row in page.object_list:
            row.failed = selectors.failed_findings(row, language)
        now = timezone.now()
        context.update(
            call=self.call,
            rows=page.object_list,
            page_obj=page,
            total=paginator.count,
            state=state,
            query=query,
            counts=selectors.screening_counts(self.call),
            call_closed=services.call_closed(self.call, now),
            states=[
                ("", _("All")),
                (selectors.TO_SCREEN, _("To screen")),
                (selectors.ADMISSIBLE, _("Admissible")),
                (selectors.INADMISSIBLE, _("Inadmissible")),
            ],
        )
        return context

    def post(self, request, pk):
        """One click: the application is admissible."""
        state, query = self.filters(request.POST)
        back = _list_url(self.call.pk, state, query, request.POST.get("page", ""))
        application = get_object_or_404(Application, pk=request.POST.get("application") or 0, call=self.call)
        try:
            services.screen_application(application, request.user, Screening.Outcome.ADMISSIBLE)
        except services.ReviewError as error:
            _errors(request, error)
        else:
            messages.success(
                request,
                _("%(reference)s is admissible: it will be routed to reviewers.")
                % {"reference": application.reference},
            )
        return redirect(back)


class ScreenApplicationView(StaffRequiredMixin, TemplateView):
    """One application's screening: the report frozen at submission, the partner teams' answers,
    the documents, and the form (admissible, or inadmissible with a reason and details)."""

    permission_required = "reviews.screen_applications"
    template_name = "reviews/screen_application.html"

    def load(self, **kwargs):
        self.application = get_object_or_404(
            Application.objects.filter(status__in=selectors.SCREENED_STATUSES).select_related(
                "call__instrument", "applicant__researcher_profile", "screening"
            ),
            pk=kwargs["pk"],
        )

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.application
        screening = Screening.objects.filter(application=application).first()
        if form is None:
            initial = (
                {"outcome": screening.outcome, "reason": screening.reason, "details": screening.details}
                if screening
                else {}
            )
            form = ScreeningForm(initial=initial)
        context.update(
            application=application,
            call=application.call,
            screening=screening,
            form=form,
            failed=selectors.failed_findings(application, get_language()),
            partners=list(application.partners.prefetch_related("letters")),
            documents=list(application.attachments.all()),
            problems=services.screening_problems(application, timezone.now()),
            back=_list_url(application.call_id, selectors.TO_SCREEN),
        )
        return context

    def post(self, request, pk):
        form = ScreeningForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        try:
            services.screen_application(
                self.application, request.user, data["outcome"], data.get("reason", ""), data.get("details", "")
            )
        except services.ReviewError as error:
            for reason in error.reasons:
                form.add_error(None, reason)
            return self.render_to_response(self.get_context_data(form=form))
        if data["outcome"] == Screening.Outcome.ADMISSIBLE:
            message = _("%(reference)s is admissible: it will be routed to reviewers.")
        else:
            message = _(
                "%(reference)s is inadmissible: its letter waits with the call's decision letters until you "
                "release them."
            )
        messages.success(request, message % {"reference": self.application.reference})
        return redirect(_list_url(self.application.call_id, selectors.TO_SCREEN))
