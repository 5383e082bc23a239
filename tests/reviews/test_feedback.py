"""Feedback to applicants (issue 18): each review has a comment for the applicant, apart from the
confidential one; when staff share the feedback of a call, the decision letter and the decision page
carry those comments, never a reviewer's name."""

import pytest
from django.test import Client

from calls.models import ReviewCriterion
from notifications.models import Notification
from notifications.rendering import render_message
from reviews import notices, services
from tests.factories import PASSWORD

from .factories import ReviewerProfileFactory, assign, submitted_application

pytestmark = pytest.mark.django_db

SHARED = "The partnership is convincing; the budget for year 2 deserves more detail."
CONFIDENTIAL = "Between us: the applicant's former work was weak."


def reviewed(call, *, comments=(SHARED,)):
    """An application in review with one submitted review per comment (its reviewer named Zoé)."""
    application = submitted_application(call)
    criteria = list(ReviewCriterion.objects.filter(call=call))
    for index, comment in enumerate(comments):
        reviewer = ReviewerProfileFactory(
            institution="",
            user__first_name="Zoé",
            user__last_name="Reviewer",
            user__email=f"zoe{index}@reviewers.example",
        ).user
        assignment = assign(application, reviewer)
        services.save_review(
            assignment,
            reviewer,
            scores={c.pk: (4, "Sound.") for c in criteria},
            recommendation="support",
            general_comment=CONFIDENTIAL,
            comment_for_applicant=comment,
            submit=True,
        )
    return application


def share_feedback(call, on=True):
    call.feedback_to_applicants = on
    call.save(update_fields=["feedback_to_applicants"])


def letter_of(application):
    return Notification.objects.get(kind=notices.DECISION, recipient=application.applicant)


def test_the_reviewer_s_page_saves_a_comment_for_the_applicant_apart_from_the_confidential_one(call):
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    assign(application, reviewer)
    client = Client()
    client.login(username=reviewer.email, password=PASSWORD)
    page = client.get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "Comment for the applicant" in page and "never with your name" in page
    client.post(
        f"/en/reviews/applications/{application.pk}/",
        {"save": "1", "general_comment": CONFIDENTIAL, "comment_for_applicant": SHARED},
    )
    review = application.review_assignments.get().review
    assert (review.general_comment, review.comment_for_applicant) == (CONFIDENTIAL, SHARED)


def test_a_call_sharing_feedback_sends_the_comments_without_any_name(call, staff):
    share_feedback(call)
    application = reviewed(call, comments=(SHARED, "Strong team in Kyoto."))
    services.record_decision(application, "rejected", None, staff)
    services.release_decisions(call, staff)
    letter = letter_of(application)
    assert letter.context["feedback"] == [SHARED, "Strong team in Kyoto."]
    rendered = render_message(letter)
    for text in (rendered.text, rendered.html):
        assert "Strong team in Kyoto." in text
        assert "Zoé" not in text and "@reviewers.example" not in text and CONFIDENTIAL not in text
    client = Client()
    client.login(username=application.applicant.email, password=PASSWORD)
    page = client.get(f"/en/reviews/decisions/{application.pk}/").content.decode()
    assert "The reviewers&#x27; comments for you" in page or "The reviewers' comments for you" in page
    assert "Strong team in Kyoto." in page and "Zoé" not in page and CONFIDENTIAL not in page


def test_a_call_that_does_not_share_feedback_keeps_the_comments_out(call, staff):
    application = reviewed(call)
    services.record_decision(application, "waitlisted", None, staff)
    services.release_decisions(call, staff)
    letter = letter_of(application)
    assert "feedback" not in letter.context
    assert SHARED not in render_message(letter).text
    client = Client()
    client.login(username=application.applicant.email, password=PASSWORD)
    assert SHARED not in client.get(f"/en/reviews/decisions/{application.pk}/").content.decode()


def test_turning_feedback_on_after_the_decisions_were_marked_still_reaches_the_letters(call, staff):
    application = reviewed(call)
    services.record_decision(application, "funded", "8000", staff)
    share_feedback(call)
    client = Client()
    client.login(username=staff.email, password=PASSWORD)
    preview = client.get(f"/en/reviews/staff/calls/{call.pk}/letters/").content.decode()
    assert "The partnership is convincing" in preview
    services.release_decisions(call, staff)
    assert letter_of(application).context["feedback"] == [SHARED]


def test_a_draft_review_s_comment_never_leaves(call, staff):
    share_feedback(call)
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    assignment = assign(application, reviewer)
    services.save_review(assignment, reviewer, scores={}, comment_for_applicant="Not finished yet.")
    services.record_decision(application, "rejected", None, staff)
    services.release_decisions(call, staff)
    assert "feedback" not in letter_of(application).context
