"""The discussion (issue 18): a reviewer reads the other reviews and the discussion only once their
own review is submitted; staff read and write with names; a daily digest tells the others."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from calls.models import ReviewCriterion
from notifications.models import Notification
from reviews import notices, services
from reviews.models import DiscussionMessage
from tests.factories import PASSWORD

from .factories import ReviewerProfileFactory, assign, submitted_application

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def reviewer(name):
    return ReviewerProfileFactory(institution="", user__first_name=name, user__last_name="Reviewer").user


def submit(assignment, comment):
    criteria = ReviewCriterion.objects.filter(call=assignment.call)
    services.save_review(
        assignment,
        assignment.reviewer,
        scores={c.pk: (3, "Fair.") for c in criteria},
        recommendation="support",
        general_comment=comment,
        submit=True,
    )


def test_the_other_reviews_and_the_discussion_open_only_once_one_s_own_review_is_in(call):
    application = submitted_application(call)
    alice, bob = reviewer("Alice"), reviewer("Bob")
    first, second = assign(application, alice), assign(application, bob)
    submit(second, "Bob thinks the budget is thin.")
    page = login(alice).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "Bob thinks the budget is thin." not in page and 'id="discussion"' not in page
    refused = login(alice).post(f"/en/reviews/applications/{application.pk}/discussion/", {"body": "Hello"})
    assert refused.status_code == 200 and "once your own review is submitted" in refused.content.decode()
    assert not DiscussionMessage.objects.exists()
    submit(first, "Alice likes it.")
    page = login(alice).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "Bob thinks the budget is thin." in page and "Reviewer 1" in page and "Bob Reviewer" not in page


def test_reviewers_write_without_names_and_staff_read_with_names(call, staff):
    application = submitted_application(call)
    alice, bob = reviewer("Alice"), reviewer("Bob")
    for assignment in (assign(application, alice), assign(application, bob)):
        submit(assignment, "Done.")
    response = login(alice).post(
        f"/en/reviews/applications/{application.pk}/discussion/", {"body": "Is year 2 realistic?"}
    )
    assert response.status_code == 302
    bob_page = login(bob).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "Is year 2 realistic?" in bob_page and "A reviewer" in bob_page and "Alice" not in bob_page
    staff_page = login(staff).get(f"/en/reviews/staff/applications/{application.pk}/discussion/").content.decode()
    assert "Is year 2 realistic?" in staff_page and "Alice Reviewer" in staff_page
    login(staff).post(f"/en/reviews/staff/applications/{application.pk}/discussion/", {"body": "Please reconsider."})
    assert DiscussionMessage.objects.filter(by_staff=True).count() == 1


@translation.override("en")
def test_an_empty_or_too_long_message_is_refused_and_the_text_comes_back(call):
    application = submitted_application(call)
    alice = reviewer("Alice")
    submit(assign(application, alice), "Done.")
    form = login(alice).get(f"/en/reviews/applications/{application.pk}/").content.decode().split('id="discussion"')[1]
    assert "maxlength" not in form  # never cut by the browser: the server says why and gives it back
    page = login(alice).post(f"/en/reviews/applications/{application.pk}/discussion/", {"body": "x" * 5001})
    assert page.status_code == 200 and "x" * 5001 in page.content.decode()
    assert "at most 5000 characters" in page.content.decode()
    with pytest.raises(services.ReviewError, match="Write your message"):
        services.post_message(application, alice, "   ")
    assert not DiscussionMessage.objects.exists()


def test_a_daily_digest_tells_each_other_participant_once(call, staff):
    application = submitted_application(call)
    alice, bob, carol = reviewer("Alice"), reviewer("Bob"), reviewer("Carol")
    for person in (alice, bob):
        submit(assign(application, person), "Done.")
    assign(application, carol)  # not submitted: not in the discussion
    services.post_message(application, alice, "First thought.")
    services.post_message(application, alice, "Second thought.")
    services.post_as_staff(application, staff, "Staff view.")
    later = timezone.now() + timedelta(minutes=1)
    assert services.send_digests(later) == 3  # bob, alice (staff's message), staff (alice's two)
    assert services.send_digests(later) == 0
    digests = Notification.objects.filter(kind=notices.DISCUSSION_DIGEST)
    assert not digests.filter(recipient=carol).exists()
    assert digests.get(recipient=bob).context["discussions"] == [{"reference": application.reference, "count": 3}]
    assert digests.get(recipient=alice).context["discussions"][0]["count"] == 1
    assert digests.get(recipient=staff).context["discussions"][0]["count"] == 2
