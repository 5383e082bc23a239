"""URLs of the project page and staff's actions on it (My projects is a section of the dashboard)."""

from django.urls import path

from ..views import pages

urlpatterns = [
    path("<id:pk>/", pages.ProjectDetailView.as_view(), name="detail"),
    path("<id:pk>/start-date/", pages.SetStartDateView.as_view(), name="set_start"),
    path("<id:pk>/suspend/", pages.SuspendView.as_view(), name="suspend"),
    path("<id:pk>/resume/", pages.ResumeView.as_view(), name="resume"),
    path("<id:pk>/terminate/", pages.TerminateView.as_view(), name="terminate"),
]
