"""The admin's confirmation page says why a call cannot be opened or closed with the reasons the
service itself refuses with: no rule is written again in the admin."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.utils import timezone

from calls import services
from calls.models import Call, Instrument
from tests.factories import CallFactory, InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def preview(client, action, call):
    response = client.post("/admin/calls/call/", {"action": action, ACTION_CHECKBOX_NAME: [call.pk]})
    assert response.status_code == 200
    [row] = response.context["rows"]
    return row["problems"]


def refusal(apply, call, by_user):
    with pytest.raises(ValidationError) as error:
        apply(call, by_user)
    return error.value.messages


def pri_without_zones():
    return CallFactory(status=Call.Status.DRAFT, instrument=InstrumentFactory(code=Instrument.Code.PRI))


def closed_in_the_past():
    past = timezone.now() - timedelta(days=1)
    return CallFactory(status=Call.Status.DRAFT, opens_at=past - timedelta(days=30), closes_at=past)


def already_open():
    return CallFactory(status=Call.Status.OPEN)


@pytest.mark.parametrize("make", [pri_without_zones, closed_in_the_past, already_open])
def test_the_opening_preview_gives_the_reasons_open_call_refuses_with(admin_client, staff, english, make):
    call = make()
    status = call.status
    shown = preview(admin_client, "open_selected", call)
    assert shown and shown == refusal(services.open_call, call, staff)
    call.refresh_from_db()
    assert call.status == status


def test_the_opening_preview_names_a_call_that_is_no_longer_a_draft(admin_client, english):
    assert preview(admin_client, "open_selected", already_open()) == [
        "Only a draft call can be opened; this one is Open."
    ]


def test_the_closing_preview_gives_the_reason_close_call_refuses_with(admin_client, staff, english):
    call = CallFactory(status=Call.Status.DRAFT)
    shown = preview(admin_client, "close_selected", call)
    assert len(shown) == 1 and "closed" in shown[0]  # the state machine's words, whatever they are
    assert shown == refusal(services.close_call, call, staff)


def test_a_call_the_service_would_open_has_no_problem_in_the_preview(admin_client):
    call = CallFactory(status=Call.Status.DRAFT)
    assert preview(admin_client, "open_selected", call) == [] == services.opening_problems(call)
