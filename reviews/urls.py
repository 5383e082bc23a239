"""The review pages, under /<lang>/reviews/."""

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("invitations/<int:pk>/", views.InvitationView.as_view(), name="invitation"),
    path("applications/<int:pk>/", views.AssignmentView.as_view(), name="assignment"),
    path(
        "applications/<int:pk>/attachments/<int:attachment_id>/",
        views.AttachmentView.as_view(),
        name="attachment",
    ),
    path("applications/<int:pk>/recuse/", views.RecuseView.as_view(), name="recuse"),
    path("decisions/<int:pk>/", views.DecisionView.as_view(), name="decision"),
    path("staff/", views.StaffCallListView.as_view(), name="staff_calls"),
    path("staff/calls/<int:pk>/", views.StaffCallView.as_view(), name="staff_call"),
    path("staff/calls/<int:pk>/ranking/", views.RankingView.as_view(), name="ranking"),
    path("staff/calls/<int:pk>/export.csv", views.ExportView.as_view(), {"fmt": "csv"}, name="export_csv"),
    path("staff/calls/<int:pk>/export.xlsx", views.ExportView.as_view(), {"fmt": "xlsx"}, name="export_xlsx"),
    path("staff/proposals/<int:pk>/", views.StaffProposalView.as_view(), name="staff_proposal"),
    path("staff/proposals/<int:pk>/progress/", views.StaffProposalProgressView.as_view(), name="proposal_progress"),
    path("staff/applications/<int:pk>/decision/", views.DecisionFormView.as_view(), name="decide"),
]
