"""The open API, read-only and versioned, mounted at /api/v1/ (inserm_portal/urls.py): the version
is this prefix; a v2 would be a second include beside it."""

from django.urls import path

from . import views

app_name = "api"


def endpoint(view_class):
    return views.conditional(view_class.as_view())


urlpatterns = [
    path("calls/", endpoint(views.CallList), name="calls"),
    path("projects/", endpoint(views.ProjectList), name="projects"),
    path("sites/", endpoint(views.SiteList), name="sites"),
    path("figures/", endpoint(views.FiguresList), name="figures"),
    path("schema/", views.conditional(views.SchemaView.as_view()), name="schema"),
    path("docs/", views.ApiDocsView.as_view(), name="docs"),
]
