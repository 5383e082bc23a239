"""The audit trail: who changed a call's dates or ceilings, who routed and confirmed, who reopened a
review, who decided what amount — in one read-only admin list."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.audit import events_for, record
from accounts.models import AuditEvent
from applications.actions import ApplicationAction
from calls.actions import CallAction
from calls.models import Call
from reviews import services
from reviews.actions import ReviewAction
from reviews.models import Review
from tests.factories import CallFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, assign, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return StaffFactory(email="sophie.martin@inserm.example")


def save_call_in_admin(call, staff, **changes):
    """What Django admin does on "Save": the ModelAdmin's form, then save_model."""
    model_admin = admin.site._registry[Call]
    request = RequestFactory().post("/admin/calls/call/")
    request.user = staff
    form_class = model_admin.get_form(request, call, change=True)
    data = {k: v for k, v in model_to_dict(call).items() if v is not None}
    data["zones"] = [z.pk for z in data.get("zones", [])]
    data["priority_themes"] = [t.pk for t in data.get("priority_themes", [])]
    for name in ("opens_at", "closes_at"):
        data[f"{name}_0"], data[f"{name}_1"] = timezone.localtime(data[name]).strftime("%Y-%m-%d %H:%M:%S").split()
    for name, value in changes.items():
        if name in ("opens_at", "closes_at"):
            data[f"{name}_0"], data[f"{name}_1"] = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S").split()
        else:
            data[name] = value
    form = form_class(data, instance=call)
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    model_admin.save_model(request, obj, form, change=True)
    return obj


def test_moving_a_deadline_and_lowering_a_ceiling_in_admin_are_recorded_with_who_and_what(staff):
    call = CallFactory(ceiling=Decimal("10000"))
    old_close = call.closes_at
    new_close = (old_close + timedelta(days=7)).replace(microsecond=0)
    save_call_in_admin(call, staff, closes_at=new_close, ceiling="9000")
    event = AuditEvent.objects.get(action=CallAction.CHANGED)
    assert event.actor == staff
    assert event.actor_repr == "sophie.martin@inserm.example"
    assert event.object_repr == str(call)
    assert event.changes["ceiling"] == {"from": "10000", "to": "9000"}
    assert set(event.changes) == {"ceiling", "closes_at"}
    assert datetime.fromisoformat(event.changes["closes_at"]["to"]) == new_close
    assert abs(datetime.fromisoformat(event.changes["closes_at"]["from"]) - old_close) < timedelta(seconds=1)


def test_saving_a_call_without_changing_dates_or_ceilings_records_nothing(staff):
    call = CallFactory()
    save_call_in_admin(call, staff, title_en="A clearer title")
    assert not AuditEvent.objects.filter(action=CallAction.CHANGED).exists()


def test_routing_confirmation_reopening_and_decision_are_recorded(staff):
    call = ClosedCallFactory()
    application = submitted_application(call)
    pool_reviewer(call, institution="")
    proposal = services.launch_routing(call, staff, reviewers_per_application=1, inline=True)
    created = services.confirm_routing(proposal, staff)
    assert len(created) == 1
    assignment = created[0]
    scores = {criterion.pk: (4, "") for criterion in call.criteria.all()}
    review = services.save_review(assignment, assignment.reviewer, scores=scores, recommendation="support", submit=True)
    services.reopen_review(review, staff)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    services.record_decision(application, "funded", Decimal("7000"), staff)
    decision = services.record_decision(application, "funded", Decimal("7500.50"), staff)

    actions = list(AuditEvent.objects.order_by("at", "id").values_list("action", flat=True))
    for action in (
        ReviewAction.ROUTING_LAUNCHED,
        ReviewAction.ROUTING_CONFIRMED,
        ReviewAction.REVIEW_REOPENED,
        ReviewAction.DECISION_RECORDED,
    ):
        assert action in actions
    # Every change is someone's: staff's, except the review the reviewer submitted.
    submitted = AuditEvent.objects.get(action=ReviewAction.REVIEW_STATUS)
    assert submitted.actor == assignment.reviewer
    assert submitted.changes["status"] == {"from": "draft", "to": "submitted"}
    assert AuditEvent.objects.filter(actor=staff).count() == len(actions) - 1
    confirmed = AuditEvent.objects.get(action=ReviewAction.ROUTING_CONFIRMED)
    assert confirmed.changes["assignments"] == [{"application": str(application), "reviewer": str(assignment.reviewer)}]
    reopened = events_for(Review.objects.get(pk=review.pk)).get(action=ReviewAction.REVIEW_REOPENED)
    assert reopened.actor == staff
    last = events_for(decision).first()
    assert last.changes["amount"] == "7500.50"
    assert last.changes["outcome"] == "funded"
    assert last.changes["previous"] == {"outcome": "funded", "amount": "7000.00"}


def test_staff_read_the_trail_in_one_admin_list_filtered_by_action(staff):
    call = ClosedCallFactory()
    application = submitted_application(call)
    assign(application, pool_reviewer(call, institution=""))
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    services.record_decision(application, "funded", Decimal("6000"), staff)
    record(staff, CallAction.CHANGED, call, ceiling={"from": "1", "to": "2"})
    client = Client()
    client.force_login(staff)
    response = client.get("/admin/accounts/auditevent/")
    shown = {event.action for event in response.context["cl"].result_list}
    assert {ReviewAction.DECISION_RECORDED, CallAction.CHANGED} <= shown
    assert "sophie.martin@inserm.example" in response.content.decode()
    response = client.get("/admin/accounts/auditevent/?action__exact=decision.recorded")
    assert {event.action for event in response.context["cl"].result_list} == {ReviewAction.DECISION_RECORDED}


def test_the_trail_cannot_be_changed_nor_deleted_in_admin(staff):
    event = record(staff, CallAction.CHANGED, CallFactory(), ceiling={"from": "1", "to": "2"})
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"action": "call.created"})
    event.refresh_from_db()
    assert event.action == CallAction.CHANGED


def test_the_trail_list_costs_the_same_queries_with_one_or_fifty_events(staff, django_assert_num_queries):
    client = Client()
    client.force_login(staff)
    call = CallFactory()
    record(staff, CallAction.CHANGED, call)
    client.get("/admin/accounts/auditevent/")  # warm the content-type cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/admin/accounts/auditevent/")
    for _ in range(49):
        record(StaffFactory(), CallAction.CHANGED, call)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/admin/accounts/auditevent/")


def test_the_audit_trail_shows_changes_in_words_and_paris_time(client, english):
    from datetime import datetime

    from accounts.audit import record
    from tests.factories import CallFactory, StaffFactory

    staff = StaffFactory()
    call = CallFactory()
    before = datetime(2026, 12, 15, 16, 0, tzinfo=UTC)
    after = datetime(2026, 12, 20, 16, 0, tzinfo=UTC)
    event = record(staff, CallAction.CHANGED, call, closes_at={"from": before, "to": after})
    client.force_login(staff)
    page = client.get(f"/admin/accounts/auditevent/{event.pk}/change/", headers={"accept-language": "en"})
    body = page.content.decode()
    assert "Closes at — Dec. 15, 2026, 17:00 → Dec. 20, 2026, 17:00" in body
    assert "2026-12-15T16:00" not in body
    assert "closes_at" not in body


def test_the_audit_trail_names_fields_choices_and_amounts_as_staff_read_them(client):
    """French staff read "Montant demandé (EUR) — 12 500 €" and "Statut — Ouvert → Clos", and the
    page title gives the time in Paris, not the field codes, the raw decimals or UTC."""
    staff = StaffFactory()
    call = CallFactory()
    moment = datetime(2026, 12, 3, 19, 56, tzinfo=UTC)
    amount = record(staff, CallAction.CHANGED, call, status={"from": "open", "to": "closed"})
    AuditEvent.objects.filter(pk=amount.pk).update(at=moment)
    application = submitted_application(ClosedCallFactory())
    record(staff, ApplicationAction.SUBMITTED, application, requested_amount=Decimal("12500.00"))
    client.force_login(staff)
    listing = client.get("/admin/accounts/auditevent/", headers={"accept-language": "fr"}).content.decode()
    listing = listing.replace("\xa0", " ").replace("\u202f", " ")
    assert "Montant demandé (EUR) — 12 500 €" in listing
    assert "Statut — Ouvert → Clos" in listing
    assert "requested_amount" not in listing and "12500.00" not in listing
    title = client.get(f"/admin/accounts/auditevent/{amount.pk}/change/", headers={"accept-language": "fr"})
    assert "3 décembre 2026 20:56" in title.content.decode()
    assert "2026-12-03 19:56" not in title.content.decode()
