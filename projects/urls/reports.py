"""URLs of the projects' reports pages."""

from django.urls import path

from ..views import reports

urlpatterns = [
    path("<id:pk>/reports/add/", reports.AddReportView.as_view(), name="report_add"),
    path("<id:pk>/reports/<id:report_pk>/", reports.ReportView.as_view(), name="report"),
    path(
        "<id:pk>/reports/<id:report_pk>/documents/",
        reports.ReportAttachmentAddView.as_view(),
        name="report_attachment_add",
    ),
    path(
        "<id:pk>/reports/<id:report_pk>/documents/<id:attachment_pk>/",
        reports.ReportAttachmentView.as_view(),
        name="report_attachment",
    ),
    path(
        "<id:pk>/reports/<id:report_pk>/documents/<id:attachment_pk>/remove/",
        reports.ReportAttachmentRemoveView.as_view(),
        name="report_attachment_remove",
    ),
]
