from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView
from django_countries import countries as world

from accounts.access import ResearcherRequiredMixin
from accounts.page_cache import CachedFragmentMixin
from notifications.services import set_subscriptions, subscribed_topics

from . import rules, selectors
from .forms import CallFilter, SubscriptionForm, listed_calls
from .models import Call, Instrument


class HomeView(TemplateView):
    template_name = "calls/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["open_calls"] = list(selectors.open_calls())
        return context


class CallListView(CachedFragmentMixin, TemplateView):
    template_name = "calls/call_list.html"
    fragment_template = "calls/_call_list_content.html"
    fragment_per_user = False  # the public list, the same for every reader of a query

    def fragment_args(self):
        return (urlencode(sorted(self.request.GET.lists()), doseq=True),)

    def fragment_context(self):
        now = timezone.now()
        call_filter = CallFilter(self.request.GET or None, queryset=listed_calls(now))
        calls = list(selectors.listed_calls(call_filter.qs))
        for call in calls:
            call.upcoming = call.is_upcoming_at(now)
        return {"filter": call_filter, "calls": calls, "now": now}


class CallDetailView(TemplateView):
    template_name = "calls/call_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            call = selectors.call_for_page(self.kwargs["pk"])
        except Call.DoesNotExist as exc:
            raise Http404 from exc
        now = timezone.now()
        zones = [
            {"zone": zone, "countries": sorted(str(world.name(c.country.code)) for c in zone.countries.all())}
            for zone in call.zones.all()
        ]
        context.update(
            call=call,
            code=call.instrument.code,
            Code=Instrument.Code,
            zones=zones,
            is_open=call.is_open_at(now),
            is_upcoming=call.is_upcoming_at(now),
            earliest_recruitment=rules.earliest_eligible_recruitment(rules.closing_day(call.facts())),
            own_application=selectors.own_application(self.request.user, call),
        )
        return context


class SubscriptionView(ResearcherRequiredMixin, FormView):
    template_name = "calls/subscriptions.html"
    form_class = SubscriptionForm

    def dispatch(self, request, *args, **kwargs):
        self.instruments = list(selectors.instruments_with_calls())
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instruments": self.instruments}

    def get_initial(self):
        topics = subscribed_topics(self.request.user)
        return {
            "instruments": [i.code for i in self.instruments if i.topic in topics],
            "draft_reminders": self.request.user.draft_reminders,
        }

    def form_valid(self, form):
        instrument_topics = {i.topic for i in self.instruments}
        chosen = {i.topic for i in self.instruments if i.code in form.cleaned_data["instruments"]}
        # Keep the user's subscriptions to other topics: this page only speaks of instruments.
        others = subscribed_topics(self.request.user) - instrument_topics
        set_subscriptions(self.request.user, sorted(others | chosen))
        user = self.request.user
        if user.draft_reminders != form.cleaned_data["draft_reminders"]:
            user.draft_reminders = form.cleaned_data["draft_reminders"]
            user.save(update_fields=["draft_reminders"])
        messages.success(self.request, gettext("Your call alerts are saved."))
        return redirect("call_subscriptions")
