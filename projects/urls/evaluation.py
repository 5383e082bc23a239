"""URLs of the projects' evaluation pages (the reviewer's under evaluations/, staff's on the
project: /projects/<id>/evaluation/...)."""

from django.urls import path

from ..views import evaluation

urlpatterns = [
    path("evaluations/", evaluation.EvaluationListView.as_view(), name="evaluations"),
    path("evaluations/<id:pk>/", evaluation.EvaluationView.as_view(), name="evaluation"),
    path("<id:pk>/evaluation/request/", evaluation.RequestEvaluationView.as_view(), name="request_evaluation"),
    path("<id:pk>/evaluation/cancel/", evaluation.CancelEvaluationView.as_view(), name="cancel_evaluation"),
]
