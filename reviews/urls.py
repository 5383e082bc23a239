"""The review pages, under /<lang>/reviews/."""

from django.urls import path

from . import bidding_views, committee_views, dossier_views, meeting_views, screening_views, views

app_name = "reviews"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("invitations/<id:pk>/", views.InvitationView.as_view(), name="invitation"),
    path("applications/<id:pk>/", committee_views.ReviewPageView.as_view(), name="assignment"),
    path(
        "applications/<id:pk>/attachments/<id:attachment_id>/",
        views.AttachmentView.as_view(),
        name="attachment",
    ),
    path("applications/<id:pk>/recuse/", views.RecuseView.as_view(), name="recuse"),
    path("applications/<id:pk>/synthesis/", committee_views.SynthesisView.as_view(), name="synthesis"),
    path("applications/<id:pk>/discussion/", committee_views.DiscussionView.as_view(), name="discussion"),
    path("calls/<id:pk>/bids/", bidding_views.BiddingView.as_view(), name="bids"),
    path(
        "calls/<id:pk>/bids/<id:application_pk>/conflict/",
        bidding_views.BidConflictView.as_view(),
        name="bid_conflict",
    ),
    path("decisions/<id:pk>/", views.DecisionView.as_view(), name="decision"),
    path("staff/", views.StaffCallListView.as_view(), name="staff_calls"),
    path("staff/calls/<id:pk>/", views.StaffCallView.as_view(), name="staff_call"),
    path("staff/calls/<id:pk>/ranking/", views.RankingView.as_view(), name="ranking"),
    path(
        "staff/applications/<id:pk>/discussion/",
        committee_views.StaffDiscussionView.as_view(),
        name="staff_discussion",
    ),
    path("staff/calls/<id:pk>/dossiers/", dossier_views.DossiersView.as_view(), name="dossiers"),
    path("staff/dossiers/<id:pk>/", dossier_views.DossierView.as_view(), name="dossier"),
    path("staff/dossiers/<id:pk>/progress/", dossier_views.DossierProgressView.as_view(), name="dossier_progress"),
    path("staff/dossiers/<id:pk>/download/", dossier_views.DossierDownloadView.as_view(), name="dossier_download"),
    path("staff/calls/<id:pk>/meeting/", meeting_views.MeetingView.as_view(), name="meeting"),
    path("staff/calls/<id:pk>/bids/", bidding_views.StaffBidsView.as_view(), name="staff_bids"),
    path("staff/calls/<id:pk>/screening/", screening_views.ScreeningListView.as_view(), name="screening"),
    path(
        "staff/applications/<id:pk>/screening/",
        screening_views.ScreenApplicationView.as_view(),
        name="screen_application",
    ),
    path("staff/calls/<id:pk>/export.csv", views.ExportView.as_view(), {"fmt": "csv"}, name="export_csv"),
    path("staff/calls/<id:pk>/export.xlsx", views.ExportView.as_view(), {"fmt": "xlsx"}, name="export_xlsx"),
    path("staff/calls/<id:pk>/letters/", views.ReleaseLettersView.as_view(), name="release_letters"),
    path("staff/proposals/<id:pk>/", views.StaffProposalView.as_view(), name="staff_proposal"),
    path("staff/proposals/<id:pk>/progress/", views.StaffProposalProgressView.as_view(), name="proposal_progress"),
    path("staff/applications/<id:pk>/decision/", views.DecisionFormView.as_view(), name="decide"),
]
