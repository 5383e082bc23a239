"""URL patterns of one part of cooperation (see cooperation/urls.py): the staff dashboard."""

from django.urls import path

from ..dashboard_views import DashboardView

urlpatterns = [path("staff/dashboard/", DashboardView.as_view(), name="dashboard")]
