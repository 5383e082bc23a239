"""Journey of the committee (issue 18), in French and in English, every page checked by axe:
staff screen a closed call's applications; a reviewer bids (saved as they choose, no reload);
staff route and confirm; the reviewers submit, read each other's reviews and discuss; staff name a
rapporteur, who writes the synthesis; at the meeting staff mark the decisions against the call's
envelope (over it in red, then within), publish them in one action; the applicant reads their
decision with the reviewers' comments for them and the synthesis, never a reviewer's name."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from selenium.webdriver.support.ui import WebDriverWait

from calls.models import Call, ReviewCriterion
from notifications.models import Notification
from reviews import services
from reviews.models import Bid, Decision, DiscussionMessage, Review, ReviewAssignment, RoutingProposal, Screening
from tests.e2e.data import closed_call, submitted_to
from tests.factories import StaffFactory
from tests.reviews.factories import pool_reviewer

pytestmark = pytest.mark.django_db(transaction=True)


def t(lang, text):
    with translation.override(lang):
        return gettext(text)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_screening_bids_routing_reviews_discussion_synthesis_meeting_publication_and_feedback(browser, lang):
    call = closed_call()
    Call.objects.filter(pk=call.pk).update(budget_envelope=Decimal("10000"), feedback_to_applicants=True)
    ours = submitted_to(call, language=lang, screened=False, amount="8000.00", keywords="ageing, immunology")
    theirs = submitted_to(call, language=lang, screened=False, amount="7000.00", keywords="ageing, cohorts")
    alice = pool_reviewer(call, user__first_name="Alice", user__last_name="Martin", institution="")
    bob = pool_reviewer(call, user__first_name="Bob", user__last_name="Keller", institution="")
    staff = StaffFactory()
    browser.use_language(lang)

    # Screening: staff find both applications to screen and declare them admissible.
    browser.log_in_as(staff)
    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/screening/")
    for application in (ours, theirs):
        assert application.reference in browser.text("main")
        browser.click(f"main form:has(input[name=application][value='{application.pk}']) button[type=submit]")
    assert Screening.objects.filter(application__call=call, outcome=Screening.Outcome.ADMISSIBLE).count() == 2

    # Bids: Alice is eager for ours; the choice is saved as she makes it, the page stays.
    browser.log_in_as(alice)
    browser.go(f"/{lang}/reviews/calls/{call.pk}/bids/")
    assert ours.title in browser.text("main") and theirs.title in browser.text("main")
    page = browser.find("html")
    browser.tick(f"#bid-{ours.pk}-eager")
    status = f"form:has(input[name=application][value='{ours.pk}']) [data-bid-status]"
    WebDriverWait(browser.driver, 10).until(lambda d: browser.text(status) and "…" not in browser.text(status))
    assert browser.find("html") == page  # no reload
    assert Bid.objects.get(application=ours, reviewer=alice).kind == Bid.Kind.EAGER
    browser.assert_accessible()

    # Routing: staff launch it in admin (both reviewers on both applications) and confirm it.
    browser.log_in_as(staff)
    browser.go("/admin/reviews/routingproposal/add/")
    browser.choose("id_call", call.pk)
    browser.fill("id_reviewers_per_application", "2")
    browser.fill("id_due_date", (timezone.localdate() + timedelta(days=21)).isoformat())
    browser.click("input[type=submit][name=_save]")
    proposal = RoutingProposal.objects.get(call=call)
    browser.go(f"/{lang}/reviews/staff/proposals/{proposal.pk}/")
    browser.click("main form:has(input[name=action][value=confirm]) button")
    assert ReviewAssignment.objects.filter(call=call).count() == 4

    # Bob's review of ours is in (its own journey is tested elsewhere); Alice scores in the browser.
    criteria = list(ReviewCriterion.objects.filter(call=call).order_by("position"))
    bob_assignment = ReviewAssignment.objects.get(application=ours, reviewer=bob)
    services.save_review(
        bob_assignment,
        bob,
        scores={c.pk: (3, "Fair.") for c in criteria},
        recommendation="reservations",
        general_comment="BOB-CONFIDENTIAL: the budget is thin.",
        comment_for_applicant="Detail the role of the partner team in year 2.",
        submit=True,
    )
    browser.log_in_as(alice)
    browser.go(f"/{lang}/reviews/applications/{ours.pk}/")
    assert "BOB-CONFIDENTIAL" not in browser.text("main")  # not before her own review is in
    for criterion in criteria:
        browser.tick(f"input[name=score_{criterion.pk}][value='5']")
    browser.choose("id_recommendation", "strongly_support")
    browser.fill("id_general_comment", "ALICE-CONFIDENTIAL: a strong team.")
    browser.fill("id_comment_for_applicant", "An excellent and well-argued partnership.")
    browser.click("main form button[name=submit]")
    browser.click("main form button[data-confirm-submit]")
    assert Review.objects.get(assignment__reviewer=alice, assignment__application=ours).is_locked

    # Discussion: Alice now reads Bob's review, unnamed, and writes in the discussion.
    main = browser.text("main")
    assert "BOB-CONFIDENTIAL" in main and "Bob" not in main and "Keller" not in main
    browser.fill("id_body", "Bob, year 2 looks realistic to me: see the partner's letter.")
    browser.click("#discussion form button[type=submit]")
    assert DiscussionMessage.objects.filter(application=ours, author=alice).exists()
    assert "see the partner's letter" in browser.text("#discussion")

    # Meeting: staff name Alice rapporteur (proposed: the highest affinity, her bid included).
    browser.log_in_as(staff)
    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/meeting/")
    browser.choose(f"rapporteur-{ours.pk}", alice.pk)
    browser.click(f"main form:has(select#rapporteur-{ours.pk}) button[type=submit]")
    # Alice writes the synthesis on her review page and submits it.
    browser.log_in_as(alice)
    browser.go(f"/{lang}/reviews/applications/{ours.pk}/")
    browser.fill("id_synthesis-strengths", "SYNTHESIS: a committed partner team and a clear question.")
    browser.fill("id_synthesis-weaknesses", "The second year's timeline is tight.")
    browser.choose("id_synthesis-recommendation", "support")
    browser.click("#synthesis form button[name=submit]")
    assert t(lang, "Your synthesis is submitted.") in browser.text(".messages")

    # The meeting: both funded is over the envelope (red); theirs not funded brings it within.
    browser.log_in_as(staff)
    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/meeting/")
    assert "SYNTHESIS" in browser.driver.page_source
    for application in (ours, theirs):
        browser.choose(f"outcome-{application.pk}", "funded")
        browser.click(f"main form:has(select#outcome-{application.pk}) button[type=submit]")
    assert "text-danger" in browser.find("#envelope-left").get_attribute("class")
    assert browser.find("#envelope [role=alert]").is_displayed()
    browser.choose(f"outcome-{theirs.pk}", "rejected")
    browser.click(f"main form:has(select#outcome-{theirs.pk}) button[type=submit]")
    assert "text-danger" not in browser.find("#envelope-left").get_attribute("class")
    assert Decision.objects.get(application=ours).amount == Decimal("8000")
    assert not Decision.objects.filter(released_at__isnull=False).exists()  # pending until published

    # Publish: every pending decision in one action; publishing twice sends one set of letters.
    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/letters/")
    assert "Detail the role of the partner team in year 2." in browser.text("main")  # the letter's feedback
    browser.click("main form button[type=submit]")
    assert Decision.objects.filter(application__call=call, released_at__isnull=False).count() == 2
    # Back to the letters' page as it was, and "publish" once more: nothing is sent twice.
    browser.driver.back()
    if browser.find_all("main form button[type=submit]"):
        browser.click("main form button[type=submit]")
    letters = Notification.objects.filter(
        kind="decision.letter", recipient__in=[ours.applicant, theirs.applicant]
    ).exclude(status=Notification.Status.CANCELLED)  # the "funded" first marked for theirs was replaced
    assert letters.count() == 2 and not letters.filter(status=Notification.Status.HELD).exists()

    # The applicant reads the decision with the feedback, without any reviewer's name.
    browser.log_in_as(ours.applicant)
    browser.go(f"/{lang}/applications/{ours.pk}/")
    browser.click(f"main a[href='/{lang}/reviews/decisions/{ours.pk}/']")
    main = browser.text("main")
    assert t(lang, "Funded") in main
    assert "Detail the role of the partner team in year 2." in main
    assert "An excellent and well-argued partnership." in main
    assert "SYNTHESIS: a committed partner team" in main
    for secret in ("Alice", "Martin", "Bob", "Keller", "CONFIDENTIAL"):
        assert secret not in main
