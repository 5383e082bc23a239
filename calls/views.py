from django.views.generic import TemplateView

from . import selectors


class HomeView(TemplateView):
    template_name = "calls/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["open_calls"] = list(selectors.open_calls())
        return context
