"""URLs of the project page and My projects."""

from django.urls import path

from ..views import pages

urlpatterns = [
    path("<id:pk>/", pages.ProjectDetailView.as_view(), name="detail"),
]
