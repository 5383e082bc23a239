"""Payments: never more, in all, than the award; dated between the decision and today; the
project page shows awarded, paid and remaining (never below zero) in constant queries."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import AuditEvent
from projects.models import Payment, Project
from projects.services import ProjectError
from projects.services.money import money_summary, parse_amount, record_payment
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory

from .factories import funded_project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def english():
    """The services' messages in English (the tests' default language is French)."""
    with translation.override("en"):
        yield


@pytest.fixture
def pri(staff):
    """A PRI of 60 000 € decided a year and a half ago: five instalments of 12 000 €."""
    return funded_project("PRI", "60000.00", decided_at=timezone.now() - timedelta(days=540), staff=staff)


def page(project, language="en"):
    return f"/{language}/projects/{project.pk}/"


def payment_url(project, language="en"):
    return f"/{language}/projects/{project.pk}/payments/"


def test_a_payment_beyond_the_award_is_refused_with_the_reason_and_nothing_is_saved(pri, staff):
    record_payment(pri, "60000", TODAY(), staff)
    Payment.objects.filter(project=pri).update(amount=Decimal("54000"))  # 6 000 € remain
    with translation.override("en"), pytest.raises(ProjectError) as refused:
        record_payment(pri, "12000", TODAY(), staff)
    assert refused.value.reasons == [
        "This payment of 12,000 € would bring the payments to 66,000 €, over the award of 60,000 €: "
        "6,000 € remain to be paid."
    ]
    assert Payment.objects.filter(project=pri).count() == 1
    assert AuditEvent.objects.filter(action="project.payment", object_id=str(pri.pk)).count() == 1


def test_the_refusal_formats_the_amounts_in_french_too(pri, staff):
    record_payment(pri, Decimal("54000"), TODAY(), staff)
    with translation.override("fr"), pytest.raises(ProjectError) as refused:
        record_payment(pri, "6000,01", TODAY(), staff)
    message = refused.value.reasons[0]
    assert "6\u202f000,01 €" in message or "6\xa0000,01 €" in message


def test_payments_up_to_exactly_the_award_are_accepted_and_a_cent_more_is_not(pri, staff):
    record_payment(pri, "12000", TODAY() - timedelta(days=30), staff)
    record_payment(pri, "48000.00", TODAY(), staff, note="Balance")
    summary = money_summary(pri)
    assert (summary.paid, summary.remaining) == (Decimal("60000.00"), Decimal("0"))
    with pytest.raises(ProjectError, match="paid in full"):
        record_payment(pri, "0.01", TODAY(), staff)
    event = AuditEvent.objects.filter(action="project.payment").latest("pk")
    assert event.changes["paid"] == {"from": "12000.00", "to": "60000.00"}


def test_a_payment_dated_before_the_decision_or_in_the_future_is_refused(pri, staff):
    with pytest.raises(ProjectError, match="before the decision"):
        record_payment(pri, "1000", pri.decided_on - timedelta(days=1), staff)
    with pytest.raises(ProjectError, match="in the future"):
        record_payment(pri, "1000", TODAY() + timedelta(days=1), staff)
    record_payment(pri, "1000", pri.decided_on, staff)
    assert Payment.objects.filter(project=pri).count() == 1


@pytest.mark.parametrize(
    "typed, reason",
    [
        ("abc", "Give the amount in euros"),
        ("", "Give the amount in euros"),
        ("NaN", "Give the amount in euros"),
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("10.005", "at most two decimals"),
        ("1e12", "too large"),
    ],
)
def test_an_amount_that_is_not_euros_and_cents_above_zero_is_refused(typed, reason):
    with translation.override("en"), pytest.raises(ProjectError, match=reason):
        parse_amount(typed)


def test_amounts_are_read_as_typed_in_either_language():
    with translation.override("fr"):
        assert parse_amount("6 000,50") == Decimal("6000.50")
        assert parse_amount("6\u202f000,5 €") == Decimal("6000.50")
    with translation.override("en"):
        assert parse_amount("6000.50") == Decimal("6000.50")


def test_a_terminated_project_receives_no_payment_and_a_closed_one_only_up_to_the_award(pri, staff):
    Project.objects.filter(pk=pri.pk).update(status=Project.Status.TERMINATED)
    with pytest.raises(ProjectError, match="terminated early"):
        record_payment(pri, "1000", TODAY(), staff)
    Project.objects.filter(pk=pri.pk).update(status=Project.Status.CLOSED)
    record_payment(pri, "59000", TODAY(), staff)
    with pytest.raises(ProjectError, match="over the award"):
        record_payment(pri, "1000.01", TODAY(), staff)


def test_a_researcher_even_the_lead_cannot_record_a_payment(pri):
    with pytest.raises(ProjectError, match="permission"):
        record_payment(pri, "1000", TODAY(), pri.lead)
    assert not Payment.objects.exists()


def test_an_instalment_of_another_project_is_refused(pri, staff):
    other = funded_project(staff=staff)
    with pytest.raises(ProjectError, match="instalment of this project"):
        record_payment(pri, "1000", TODAY(), staff, instalment=other.instalments.first())


def test_payments_count_against_their_instalment_and_the_others_in_order(pri, staff):
    instalments = list(pri.instalments.order_by("sequence"))
    record_payment(pri, "12000", TODAY(), staff, instalment=instalments[2])
    record_payment(pri, "15000", TODAY(), staff)  # the first instalment, then 3 000 € of the second
    summary = money_summary(pri)
    assert [line.paid for line in summary.instalments] == [
        Decimal("12000.00"),
        Decimal("3000.00"),
        Decimal("12000.00"),
        Decimal("0"),
        Decimal("0"),
    ]
    assert summary.next_instalment.sequence == 2
    assert summary.next_instalment.remaining == Decimal("9000.00")


def test_remaining_is_never_below_zero(pri, staff):
    record_payment(pri, "60000", TODAY(), staff)
    # An award lowered after the payments (e.g. corrected in the admin) leaves nothing negative.
    Project.objects.filter(pk=pri.pk).update(awarded=Decimal("50000"))
    pri.refresh_from_db()
    summary = money_summary(pri)
    assert summary.remaining == Decimal("0")
    assert all(line.remaining >= 0 for line in summary.instalments)


def test_staff_record_a_payment_from_the_page_and_return_to_the_project(client, pri, staff):
    client.force_login(staff)
    response = client.post(
        payment_url(pri), {"payment-amount": "12 000", "payment-paid_on": TODAY().isoformat(), "payment-note": "Y1"}
    )
    assert response.status_code == 302 and response["Location"].startswith(f"/en/projects/{pri.pk}/")
    body = client.get(response["Location"]).content.decode()
    assert "The payment of 12,000 € is recorded." in body
    assert "48,000&nbsp;€" in body  # remaining


def test_a_refused_payment_comes_back_with_the_reason_and_what_was_typed(client, pri, staff):
    client.force_login(staff)
    response = client.post(
        payment_url(pri),
        {"payment-amount": "70000", "payment-paid_on": TODAY().isoformat(), "payment-note": "Too much"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "over the award of 60,000 €" in body
    assert 'value="70000"' in body and 'value="Too much"' in body
    bad = client.post(payment_url(pri), {"payment-amount": "douze", "payment-paid_on": "yesterday"})
    body = bad.content.decode()
    assert "Give the amount in euros" in body and "Give the date as a date." in body
    assert not Payment.objects.exists()


def test_who_may_open_the_payment_page(client, pri):
    client.force_login(pri.lead)
    assert client.get(payment_url(pri)).status_code == 404
    assert client.post(payment_url(pri), {"payment-amount": "1"}).status_code == 404
    client.force_login(ResearcherFactory())
    assert client.get(payment_url(pri)).status_code == 404
    client.force_login(ReviewerFactory())
    assert client.get(payment_url(pri)).status_code == 404
    client.force_login(StaffFactory(is_superuser=False))
    denied = client.post(payment_url(pri), {"payment-amount": "1"})
    assert denied.status_code == 403
    assert not Payment.objects.exists()


def test_the_lead_sees_the_money_but_not_the_payment_form(client, pri, staff):
    record_payment(pri, "12000", TODAY(), staff, note="Internal note")
    client.force_login(pri.lead)
    body = client.get(page(pri)).content.decode()
    assert 'id="money"' in body and "12,000&nbsp;€" in body
    assert "Record the payment" not in body and "Internal note" not in body
    client.force_login(staff)
    body = client.get(page(pri)).content.decode()
    assert "Record the payment" in body and "Internal note" in body


def _money_queries(project, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.views.money import money_section

    user = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        context = money_section(project, user)
        str([(line.paid, line.due_on) for line in context["money_summary"].instalments])
        str([(p.amount, p.recorded_by) for p in context["money_summary"].payments])
    return len(queries)


def test_the_money_section_costs_the_same_queries_with_one_or_many_payments(pri, staff):
    bare_staff = StaffFactory(is_superuser=False)
    record_payment(pri, "1000", TODAY(), staff)
    one = _money_queries(pri, staff), _money_queries(pri, bare_staff)
    for amount in ("2000", "3000", "4000", "5000"):
        record_payment(pri, amount, TODAY(), StaffFactory())
    assert (_money_queries(pri, staff), _money_queries(pri, bare_staff)) == one


def test_the_project_page_costs_the_same_queries_with_one_or_many_payments(
    client, pri, staff, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(staff)
    record_payment(pri, "1000", TODAY(), staff)
    client.get(page(pri))  # caches filled (content types, permissions)
    with CaptureQueriesContext(connection) as one:
        client.get(page(pri))
    for amount in ("2000", "3000", "4000"):
        record_payment(pri, amount, TODAY(), StaffFactory())
    with django_assert_num_queries(len(one)):
        client.get(page(pri))
