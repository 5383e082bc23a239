"""Asking a reviewer to reconsider (issue 18): staff reopen a submitted review from the application's
reviews and discussion, saying what to reconsider; the reviewer is told by e-mail, finds the request
and their submitted version on their page, and submits again; every earlier version stays readable
to them and to staff."""

import pytest
from django.contrib.admin.sites import site
from django.test import Client, RequestFactory

from calls.models import ReviewCriterion
from notifications.models import Notification
from notifications.rendering import render_message
from reviews import notices, services
from reviews.models import Review, ReviewVersion
from tests.factories import PASSWORD, StaffFactory

from .factories import ReviewerProfileFactory, assign, submitted_application

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def reviewer(name):
    return ReviewerProfileFactory(institution="", user__first_name=name, user__last_name="Reviewer").user


def submit(assignment, score, comment):
    criteria = ReviewCriterion.objects.filter(call=assignment.call)
    services.save_review(
        assignment,
        assignment.reviewer,
        scores={c.pk: (score, f"Score {score} because {comment}") for c in criteria},
        recommendation="support" if score >= 3 else "do_not_support",
        general_comment=comment,
        submit=True,
    )
    return Review.objects.get(assignment=assignment)


def staff_page(application):
    return f"/en/reviews/staff/applications/{application.pk}/discussion/"


def test_staff_ask_to_reconsider_and_the_reviewer_submits_again_with_the_first_version_kept(call, staff):
    application = submitted_application(call)
    alice, bob = reviewer("Alice"), reviewer("Bob")
    first = submit(assign(application, alice), 1, "The aims are unclear.")
    submit(assign(application, bob), 5, "Outstanding.")
    response = login(staff).post(
        staff_page(application),
        {"reconsider": first.pk, f"r{first.pk}-reason": "Bob read the aims as clear: please look at section 2 again."},
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#review-{first.pk}")
    first.refresh_from_db()
    assert first.status == Review.Status.DRAFT and first.reopened_by == staff
    version = ReviewVersion.objects.get(review=first)
    assert version.number == 1 and version.general_comment == "The aims are unclear."
    assert {row["score"] for row in version.scores} == {1} and version.reason.startswith("Bob read the aims")

    # The reviewer is told by e-mail, with what to reconsider.
    mail = Notification.objects.get(kind=notices.REVIEW_REOPENED, recipient=alice)
    text = render_message(mail).text
    assert "please look at section 2 again" in text and application.reference in text

    # Their page: the request, the earlier version, the form open again; still in the discussion.
    page = login(alice).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "ask you to reconsider" in page and "please look at section 2 again" in page
    assert "Version 1, submitted on" in page and "Score 1 because The aims are unclear." in page
    assert "Submit the review" in page and 'id="discussion"' in page
    # Bob no longer reads Alice's review among the others while it is open.
    bob_page = login(bob).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "The aims are unclear." not in bob_page

    # Staff see it being reconsidered, its first version kept, and no second request form for it.
    page = login(staff).get(staff_page(application)).content.decode()
    assert "the reviewer is reconsidering it" in page and "Version 1, submitted on" in page

    submit(first.assignment, 4, "Section 2 answers my doubt.")
    page = login(staff).get(staff_page(application)).content.decode()
    assert "Section 2 answers my doubt." in page and "Score 1 because The aims are unclear." in page
    assert "the reviewer is reconsidering it" not in page
    mine = login(alice).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "Section 2 answers my doubt." in mine and "Version 1, submitted on" in mine
    assert "ask you to reconsider" not in mine  # answered: the request is history now


def test_a_request_without_a_reason_or_too_long_comes_back_with_its_error_and_text(call, staff):
    application = submitted_application(call)
    review = submit(assign(application, reviewer("Alice")), 2, "Weak.")
    client = login(staff)
    page = client.post(staff_page(application), {"reconsider": review.pk, f"r{review.pk}-reason": "   "})
    assert page.status_code == 200 and "This field is required." in page.content.decode()
    long_text = "Reconsider " + "x" * 3000
    page = client.post(staff_page(application), {"reconsider": review.pk, f"r{review.pk}-reason": long_text})
    body = page.content.decode()
    assert page.status_code == 200 and long_text in body and "at most 3000 characters" in body
    assert '<details class="mt-2" open>' in body  # the form with the error is shown, not folded
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and not ReviewVersion.objects.exists()
    with pytest.raises(services.ReviewError, match="Say what you ask"):
        services.ask_to_reconsider(review, staff, "")


def test_who_may_not_reopen_a_review_cannot(call, staff):
    application = submitted_application(call)
    alice = reviewer("Alice")
    review = submit(assign(application, alice), 2, "Weak.")
    other = submitted_application(call)
    data = {"reconsider": review.pk, f"r{review.pk}-reason": "Please."}
    # Through another application's page: not found.
    assert login(staff).post(staff_page(other), data).status_code == 404
    # The reviewer themselves, or a researcher, never reach the staff page.
    assert login(alice).post(staff_page(application), data).status_code in (403, 404)
    # Staff whose account holds no permission: refused.
    assert login(StaffFactory(is_superuser=False)).post(staff_page(application), data).status_code == 403
    with pytest.raises(services.ReviewError, match="permission"):
        services.ask_to_reconsider(review, alice, "Please.")
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and not ReviewVersion.objects.exists()
    assert not Notification.objects.filter(kind=notices.REVIEW_REOPENED).exists()


def test_reopening_from_admin_keeps_the_version_too_and_twice_makes_two_versions(call, staff):
    application = submitted_application(call)
    review = submit(assign(application, reviewer("Alice")), 2, "Weak.")
    request = RequestFactory().post("/")
    request.user = staff
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    admin = site._registry[Review]
    admin.reopen_selected(request, Review.objects.filter(pk=review.pk))
    admin.reopen_selected(request, Review.objects.filter(pk=review.pk))  # already open: nothing more
    assert ReviewVersion.objects.filter(review=review).count() == 1
    submit(review.assignment, 3, "Better.")
    services.ask_to_reconsider(review, staff, "Once more.")
    assert list(ReviewVersion.objects.filter(review=review).values_list("number", "general_comment")) == [
        (1, "Weak."),
        (2, "Better."),
    ]
    assert Notification.objects.filter(kind=notices.REVIEW_REOPENED).count() == 2
    page = login(staff).get(f"/admin/reviews/review/{review.pk}/change/").content.decode()
    assert "Once more." in page and "Better." in page


def test_once_the_application_is_decided_its_reviews_no_longer_reopen(call, staff):
    from applications.models import Application

    application = submitted_application(call)
    review = submit(assign(application, reviewer("Alice")), 2, "Weak.")
    assert "Ask this reviewer to reconsider" in login(staff).get(staff_page(application)).content.decode()
    Application.objects.filter(pk=application.pk).update(status=Application.Status.DECIDED)
    assert "Ask this reviewer to reconsider" not in login(staff).get(staff_page(application)).content.decode()
    with pytest.raises(services.ReviewError, match="decided"):
        services.ask_to_reconsider(review, staff, "Please.")
    page = login(staff).post(staff_page(application), {"reconsider": review.pk, f"r{review.pk}-reason": "Please."})
    assert page.status_code == 200 and "no longer change" in page.content.decode()
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED and not ReviewVersion.objects.exists()
