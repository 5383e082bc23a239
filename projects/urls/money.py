"""URLs of the projects' money pages."""

from django.urls import path

from ..views import money

urlpatterns = [
    path("<id:pk>/payments/", money.RecordPaymentView.as_view(), name="record_payment"),
]
