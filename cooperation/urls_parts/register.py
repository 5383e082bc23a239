"""URL patterns of one part of cooperation (see cooperation/urls.py): the staff import of the
register and the units' own declarations."""

from django.urls import path

from .. import register_views as views

urlpatterns = [
    path("staff/import/", views.ImportView.as_view(), name="import"),
    path("staff/import/report/", views.ImportReportView.as_view(), name="import_report"),
    path("staff/import/apply/", views.ImportApplyView.as_view(), name="import_apply"),
    path("cooperations/", views.DeclarationListView.as_view(), name="declarations"),
    path("cooperations/new/", views.DeclarationFormView.as_view(), name="declaration_new"),
    path("cooperations/<int:pk>/edit/", views.DeclarationFormView.as_view(), name="declaration_edit"),
    path("cooperations/<int:pk>/delete/", views.DeclarationDeleteView.as_view(), name="declaration_delete"),
]
