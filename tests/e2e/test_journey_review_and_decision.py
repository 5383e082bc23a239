"""Journey 3: staff route a closed call and confirm; a reviewer scores every criterion and submits;
staff rank, record a decision and release the letter; the researcher reads the decision."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from applications.models import Application
from notifications.models import Notification
from reviews.models import Decision, Review, ReviewAssignment, RoutingProposal
from tests.e2e.data import closed_call, submitted_to
from tests.factories import PASSWORD, StaffFactory
from tests.reviews.factories import pool_reviewer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_staff_route_a_reviewer_scores_staff_decide_and_release_and_the_researcher_reads_it(browser, lang):
    call = closed_call()
    application = submitted_to(call, language=lang)
    reviewer = pool_reviewer(call)
    staff = StaffFactory()

    # Staff launch the routing in the reviews admin, then confirm the proposal on its page.
    browser.use_language(lang)
    browser.log_in_as(staff)
    browser.go("/admin/reviews/routingproposal/add/")
    browser.choose("id_call", call.pk)
    browser.fill("id_reviewers_per_application", "1")
    browser.fill("id_due_date", (timezone.localdate() + timedelta(days=21)).isoformat())
    browser.click("input[type=submit][name=_save]")
    proposal = RoutingProposal.objects.get(call=call)
    assert proposal.status == RoutingProposal.Status.DRAFT  # computed at once for a small call
    browser.go(f"/{lang}/reviews/staff/proposals/{proposal.pk}/")
    assert browser.language == lang
    assert application.reference in browser.text("main")
    browser.click("main form:has(input[name=action][value=confirm]) button")
    assignment = ReviewAssignment.objects.get(application=application)
    assert assignment.reviewer == reviewer

    # The reviewer logs in, scores every criterion and submits.
    browser.log_out()
    browser.go(f"/{lang}/accounts/login/?next=/{lang}/reviews/")
    browser.fill("id_username", reviewer.email)
    browser.fill("id_password", PASSWORD)
    browser.click("main form button[type=submit]")
    assert browser.path == f"/{lang}/reviews/"
    browser.click(f"main a[href='/{lang}/reviews/applications/{application.pk}/']")
    criteria = list(call.criteria.order_by("position"))
    for score, criterion in zip([5, 4, 4, 3], criteria, strict=True):
        browser.tick(f"input[name=score_{criterion.pk}][value='{score}']")
        browser.fill(f"id_comment_{criterion.pk}", f"Comment on {criterion.name_en}.")
    browser.choose("id_recommendation", "support")
    browser.fill("id_general_comment", "A promising new collaboration.")
    browser.click("main form button[name=submit]")
    # The consequence is stated first; the scores are kept as a draft meanwhile.
    assert Review.objects.get(assignment=assignment).status == Review.Status.DRAFT
    browser.click("main form button[data-confirm-submit]")
    with translation.override(lang):
        assert gettext("Your review is submitted. Thank you.") in browser.text(".messages")
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.SUBMITTED
    assert sorted(review.scores.values_list("score", flat=True)) == [3, 4, 4, 5]

    # Staff rank and decide; the letter waits, held, until staff read and release it from the ranking.
    browser.log_in_as(staff)
    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/ranking/")
    assert application.reference in browser.text("table")
    browser.click(f"main a[href='/{lang}/reviews/staff/applications/{application.pk}/decision/']")
    browser.tick("input[name=outcome][value=funded]")
    browser.fill("id_amount", "8000")
    browser.click("main form button[type=submit]")
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.amount) == (Decision.Outcome.FUNDED, 8000)
    letter = Notification.objects.get(recipient=application.applicant, status=Notification.Status.HELD)
    assert letter.language == lang

    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/ranking/")
    browser.click(f"main a[href='/{lang}/reviews/staff/calls/{call.pk}/letters/']")
    assert application.title in browser.text("main")  # each letter is shown before release
    browser.click("main form button[type=submit]")
    letter.refresh_from_db()
    assert letter.status in (Notification.Status.PENDING, Notification.Status.SENDING, Notification.Status.SENT)
    assert Decision.objects.get(pk=decision.pk).released_at is not None

    # The researcher reads the decision from the application's page.
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/")
    browser.click(f"main a[href='/{lang}/reviews/decisions/{application.pk}/']")
    with translation.override(lang):
        assert gettext("Funded") in browser.text("main")
    assert "8" in browser.text("main dl")
    application.refresh_from_db()
    assert application.status == Application.Status.DECIDED
