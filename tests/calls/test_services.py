"""Opening and closing calls, creating one from an instrument, and the rotation in the database."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_countries import countries as world

from accounts.audit import events_for
from calls import services
from calls.actions import CallAction
from calls.models import Call, Instrument
from notifications.models import Notification
from notifications.services import set_subscriptions
from tests.factories import CallFactory, InstrumentFactory, ResearcherFactory

from .factories import PriorityThemeFactory, RotationYearFactory, ZoneFactory

pytestmark = pytest.mark.django_db


def draft(**kwargs):
    return CallFactory(status=Call.Status.DRAFT, **kwargs)


def test_opening_a_draft_call_records_who_opened_it(staff):
    call = draft()
    services.open_call(call, staff)
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN
    [change] = events_for(call).filter(action=CallAction.STATUS)
    assert (change.changes["status"], change.actor) == ({"from": "draft", "to": "open"}, staff)


def test_a_call_created_from_its_instrument_is_audited_with_who_created_it(staff):
    instrument = InstrumentFactory(code=Instrument.Code.TREMPLIN)
    now = timezone.now()
    call = services.create_call_from_instrument(
        instrument, 2027, by_user=staff, opens_at=now, closes_at=now + timedelta(days=30)
    )
    [created] = events_for(call).filter(action=CallAction.CREATED)
    assert created.actor == staff and created.changes == {"instrument": "TREMPLIN", "year": 2027}


def test_a_status_the_state_machine_refuses_is_refused_with_the_reason_and_not_recorded(staff):
    call = draft()
    with pytest.raises(ValidationError) as error:
        services.close_call(call, staff)
    assert "cannot become" in " ".join(error.value.messages) or "ne peut pas devenir" in " ".join(error.value.messages)
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert not events_for(call).filter(action=CallAction.STATUS).exists()


def test_opening_a_call_tells_the_researchers_subscribed_to_its_instrument(staff):
    fan, other = ResearcherFactory(), ResearcherFactory()
    set_subscriptions(fan, ["instrument:TREMPLIN"])
    set_subscriptions(other, ["instrument:PRI"])
    call = draft(title_fr="Tremplins 2027", title_en="Springboards 2027")
    services.open_call(call, staff)
    notification = Notification.objects.get()
    assert notification.recipient == fan
    assert notification.kind == "call.opened"
    assert notification.context == {
        "call_title_fr": "Tremplins 2027",
        "call_title_en": "Springboards 2027",
        "instrument_code": "TREMPLIN",
        "closes_at": call.closes_at.isoformat(),
        "url_path": f"/calls/{call.pk}/",
    }


def test_a_call_breaking_a_rule_is_not_opened_and_nobody_is_told(staff, english):
    set_subscriptions(ResearcherFactory(), ["instrument:TREMPLIN"])
    call = draft(closes_at=timezone.now() - timedelta(days=1), opens_at=timezone.now() - timedelta(days=5))
    with pytest.raises(ValidationError) as error:
        services.open_call(call, staff)
    assert any("has already passed" in m for m in error.value.messages)
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT
    assert not Notification.objects.exists()
    assert not events_for(call).filter(action=CallAction.STATUS).exists()


def test_a_pri_call_without_zone_is_not_opened(staff):
    call = draft(instrument=InstrumentFactory(code=Instrument.Code.PRI))
    with pytest.raises(services.CallRuleError) as error:
        services.open_call(call, staff)
    assert [f.code for f in error.value.findings] == ["call.no_zones"]


def test_an_open_call_cannot_be_opened_again(staff):
    with pytest.raises(services.InvalidTransition):
        services.open_call(CallFactory(), staff)


def test_closing_an_open_call_stops_applications_at_once(staff):
    call = CallFactory()
    services.close_call(call, staff)
    assert call.status == Call.Status.CLOSED
    assert not Call.objects.open_now().exists()


def test_a_draft_cannot_be_closed(staff):
    with pytest.raises(services.InvalidTransition):
        services.close_call(draft(), staff)


def test_a_call_moves_to_review_then_decided_only_in_order(staff):
    call = CallFactory(status=Call.Status.CLOSED)
    with pytest.raises(services.InvalidTransition):
        services.mark_decided(call, staff)
    services.start_review(call, staff)
    services.mark_decided(call, staff)
    call.refresh_from_db()
    assert call.status == Call.Status.DECIDED


def test_a_new_pri_call_takes_the_zones_of_its_years_rotation():
    asia, europe = ZoneFactory(countries=["JP"]), ZoneFactory(countries=["DE"])
    RotationYearFactory(year=2026, zones=[asia])
    RotationYearFactory(year=2027, zones=[europe])
    pri = InstrumentFactory(code=Instrument.Code.PRI)
    now = timezone.now()
    call = services.create_call_from_instrument(pri, 2027, opens_at=now, closes_at=now + timedelta(days=30))
    assert list(call.zones.all()) == [europe]
    assert (call.duration_months, call.european_ceiling, call.non_european_ceiling) == (
        60,
        Decimal("60000"),
        Decimal("75000"),
    )
    assert call.status == Call.Status.DRAFT
    assert call.criteria.count() == 4
    # The cycle repeats: 2028 targets what 2026 did.
    later = services.create_call_from_instrument(pri, 2028, opens_at=now, closes_at=now + timedelta(days=30))
    assert list(later.zones.all()) == [asia]


def test_staff_may_override_the_rotation_zones():
    asia, europe = ZoneFactory(countries=["JP"]), ZoneFactory(countries=["DE"])
    RotationYearFactory(year=2026, zones=[asia])
    now = timezone.now()
    call = services.create_call_from_instrument(
        InstrumentFactory(code=Instrument.Code.PRI), 2026, opens_at=now, closes_at=now + timedelta(1), zones=[europe]
    )
    assert list(call.zones.all()) == [europe]


def test_a_call_from_an_instrument_with_bad_dates_is_not_saved():
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.create_call_from_instrument(InstrumentFactory(), 2026, opens_at=now, closes_at=now - timedelta(1))
    assert "closes_at" in error.value.message_dict
    assert not Call.objects.exists()


def test_call_facts_costs_a_constant_number_of_queries(django_assert_num_queries):
    zone = ZoneFactory(countries=["JP", "CN", "KR"])
    theme = PriorityThemeFactory()
    call = CallFactory(instrument=InstrumentFactory(code=Instrument.Code.PRI), zones=[zone], priority_themes=[theme])
    call = Call.objects.select_related("instrument").get(pk=call.pk)
    with django_assert_num_queries(3):
        facts = services.call_facts(call)
    assert facts.zone_countries == {"JP", "CN", "KR"}
    assert facts.priority_themes == {"ageing"}
    prefetched = Call.objects.select_related("instrument").prefetch_related("zones__countries", "priority_themes")
    call = prefetched.get(pk=call.pk)
    with django_assert_num_queries(0):
        assert services.call_facts(call).zone_countries == {"JP", "CN", "KR"}


def test_the_rotation_report_names_the_countries_a_full_cycle_misses():
    everything_but_italy = [code for code, _ in world if code not in {"FR", "IT"}]
    RotationYearFactory(year=2026, zones=[ZoneFactory(countries=everything_but_italy)])
    ZoneFactory(countries=["IT"])  # in a zone, but no year of the cycle targets it
    assert services.rotation_cycle().missing_countries == {"IT"}
