"""The researcher's pages, under /<lang>/profile/ and /<lang>/applications/; a partner team's page
under /<lang>/partners/<token>/."""

from django.urls import path

from . import partner_views, views

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
        "applications/<id:pk>/partners/<id:partner_id>/resend/",
        partner_views.ResendPartnerLinkView.as_view(),
        name="partner_resend",
    ),
    # A partner team's page: no login, the signed token is the key (partner_links.py).
    path("partners/<str:token>/", partner_views.PartnerAnswerView.as_view(), name="partner_answer"),
    path(
        "applications/<id:pk>/attachments/<id:attachment_id>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
