"""The researcher's pages, under /<lang>/profile/ and /<lang>/applications/."""

from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("applications/", views.DashboardView.as_view(), name="dashboard"),
    path("applications/new/<int:call_id>/", views.StartApplicationView.as_view(), name="start"),
    path("applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("applications/<int:pk>/edit/<slug:step>/", views.StepView.as_view(), name="step"),
    path("applications/<int:pk>/autosave/", views.AutosaveView.as_view(), name="autosave"),
    path("applications/<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("applications/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment",
    ),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
