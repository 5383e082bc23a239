"""The committee meeting (issue 18): pending decisions against the call's budget envelope, published
in one go, never above the rules' ceiling."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import AuditEvent
from applications.models import Application
from notifications.models import Notification
from reviews import notices, services
from reviews.actions import ReviewAction
from reviews.models import Decision
from tests.factories import PASSWORD, StaffFactory

from .factories import ClosedCallFactory, submitted_application

pytestmark = pytest.mark.django_db


def in_review(call, amount="8000.00"):
    return submitted_application(call, status=Application.Status.IN_REVIEW, amount=amount)


def login(user):
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def meeting_url(call, lang="en"):
    return f"/{lang}/reviews/staff/calls/{call.pk}/meeting/"


def set_envelope(call, amount):
    call.budget_envelope = Decimal(amount)
    call.save(update_fields=["budget_envelope"])


def test_each_row_offers_the_amount_requested_never_above_the_ceiling(call, staff):
    modest = in_review(call, amount="8000.00")
    greedy = in_review(call, amount="12000.00")  # a Tremplin's ceiling is 10,000 EUR
    page = login(staff).get(meeting_url(call)).content.decode()
    assert f'id="amount-{modest.pk}" value="8000"' in page
    assert f'id="amount-{greedy.pk}" value="10000"' in page
    # Nothing is decided before staff choose: no outcome shows as already chosen.
    assert page.count('<option value="" selected>— to decide —</option>') == 2


def test_in_french_an_amount_reads_and_is_typed_the_french_way(call, staff):
    application = in_review(call, amount="7500.50")
    client = login(staff)
    page = client.get(meeting_url(call).replace("/en/", "/fr/")).content.decode()
    assert f'id="amount-{application.pk}" value="7500,50"' in page
    client.post(
        meeting_url(call).replace("/en/", "/fr/"),
        {"application": application.pk, "outcome": "funded", "amount": "7\u202f000,50"},
    )
    assert Decision.objects.get(application=application).amount == Decimal("7000.50")
    # A refused amount comes back as typed, with the reason, the outcome still chosen.
    response = client.post(
        meeting_url(call).replace("/en/", "/fr/"),
        {"application": application.pk, "outcome": "funded", "amount": "huit mille"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Indiquez le montant en euros" in page
    assert f'id="amount-{application.pk}" value="huit mille"' in page and 'aria-invalid="true"' in page
    row = page.split(f'id="row-{application.pk}"')[1].split("</tr>")[0]
    assert '<option value="funded" selected>' in row
    assert Decision.objects.get(application=application).amount == Decimal("7000.50")


def test_a_decision_marked_at_the_meeting_stays_pending_and_counts_against_the_envelope(call, staff):
    set_envelope(call, "15000")
    first, second = in_review(call), in_review(call)
    client = login(staff)
    client.post(meeting_url(call), {"application": first.pk, "outcome": "funded", "amount": "8000"})
    client.post(meeting_url(call), {"application": second.pk, "outcome": "waitlisted", "amount": "8000"})
    assert Decision.objects.get(application=first).released_at is None
    assert Decision.objects.get(application=second).amount is None  # only a funded one has an amount
    totals = services.funded_totals(call)
    assert (totals["pending"], totals["remaining"], totals["over"]) == (Decimal("8000"), Decimal("7000"), False)
    page = client.get(meeting_url(call)).content.decode()
    assert "Read and publish 2 pending decisions" in page
    assert 'role="alert"' not in page.split('id="envelope"')[1].split("</section>")[0]


@translation.override("en")
def test_publishing_over_the_envelope_is_refused_until_staff_confirm_and_the_trail_says_so(call, staff):
    set_envelope(call, "10000")
    for application in (in_review(call), in_review(call)):
        services.record_decision(application, "funded", "8000", staff)
    client = login(staff)
    page = client.get(meeting_url(call)).content.decode()
    assert "exceed the envelope" in page and "text-danger" in page
    response = client.post(f"/en/reviews/staff/calls/{call.pk}/letters/", {})
    assert response.status_code == 302
    assert not Decision.objects.filter(released_at__isnull=False).exists()
    letters = client.get(f"/en/reviews/staff/calls/{call.pk}/letters/").content.decode()
    assert "above the call&#x27;s envelope" in letters or "above the call's envelope" in letters
    client.post(f"/en/reviews/staff/calls/{call.pk}/letters/", {"over_envelope": "1"})
    assert Decision.objects.filter(released_at__isnull=False).count() == 2
    event = AuditEvent.objects.get(action=ReviewAction.DECISIONS_RELEASED)
    assert event.changes["above_envelope"] == "10000.00"


def test_within_the_envelope_publishing_applies_every_pending_decision_at_once_and_only_once(call, staff):
    set_envelope(call, "100000")
    applications = [in_review(call) for _ in range(3)]
    for application, outcome in zip(applications, ("funded", "rejected", "waitlisted"), strict=True):
        services.record_decision(application, outcome, "8000" if outcome == "funded" else None, staff)
    assert services.release_decisions(call, staff) == 3
    with pytest.raises(services.ReviewError):
        services.release_decisions(call, staff)
    letters = Notification.objects.filter(kind=notices.DECISION)
    assert letters.count() == 3 and not letters.filter(status=Notification.Status.HELD).exists()
    assert set(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("status", flat=True)) == {
        Application.Status.DECIDED
    }


@translation.override("en")
def test_an_amount_above_the_ceiling_is_refused_with_the_reason_and_nothing_changes(call, staff):
    application = in_review(call)
    response = login(staff).post(
        meeting_url(call), {"application": application.pk, "outcome": "funded", "amount": "10000.01"}, follow=True
    )
    assert "exceed the ceiling of 10" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_decision_on_an_application_of_another_call_is_refused(call, staff):
    elsewhere = in_review(ClosedCallFactory())
    assert login(staff).post(meeting_url(call), {"application": elsewhere.pk, "outcome": "rejected"}).status_code == 404
    assert not Decision.objects.exists()


def test_the_meeting_costs_the_same_queries_with_one_or_thirty_applications(call, staff, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    client = login(staff)
    in_review(call)
    client.get(meeting_url(call))
    with CaptureQueriesContext(connection) as one:
        client.get(meeting_url(call))
    for _ in range(29):
        in_review(call)
    with CaptureQueriesContext(connection) as thirty:
        page = client.get(meeting_url(call))
    assert page.content.decode().count('<tr id="row-') == 30
    assert len(thirty) == len(one)


class TestWhateverAmountIsTyped(HypothesisTestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        amount=st.one_of(
            st.decimals(min_value=-100, max_value=20000, places=2, allow_nan=False).map(str),
            st.text(max_size=20),
        )
    )
    def test_a_funded_decision_within_the_ceiling_or_nothing(self, amount):
        call = ClosedCallFactory()
        staff = StaffFactory()
        application = in_review(call)
        login(staff).post(meeting_url(call), {"application": application.pk, "outcome": "funded", "amount": amount})
        decision = Decision.objects.filter(application=application).first()
        if decision is not None:
            assert Decimal("0") < decision.amount <= Decimal("10000")
            assert decision.amount == Decimal(amount.strip()).quantize(Decimal("0.01"))
            assert decision.released_at is None


def _pending_decisions(call, staff, count, *, funded_every=0):
    """`count` applications in review with a pending (held) decision each, made in bulk; every
    `funded_every`-th one funded (0: none), the others not funded or on the waiting list."""
    from notifications.services import notify_many
    from notifications.services.outbox import Message

    template = in_review(call)
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                applicant=template.applicant,
                title=f"Project {index}",
                status=Application.Status.IN_REVIEW,
                reference=f"BULK-{call.pk}-{index:05d}",
                requested_amount=Decimal("5000"),
            )
            for index in range(count - 1)
        ]
    )
    applications.append(template)

    def outcome(index):
        if funded_every and index % funded_every == 0:
            return "funded"
        return "rejected" if index % 2 else "waitlisted"

    decisions = Decision.objects.bulk_create(
        [
            Decision(
                application=application,
                outcome=outcome(index),
                amount=Decimal("5000") if outcome(index) == "funded" else None,
                decided_by=staff,
            )
            for index, application in enumerate(applications)
        ]
    )
    notify_many(
        Message(template.applicant, notices.DECISION, {"reference": a.reference, "outcome": d.outcome}, target=d)
        for a, d in zip(applications, decisions, strict=True)
    )
    return applications


def test_publishing_a_thousand_pending_decisions_is_one_transaction_of_a_constant_number_of_queries(call, staff):
    small = ClosedCallFactory()
    _pending_decisions(small, staff, 5)
    with CaptureQueriesContext(connection) as few:
        assert services.release_decisions(small, staff) == 5
    _pending_decisions(call, staff, 1000)
    with CaptureQueriesContext(connection) as many:
        assert services.release_decisions(call, staff) == 1000
    assert len(many) == len(few)
    assert not Decision.objects.filter(application__call=call, released_at__isnull=True).exists()
    assert not Application.objects.filter(call=call).exclude(status=Application.Status.DECIDED).exists()
    assert not Notification.objects.filter(kind=notices.DECISION, status=Notification.Status.HELD).exists()


def test_each_funded_decision_published_at_the_meeting_gets_its_project(call, staff):
    from projects.models import Project

    _pending_decisions(call, staff, 30, funded_every=3)
    assert services.release_decisions(call, staff) == 30
    assert Project.objects.filter(application__call=call).count() == 10
