"""URLs of the projects' changes pages."""

from django.urls import path

from ..views import changes

urlpatterns = [
    path("<id:pk>/changes/new/", changes.ChangeRequestView.as_view(), name="change_new"),
    path("<id:pk>/changes/<id:change_pk>/", changes.DecideChangeView.as_view(), name="change_decide"),
    path("<id:pk>/changes/<id:change_pk>/withdraw/", changes.WithdrawChangeView.as_view(), name="change_withdraw"),
]
