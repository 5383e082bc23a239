"""The researcher's pages, under /<lang>/profile/ and /<lang>/applications/; a partner team's page
under /<lang>/partners/<token>/."""

from django.urls import path

from . import co_applicant_views, partner_views, views
from .information_views import ResubmitView, VersionListView, VersionView

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
    path("applications/<id:pk>/resubmit/", ResubmitView.as_view(), name="resubmit"),
    path("applications/<id:pk>/versions/", VersionListView.as_view(), name="versions"),
    path("applications/<id:pk>/versions/<int:number>/", VersionView.as_view(), name="version"),
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
    path("applications/<id:pk>/co-applicants/", co_applicant_views.InviteView.as_view(), name="co_applicant_invite"),
    path(
        "applications/<id:pk>/co-applicants/<id:co_applicant_id>/resend/",
        co_applicant_views.ResendView.as_view(),
        name="co_applicant_resend",
    ),
    path(
        "applications/<id:pk>/co-applicants/<id:co_applicant_id>/remove/",
        co_applicant_views.RemoveView.as_view(),
        name="co_applicant_remove",
    ),
    # A co-applicant's invitation: the signed token names it; the invited account accepts.
    path(
        "applications/invitations/<str:token>/",
        co_applicant_views.InvitationView.as_view(),
        name="co_applicant_invitation",
    ),
    # A partner team's page: no login, the signed token is the key (partner_links.py).
    path("partners/<str:token>/", partner_views.PartnerAnswerView.as_view(), name="partner_answer"),
    path(
        "applications/<id:pk>/attachments/<id:attachment_id>/delete/",
        views.AttachmentDeleteView.as_view(),
        name="attachment_delete",
    ),
]
