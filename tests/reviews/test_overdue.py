""" "Overdue" has one definition (ReviewAssignment.overdue_condition): the reviewer's queue, the staff's
figures on the call page and the model agree on it, before, on and after the due date."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Review, ReviewAssignment

from .factories import ReviewerProfileFactory, assign, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    "due_in_days, review, assignment_status, overdue",
    [
        (1, None, "active", False),  # the day before the due date
        (0, None, "active", False),  # the due date itself: still in time
        (-1, None, "active", True),  # the day after
        (-1, "draft", "active", True),
        (-30, "draft", "active", True),
        (-1, "submitted", "active", False),  # submitted late: no longer overdue
        (-1, None, "recused", False),  # an ended assignment is nobody's overdue review
    ],
)
def test_queue_staff_figures_and_model_agree_on_overdue(
    client, english, call, staff, due_in_days, review, assignment_status, overdue
):
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    assignment = assign(application, reviewer, due_in_days=due_in_days)
    if review:
        Review.objects.create(assignment=assignment, status=review)
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status=assignment_status)
    assignment.refresh_from_db()

    client.force_login(reviewer)
    queue = client.get(url("queue"))
    client.force_login(staff)
    figures = client.get(url("staff_call", call.pk)).context["progress"]

    assert assignment.is_overdue() is overdue
    assert figures.overdue == int(overdue)
    listed = queue.context["assignments"]
    assert [a.overdue for a in listed] == ([overdue] if assignment_status == "active" else [])
    assert ('badge text-bg-danger">overdue' in queue.content.decode()) is overdue
    # The overdue notice goes out on the morning of the first day the rule says overdue.
    first_day = timezone.localtime(assignment.overdue_at).date()
    if assignment_status == "active" and review != "submitted":
        assert assignment.is_overdue(today=first_day) and not assignment.is_overdue(today=first_day - DAY)
