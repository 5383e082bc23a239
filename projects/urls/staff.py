"""URLs of the projects' staff pages."""

from django.urls import path

from ..views import staff

urlpatterns = [
    path("staff/", staff.ProjectListView.as_view(), name="staff_list"),
    path("staff/dashboard/", staff.DashboardView.as_view(), name="staff_dashboard"),
    path("staff/export.csv", staff.ProjectExportView.as_view(), {"fmt": "csv"}, name="staff_export_csv"),
    path("staff/export.xlsx", staff.ProjectExportView.as_view(), {"fmt": "xlsx"}, name="staff_export_xlsx"),
]
