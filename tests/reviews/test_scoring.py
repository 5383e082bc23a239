"""Scoring in the browser: draft, submit (locked), staff reopen; the reviewer's queue."""

import pytest

from calls.models import ReviewCriterion
from notifications.models import Notification
from reviews import services
from reviews.models import Review, ReviewerInvitation
from reviews.services import queue_assignment_notifications

from .factories import ClosedCallFactory, ReviewerProfileFactory, assign, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(call):
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    assignment = assign(application, reviewer)
    queue_assignment_notifications([assignment])
    return assignment


def form_data(call, scores, action, recommendation="support"):
    data = {action: "1", "recommendation": recommendation, "general_comment": "Solid project."}
    for criterion, score in zip(ReviewCriterion.objects.filter(call=call).order_by("position"), scores, strict=True):
        data[f"score_{criterion.pk}"] = "" if score is None else str(score)
        data[f"comment_{criterion.pk}"] = f"Comment {criterion.pk}"
    return data


def test_reviewer_saves_a_partial_draft_and_finds_it_again(client, assignment, call):
    client.force_login(assignment.reviewer)
    response = client.post(url("assignment", assignment.application_id), form_data(call, [4, None], "save", ""))
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT
    assert sorted(review.scores.values_list("score", flat=True), key=lambda s: s or 0) == [None, 4]
    page = client.get(url("assignment", assignment.application_id)).content.decode()
    assert 'value="4" class="form-check-input" id' in page or 'value="4" checked' in page or "checked" in page


def test_submit_with_a_missing_score_shows_the_error_at_the_field_and_keeps_the_input(client, assignment, call):
    client.force_login(assignment.reviewer)
    response = client.post(url("assignment", assignment.application_id), form_data(call, [5, None], "submit"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Score this criterion before submitting." in body
    assert "Solid project." in body
    assert not Review.objects.filter(assignment=assignment, status="submitted").exists()


def test_submitted_review_is_locked_and_reminders_are_cancelled(client, assignment, call):
    client.force_login(assignment.reviewer)
    response = client.post(
        url("assignment", assignment.application_id), {**form_data(call, [5, 3], "submit"), "confirmed": "1"}
    )
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.SUBMITTED and review.submitted_at
    statuses = dict(Notification.objects.filter(object_id=assignment.pk).values_list("kind", "status"))
    assert statuses["review_reminder"] == "cancelled" and statuses["review_overdue"] == "cancelled"
    again = client.post(url("assignment", assignment.application_id), form_data(call, [1, 1], "save"))
    assert again.status_code == 200
    assert "ask the staff to reopen it" in again.content.decode()
    assert sorted(review.scores.values_list("score", flat=True)) == [3, 5]


def test_staff_reopen_lets_the_reviewer_change_the_review(client, assignment, call, staff):
    client.force_login(assignment.reviewer)
    client.post(url("assignment", assignment.application_id), {**form_data(call, [5, 3], "submit"), "confirmed": "1"})
    review = Review.objects.get(assignment=assignment)
    services.reopen_review(review, staff)
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT and review.reopened_by == staff
    client.post(url("assignment", assignment.application_id), {**form_data(call, [2, 2], "submit"), "confirmed": "1"})
    assert sorted(review.scores.values_list("score", flat=True)) == [2, 2]


def test_reviewer_cannot_reopen_a_review(assignment):
    review = Review.objects.create(assignment=assignment, status=Review.Status.SUBMITTED)
    with pytest.raises(services.ReviewError):
        services.reopen_review(review, assignment.reviewer)


def test_staff_reopen_through_the_admin_action(client, assignment, staff):
    review = Review.objects.create(assignment=assignment, status=Review.Status.SUBMITTED)
    client.force_login(staff)
    client.post("/admin/reviews/review/", {"action": "reopen_selected", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT


def test_score_outside_1_to_5_is_refused(assignment, call):
    criterion = ReviewCriterion.objects.filter(call=call).first()
    with pytest.raises(services.ReviewError):
        services.save_review(assignment, assignment.reviewer, scores={criterion.pk: (6, "")})


def test_other_reviewers_scores_are_not_shown(client, assignment, call):
    colleague = ReviewerProfileFactory(institution="").user
    other = assign(assignment.application, colleague)
    criterion = ReviewCriterion.objects.filter(call=call).first()
    services.save_review(other, colleague, scores={criterion.pk: (1, "SECRET-COLLEAGUE-COMMENT")})
    client.force_login(assignment.reviewer)
    body = client.get(url("assignment", assignment.application_id)).content.decode()
    assert "SECRET-COLLEAGUE-COMMENT" not in body


def queue_setup(call, n):
    reviewer = ReviewerProfileFactory(institution="").user
    for _ in range(n):
        assign(submitted_application(call), reviewer)
        # A pending invitation per row too: the queue lists them above the assignments.
        ReviewerInvitation.objects.create(call=ClosedCallFactory(), reviewer=reviewer)
    return reviewer


@pytest.mark.parametrize("rows", [1, 50])
def test_queue_costs_the_same_queries_with_1_and_50_assignments(client, call, rows, django_assert_num_queries):
    reviewer = queue_setup(call, rows)
    client.force_login(reviewer)
    client.get(url("queue"))  # warm the session and content types
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(url("queue"))
    assert response.status_code == 200
    assert response.content.decode().count("/reviews/applications/") == rows
    assert response.content.decode().count("/reviews/invitations/") == rows


QUEUE_QUERIES = 5  # session, user, reviewer profile (conflicts), assignments with progress, invitations


def test_submitting_asks_first_and_keeps_the_scores_as_a_draft_meanwhile(client, assignment, call, english):
    client.force_login(assignment.reviewer)
    response = client.post(url("assignment", assignment.application_id), form_data(call, [5, 3], "submit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Submit your review?" in page and "can no longer be changed" in page
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT
    assert sorted(review.scores.values_list("score", flat=True)) == [3, 5]
    assert 'name="confirmed" value="1"' in page
