"""Recusal: the assignment ends, staff are told, the router proposes a replacement."""

import pytest

from notifications.models import Notification
from reviews import services
from reviews.models import ConflictOfInterest, ReviewAssignment, ReviewerInvitation, RoutingProposal
from reviews.services import queue_assignment_notifications
from tests.factories import StaffFactory

from .factories import pool_reviewer, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(call, staff):
    application = submitted_application(call, keywords="ageing")
    first = pool_reviewer(call, institution="Uni 1", free_keywords="ageing")
    second = pool_reviewer(call, institution="Uni 2", free_keywords="ageing")
    spare = pool_reviewer(call, institution="Uni 3", free_keywords="ageing, cohort")
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    # Keep the first two on the application, leave the third as the spare.
    for pair in proposal.pairs.all():
        services.remove_proposed_pair(pair, staff)
    services.add_proposed_pair(proposal, application, first, staff)
    services.add_proposed_pair(proposal, application, second, staff)
    services.confirm_routing(proposal, staff)
    return application, first, second, spare


def test_recusal_ends_the_assignment_notifies_staff_and_proposes_a_replacement(client, routed, staff):
    application, first, second, spare = routed
    other_staff = StaffFactory()
    client.force_login(first)
    response = client.post(url("recuse", application.pk), {"reason": "I co-authored with the applicant."})
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get(application=application, reviewer=first)
    assert assignment.status == ReviewAssignment.Status.RECUSED
    assert assignment.end_reason == "I co-authored with the applicant."
    recusals = Notification.objects.filter(kind="review.recusal")
    assert set(recusals.values_list("recipient", flat=True)) == {staff.pk, other_staff.pk}
    assert recusals.first().context["reason"] == "I co-authored with the applicant."
    cancelled = set(
        Notification.objects.filter(
            object_id=assignment.pk, kind__in=["review.reminder", "review.overdue"]
        ).values_list("status", flat=True)
    )
    assert cancelled == {"cancelled"}
    replacement = RoutingProposal.objects.get(application=application)
    assert replacement.status == RoutingProposal.Status.DRAFT
    assert list(replacement.pairs.values_list("reviewer", flat=True)) == [spare.pk]
    assert recusals.first().context["url_path"] == f"/reviews/staff/proposals/{replacement.pk}/"
    # The former reviewer no longer sees the application.
    assert client.get(url("assignment", application.pk)).status_code == 404


def test_recused_reviewer_is_never_proposed_again(routed, staff):
    application, first, _second, spare = routed
    ReviewerInvitation.objects.filter(reviewer=spare).update(status=ReviewerInvitation.Status.DECLINED)
    proposal = services.recuse(ReviewAssignment.objects.get(application=application, reviewer=first), first, "Busy")
    # The pool now holds the recused reviewer and the one already on the application: nobody to propose.
    assert proposal.pairs.count() == 0
    assert proposal.shortfalls[0]["code"] == "routing.not_enough_conflict_free_reviewers"


def test_recusal_without_a_spare_reviewer_explains_the_shortfall(call, staff):
    application = submitted_application(call)
    only = pool_reviewer(call, institution="Uni 9")
    services.confirm_routing(services.launch_routing(call, staff, reviewers_per_application=1), staff)
    proposal = services.recuse(ReviewAssignment.objects.get(reviewer=only), only, "Too busy")
    assert proposal.pairs.count() == 0
    assert proposal.shortfalls[0]["application_id"] == application.pk


def test_recusal_needs_a_reason(client, routed):
    application, first, _second, _spare = routed
    client.force_login(first)
    response = client.post(url("recuse", application.pk), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ReviewAssignment.objects.get(application=application, reviewer=first).status == "active"


def test_recusal_declaring_a_conflict_records_it(routed):
    application, first, _second, _spare = routed
    services.recuse(
        ReviewAssignment.objects.get(application=application, reviewer=first),
        first,
        "Same lab",
        conflict_kind="collaborator",
    )
    conflict = ConflictOfInterest.objects.get(reviewer=first, application=application)
    assert conflict.kind == "collaborator" and conflict.source == "reviewer"


def test_reminders_are_queued_once_per_assignment(routed):
    application, first, _second, _spare = routed
    assignment = ReviewAssignment.objects.get(application=application, reviewer=first)
    queue_assignment_notifications([assignment])  # a retry creates nothing new
    assert Notification.objects.filter(object_id=assignment.pk, kind="review.reminder").count() == 1
