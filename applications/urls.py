"""The researcher's pages, under /<lang>/profile/ and /<lang>/applications/."""

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("applications/", views.DashboardView.as_view(), name="dashboard"),
    path("applications/new/<id:call_id>/", views.StartApplicationView.as_view(), name="start"),
    path("applications/<id:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("applications/<id:pk>/edit/<slug:step>/", views.StepView.as_view(), name="step"),
    path("applications/<id:pk>/autosave/", views.AutosaveView.as_view(), name="autosave"),
    path("applications/<id:pk>/checklist/", views.ChecklistView.as_view(), name="checklist"),
    path("applications/<id:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("applications/<id:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path(
        "applications/<id:pk>/attachments/<id:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path(
        "applications/<id:pk>/attachments/<id:attachment_id>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
