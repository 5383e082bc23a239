from django.urls import path

from . import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("calls/", views.CallListView.as_view(), name="call_list"),
    path("calls/<id:pk>/", views.CallDetailView.as_view(), name="call_detail"),
    path("calls/alerts/", views.SubscriptionView.as_view(), name="call_subscriptions"),
]
