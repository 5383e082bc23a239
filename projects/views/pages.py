"""The project page (the lead researcher's and staff's) and its sections."""

from django.views.generic import TemplateView

from .base import ProjectMixin

#: Each part of the project page adds its own context: functions (project, user) -> dict,
#: listed here so that the page costs the queries its parts ask for, and no more.
SECTIONS = []


def section(function):
    SECTIONS.append(function)
    return function


class ProjectDetailView(ProjectMixin, TemplateView):
    template_name = "projects/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(project=self.project, is_lead=self.is_lead, **kwargs)
        for function in SECTIONS:
            context.update(function(self.project, self.request.user))
        return context
