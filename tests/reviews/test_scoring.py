"""Scoring in the browser: draft, submit (locked), staff reopen; the weighted mean staff then see;
the reviewer's queue. What is checked is what the form holds for each criterion (the radio
checked, the comment, the error beside the field) and what the database holds per criterion."""

from html.parser import HTMLParser

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


@pytest.fixture
def criteria(call):
    """The call's two criteria, weights 2 and 1 (ClosedCallFactory)."""
    first, second = ReviewCriterion.objects.filter(call=call).order_by("position")
    return first, second


def form_data(call, scores, action, recommendation="support"):
    data = {action: "1", "recommendation": recommendation, "general_comment": "Solid project."}
    for criterion, score in zip(ReviewCriterion.objects.filter(call=call).order_by("position"), scores, strict=True):
        data[f"score_{criterion.pk}"] = "" if score is None else str(score)
        data[f"comment_{criterion.pk}"] = f"Comment {criterion.pk}"
    return data


def saved_scores(assignment):
    """{criterion id: (score, comment)} as the database holds them."""
    review = Review.objects.get(assignment=assignment)
    return {s.criterion_id: (s.score, s.comment) for s in review.scores.all()}


class ScoreFormState(HTMLParser):
    """What the review form shows: the checked radio of each score, the text of each textarea,
    the selected recommendation, the error texts by element id, and whether the fields are
    disabled."""

    def __init__(self, page):
        super().__init__()
        self.checked, self.textareas, self.errors = {}, {}, {}
        self.selected, self.disabled = None, False
        self._textarea = self._error = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "radio" and "checked" in attrs:
            assert attrs["name"] not in self.checked, "two radios of one criterion are checked"
            self.checked[attrs["name"]] = attrs["value"]
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.textareas[self._textarea] = ""
        elif tag == "option" and "selected" in attrs:
            self.selected = attrs["value"]
        elif tag == "fieldset" and "disabled" in attrs:
            self.disabled = True
        elif tag == "div" and "invalid-feedback" in attrs.get("class", ""):
            self._error = attrs.get("id")
            self.errors[self._error] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "div":
            self._error = None

    def handle_data(self, data):
        if self._textarea is not None:
            self.textareas[self._textarea] += data
        if self._error is not None:
            self.errors[self._error] += data


def form_state(client, assignment):
    response = client.get(url("assignment", assignment.application_id))
    assert response.status_code == 200
    return ScoreFormState(response.content.decode())


def test_reviewer_saves_a_partial_draft_and_finds_it_again(client, assignment, call, criteria):
    first, second = criteria
    client.force_login(assignment.reviewer)
    response = client.post(url("assignment", assignment.application_id), form_data(call, [4, None], "save", ""))
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.DRAFT and review.submitted_at is None
    assert (review.recommendation, review.general_comment) == ("", "Solid project.")
    assert saved_scores(assignment) == {
        first.pk: (4, f"Comment {first.pk}"),
        second.pk: (None, f"Comment {second.pk}"),
    }
    form = form_state(client, assignment)
    assert form.checked == {f"score_{first.pk}": "4"}
    assert form.textareas == {
        f"comment_{first.pk}": f"Comment {first.pk}",
        f"comment_{second.pk}": f"Comment {second.pk}",
        "general_comment": "Solid project.",
        "comment_for_applicant": "",
    }
    assert form.selected == "" and not form.disabled


def test_submit_with_a_missing_score_shows_the_error_at_the_field_and_keeps_the_input(
    client, assignment, call, criteria, english
):
    first, second = criteria
    client.force_login(assignment.reviewer)
    response = client.post(url("assignment", assignment.application_id), form_data(call, [5, None], "submit"))
    assert response.status_code == 200
    form = ScoreFormState(response.content.decode())
    assert form.errors == {f"id_score_{second.pk}-errors": "Score this criterion before submitting."}
    assert form.checked == {f"score_{first.pk}": "5"}
    assert form.textareas["general_comment"] == "Solid project."
    assert form.textareas[f"comment_{second.pk}"] == f"Comment {second.pk}"
    assert form.selected == "support"
    assert not Review.objects.filter(assignment=assignment).exists()


def test_submitted_review_is_locked_and_reminders_are_cancelled(client, assignment, call, criteria, english):
    first, second = criteria
    client.force_login(assignment.reviewer)
    response = client.post(
        url("assignment", assignment.application_id), {**form_data(call, [5, 3], "submit"), "confirmed": "1"}
    )
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.SUBMITTED and review.submitted_at
    assert review.recommendation == "support"
    assert saved_scores(assignment) == {
        first.pk: (5, f"Comment {first.pk}"),
        second.pk: (3, f"Comment {second.pk}"),
    }
    statuses = dict(Notification.objects.filter(object_id=assignment.pk).values_list("kind", "status"))
    assert statuses["review.reminder"] == "cancelled" and statuses["review.overdue"] == "cancelled"
    form = form_state(client, assignment)
    assert form.disabled
    assert form.checked == {f"score_{first.pk}": "5", f"score_{second.pk}": "3"}
    again = client.post(url("assignment", assignment.application_id), form_data(call, [1, 1], "save"))
    assert again.status_code == 200
    assert "ask the staff to reopen it" in again.content.decode()
    assert saved_scores(assignment) == {
        first.pk: (5, f"Comment {first.pk}"),
        second.pk: (3, f"Comment {second.pk}"),
    }


def test_staff_reopen_lets_the_reviewer_change_the_review(client, assignment, call, criteria, staff):
    first, second = criteria
    client.force_login(assignment.reviewer)
    client.post(url("assignment", assignment.application_id), {**form_data(call, [5, 3], "submit"), "confirmed": "1"})
    review = Review.objects.get(assignment=assignment)
    services.reopen_review(review, staff)
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT and review.reopened_by == staff
    assert not form_state(client, assignment).disabled
    client.post(url("assignment", assignment.application_id), {**form_data(call, [1, 4], "submit"), "confirmed": "1"})
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert {criterion: score for criterion, (score, _comment) in saved_scores(assignment).items()} == {
        first.pk: 1,
        second.pk: 4,
    }


def test_staff_see_the_submitted_review_as_its_weighted_mean_and_criterion_scores(
    client, assignment, call, staff, english
):
    client.force_login(assignment.reviewer)
    client.post(url("assignment", assignment.application_id), {**form_data(call, [5, 3], "submit"), "confirmed": "1"})
    client.force_login(staff)
    page = client.get(url("ranking", call.pk)).content.decode()
    row = page[page.index(assignment.application.reference) :]
    row = row[: row.index("</tr>")]
    # Weights 2 and 1: (2 x 5 + 1 x 3) / 3 = 4.33; the criterion columns hold 5 and 3.
    assert 'data-label="Weighted mean">4.33</td>' in row
    assert 'data-label="Criterion 1">5' in row and 'data-label="Criterion 2">3' in row
    assert 'data-label="Reviews">1 / 1</td>' in row


def test_reviewer_cannot_reopen_a_review(assignment):
    review = Review.objects.create(assignment=assignment, status=Review.Status.SUBMITTED)
    with pytest.raises(services.ReviewError):
        services.reopen_review(review, assignment.reviewer)
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED


def test_staff_reopen_through_the_admin_action(client, assignment, staff):
    review = Review.objects.create(assignment=assignment, status=Review.Status.SUBMITTED)
    client.force_login(staff)
    client.post("/admin/reviews/review/", {"action": "reopen_selected", "_selected_action": [review.pk]})
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT and review.reopened_by == staff


def test_score_outside_1_to_5_is_refused(assignment, call, criteria):
    with pytest.raises(services.ReviewError):
        services.save_review(assignment, assignment.reviewer, scores={criteria[0].pk: (6, "")})
    assert not Review.objects.filter(assignment=assignment).exists()


def test_other_reviewers_scores_are_not_shown(client, assignment, call, criteria):
    colleague = ReviewerProfileFactory(institution="").user
    other = assign(assignment.application, colleague)
    services.save_review(other, colleague, scores={criteria[0].pk: (1, "SECRET-COLLEAGUE-COMMENT")})
    client.force_login(assignment.reviewer)
    response = client.get(url("assignment", assignment.application_id))
    assert response.status_code == 200
    body = response.content.decode()
    assert assignment.application.title in body
    assert "SECRET-COLLEAGUE-COMMENT" not in body
    assert ScoreFormState(body).checked == {}


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


# session, user, reviewer profile (conflicts), assignments with progress, invitations, calls to bid on
QUEUE_QUERIES = 6


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
