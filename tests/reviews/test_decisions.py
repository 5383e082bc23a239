"""Decisions: never above the ceiling the rules give, letter held, researcher sees it once released."""

from decimal import Decimal

import pytest
from django.utils import translation

from applications.models import Application
from calls.models import Call
from notifications import services as outbox
from notifications.models import Notification
from reviews import services
from reviews.models import Decision
from tests.factories import CallFactory, InstrumentFactory

from .factories import ReviewerProfileFactory, assign, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(call):
    application = submitted_application(call)
    assign(application, ReviewerProfileFactory(institution="").user)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    application.refresh_from_db()
    return application


@translation.override("en")
def test_funding_over_the_ceiling_is_refused_with_the_reason(in_review, staff):
    with pytest.raises(services.DecisionRefused) as refused:
        services.record_decision(in_review, "funded", Decimal("10000.01"), staff)
    message = refused.value.reasons[0]
    assert "10,000.01 EUR exceed the ceiling of 10,000 EUR" in message
    assert in_review.reference in message
    assert not Decision.objects.exists()
    assert not Notification.objects.filter(kind="decision.letter").exists()


def test_funding_at_the_ceiling_is_accepted(in_review, staff):
    decision = services.record_decision(in_review, "funded", Decimal("10000"), staff)
    assert decision.amount == Decimal("10000.00") and decision.outcome == "funded"


@translation.override("en")
def test_pri_ceiling_depends_on_the_partners_region(staff):
    pri = CallFactory(instrument=InstrumentFactory(code="PRI"), status=Call.Status.IN_REVIEW, title_en="PRI call")
    european = submitted_application(pri, partner_country="DE", status=Application.Status.IN_REVIEW)
    with pytest.raises(services.DecisionRefused, match="ceiling of 60,000 EUR"):
        services.record_decision(european, "funded", Decimal("60001"), staff)
    outside = submitted_application(pri, partner_country="JP", status=Application.Status.IN_REVIEW)
    assert services.record_decision(outside, "funded", Decimal("75000"), staff).amount == Decimal("75000")


def test_funded_needs_an_amount_and_rejected_takes_none(in_review, staff):
    with translation.override("en"):
        with pytest.raises(services.DecisionRefused, match="needs an amount"):
            services.record_decision(in_review, "funded", None, staff)
        with pytest.raises(services.DecisionRefused, match="Only a funded application"):
            services.record_decision(in_review, "rejected", Decimal("100"), staff)
    assert services.record_decision(in_review, "waitlisted", None, staff).amount is None


def test_only_staff_decide(in_review, researcher):
    with pytest.raises(services.ReviewError):
        services.record_decision(in_review, "rejected", None, researcher)


def test_over_ceiling_on_the_decision_page_shows_the_reason_at_the_amount(client, in_review, staff):
    client.force_login(staff)
    response = client.post(url("decide", in_review.pk), {"outcome": "funded", "amount": "12000"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "12,000 EUR exceed the ceiling of 10,000 EUR" in body
    assert 'value="12000"' in body


def test_decision_letter_is_held_and_the_researcher_sees_nothing_until_release(client, in_review, staff):
    decision = services.record_decision(in_review, "funded", Decimal("9000"), staff)
    letter = Notification.objects.get(kind="decision.letter")
    assert letter.status == Notification.Status.HELD
    assert letter.recipient == in_review.applicant and letter.context["amount"] == "9000.00"
    assert letter.context["url_path"] == f"/reviews/decisions/{in_review.pk}/"
    client.force_login(in_review.applicant)
    assert client.get(url("decision", in_review.pk)).status_code == 404

    services.release_decisions(in_review.call, staff)

    decision.refresh_from_db()
    in_review.refresh_from_db()
    assert decision.released_at is not None
    assert in_review.status == Application.Status.DECIDED
    page = client.get(url("decision", in_review.pk))
    assert page.status_code == 200 and "Funded" in page.content.decode()
    assert Call.objects.get(pk=in_review.call_id).status == Call.Status.DECIDED


def test_a_decision_is_published_by_its_release_only_never_by_the_letter_s_status(client, in_review, staff):
    """One source of truth: released_at. A letter that left the outbox some other way (a
    database edit) publishes nothing; the release from the ranking page does."""
    services.record_decision(in_review, "rejected", None, staff)
    Notification.objects.filter(kind="decision.letter").update(status=Notification.Status.SENT)
    client.force_login(in_review.applicant)
    assert client.get(url("decision", in_review.pk)).status_code == 404
    Notification.objects.filter(kind="decision.letter").update(status=Notification.Status.HELD)
    services.release_decisions(in_review.call, staff)
    assert client.get(url("decision", in_review.pk)).status_code == 200


def test_the_outbox_cannot_release_a_decision_letter_behind_the_decisions_back(in_review, staff):
    services.record_decision(in_review, "funded", Decimal("5000"), staff)
    letter = Notification.objects.get(kind="decision.letter")
    with pytest.raises(outbox.ReleaseRefused) as refusal:
        outbox.release_held([letter.pk])
    assert "page de classement" in str(refusal.value)
    letter.refresh_from_db()
    assert letter.status == Notification.Status.HELD
    assert Decision.objects.get().released_at is None


def test_another_user_never_sees_a_decision(client, in_review, staff, researcher):
    services.record_decision(in_review, "rejected", None, staff)
    services.release_decisions(in_review.call, staff)
    client.force_login(researcher)
    assert client.get(url("decision", in_review.pk)).status_code == 404


def test_changing_a_held_decision_cancels_the_previous_letter(in_review, staff):
    services.record_decision(in_review, "waitlisted", None, staff)
    services.record_decision(in_review, "funded", Decimal("5000"), staff)
    statuses = list(Notification.objects.filter(kind="decision.letter").order_by("pk").values_list("status", flat=True))
    assert statuses == ["cancelled", "held"]
    assert Decision.objects.get().outcome == "funded"


def test_released_decision_can_no_longer_change(in_review, staff):
    services.record_decision(in_review, "rejected", None, staff)
    services.release_decisions(in_review.call, staff)
    with pytest.raises(services.DecisionRefused):
        services.record_decision(in_review, "funded", Decimal("100"), staff)


def test_staff_read_each_held_letter_then_release_them_and_go_back_to_the_meeting(call, staff, client, english):
    from accounts.models import AuditEvent
    from reviews.actions import ReviewAction

    funded = submitted_application(call, status=Application.Status.IN_REVIEW)
    refused = submitted_application(call, status=Application.Status.IN_REVIEW)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    funded.applicant.language = "en"
    funded.applicant.save(update_fields=["language"])
    services.record_decision(funded, "funded", Decimal("9500"), staff)
    services.record_decision(refused, "rejected", None, staff)
    client.force_login(staff)
    ranking = client.get(url("ranking", call.pk)).content.decode()
    assert "Read and release 2 decision letters" in ranking
    preview = client.get(url("release_letters", call.pk)).content.decode()
    assert f"Decision on your application {funded.reference}: Funded" in preview
    assert funded.title in preview and "9,500\xa0€" in preview
    assert "write to you within a few weeks about the start of the project" in preview
    response = client.post(url("release_letters", call.pk))
    assert response.status_code == 302 and response["Location"].endswith(f"/staff/calls/{call.pk}/meeting/")
    assert Decision.objects.filter(released_at__isnull=False).count() == 2
    assert set(Application.objects.values_list("status", flat=True)) == {"decided"}
    assert Call.objects.get(pk=call.pk).status == Call.Status.DECIDED
    assert not Notification.objects.filter(kind="decision.letter", status="held").exists()
    event = AuditEvent.objects.get(action=ReviewAction.DECISIONS_RELEASED)
    assert event.actor == staff
    assert "Read and release" not in client.get(url("ranking", call.pk)).content.decode()
    # The researcher's page says what comes next.
    client.force_login(funded.applicant)
    page = client.get(url("decision", funded.pk)).content.decode()
    assert "What comes next" in page and "9,500" in page


def test_releasing_with_nothing_held_says_so(call, staff, client, english):
    client.force_login(staff)
    response = client.post(url("release_letters", call.pk), follow=True)
    assert "No decision letter is waiting to be released for this call." in response.content.decode()
