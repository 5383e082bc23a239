"""The public call list (filters, constant queries) and the call page, in French and English."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from calls.models import Call, Instrument
from tests.factories import CallFactory, InstrumentFactory

from .factories import PriorityThemeFactory, ZoneFactory

pytestmark = pytest.mark.django_db


def body(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_shows_open_and_upcoming_calls_but_no_draft_or_closed_one(client):
    CallFactory(title_en="Open call")
    CallFactory(title_en="Upcoming call", opens_at=timezone.now() + timedelta(days=3))
    CallFactory(title_en="Draft call", status=Call.Status.DRAFT)
    CallFactory(title_en="Past call", closes_at=timezone.now() - timedelta(seconds=1))
    CallFactory(title_en="Closed call", status=Call.Status.CLOSED)
    page = body(client, "/en/calls/")
    assert "Open call" in page and "Upcoming call" in page
    assert "Draft call" not in page and "Past call" not in page and "Closed call" not in page
    assert "Opening soon" in page


def test_the_list_filters_by_status(client):
    CallFactory(title_en="Running call")
    CallFactory(title_en="Upcoming call", opens_at=timezone.now() + timedelta(days=3))
    page = body(client, "/en/calls/", status="upcoming")
    assert "Upcoming call" in page and "Running call" not in page
    page = body(client, "/en/calls/", status="open")
    assert "Running call" in page and "Upcoming call" not in page


def test_the_list_filters_by_instrument_and_zone(client):
    asia = ZoneFactory(code="asia", name_en="Asia", countries=["JP"])
    europe = ZoneFactory(code="europe", name_en="Europe", countries=["DE"])
    pri = InstrumentFactory(code=Instrument.Code.PRI)
    CallFactory(title_en="Springboards")
    CallFactory(title_en="PRI Asia", instrument=pri, zones=[asia])
    CallFactory(title_en="PRI Europe", instrument=pri, zones=[europe])
    page = body(client, "/en/calls/", instrument="PRI")
    assert "PRI Asia" in page and "PRI Europe" in page and "Springboards" not in page
    page = body(client, "/en/calls/", zone="asia")
    assert "PRI Asia" in page and "PRI Europe" not in page and "Springboards" not in page


def test_a_filter_value_that_does_not_exist_is_explained_and_the_other_choices_are_kept(client):
    ZoneFactory(code="asia", name_en="Asia", countries=["JP"])
    InstrumentFactory(code=Instrument.Code.PRI)
    page = body(client, "/en/calls/", instrument="NOPE", zone="asia", status="upcoming")
    assert 'id="id_instrument" class="form-select is-invalid" aria-invalid="true"' in page
    assert 'aria-describedby="id_instrument_error"' in page
    assert 'id="id_instrument_error"' in page and "Select a valid choice." in page
    assert '<option value="asia" selected>Asia</option>' in page
    assert '<option value="upcoming" selected>Opening soon</option>' in page
    french = body(client, "/fr/calls/", instrument="NOPE")
    assert "Sélectionnez un choix valide." in french


def test_the_list_speaks_french_and_english(client):
    CallFactory(title_fr="Appel Tremplins 2026", title_en="Springboards call 2026")
    assert "Appel Tremplins 2026" in body(client, "/fr/calls/")
    assert "Springboards call 2026" in body(client, "/en/calls/")


def test_the_list_query_count_does_not_grow_with_calls(client, django_assert_num_queries):
    zone = ZoneFactory(countries=["JP"])
    CallFactory(zones=[zone])
    with django_assert_num_queries(4) as first:
        client.get("/en/calls/")
    for _ in range(49):
        CallFactory(zones=[zone])
    with django_assert_num_queries(len(first.captured_queries)):
        page = client.get("/en/calls/").content.decode()
    assert page.count('href="/en/calls/') >= 50


def test_a_tremplin_page_says_who_may_apply_the_ceiling_the_duration_and_the_time_left(client):
    call = CallFactory(closes_at=timezone.now() + timedelta(days=5, hours=1))
    page = body(client, f"/en/calls/{call.pk}/")
    assert "recruited as CRCN on" in page and "ATIP-Avenir" in page and "ERC Starting Grant" in page
    assert "10,000 EUR in total" in page
    assert "12 months" in page
    assert "Open: 5\xa0days" in page and "left to apply" in page


def test_a_pri_page_lists_the_targeted_countries_and_both_ceilings(client):
    zone = ZoneFactory(name_en="Asia", countries=["JP", "CN"])
    call = CallFactory(instrument=InstrumentFactory(code=Instrument.Code.PRI), zones=[zone])
    page = body(client, f"/en/calls/{call.pk}/")
    assert "Targeted countries" in page and "Japan" in page and "China" in page
    assert "60,000 EUR for a European partnership" in page and "75,000 EUR for a partnership outside Europe" in page
    assert "60 months" in page
    french = body(client, f"/fr/calls/{call.pk}/")
    assert "Japon" in french


def test_a_pct_page_names_the_priority_themes(client):
    call = CallFactory(
        instrument=InstrumentFactory(code=Instrument.Code.PCT),
        ceiling=Decimal("300000"),
        priority_themes=[PriorityThemeFactory()],
    )
    page = body(client, f"/en/calls/{call.pk}/")
    assert "4 to 5 partner institutions" in page and "Healthy ageing" in page and "300,000 EUR" in page


def test_a_closed_call_page_says_it_is_closed(client):
    call = CallFactory(status=Call.Status.CLOSED)
    assert "This call is closed" in body(client, f"/en/calls/{call.pk}/")


def test_a_draft_call_page_does_not_exist_for_the_public(client):
    call = CallFactory(status=Call.Status.DRAFT)
    assert client.get(f"/en/calls/{call.pk}/").status_code == 404


def test_the_call_page_query_count_does_not_grow_with_countries(client, django_assert_num_queries):
    pri = InstrumentFactory(code=Instrument.Code.PRI)
    small = CallFactory(instrument=pri, zones=[ZoneFactory(countries=["JP"])])
    large = CallFactory(instrument=pri, zones=[ZoneFactory(countries=["CN", "KR", "IN", "VN"]), ZoneFactory()])
    with django_assert_num_queries(5):
        client.get(f"/en/calls/{small.pk}/")
    with django_assert_num_queries(5):
        client.get(f"/en/calls/{large.pk}/")


def test_the_home_page_links_each_open_call_to_its_page(client):
    call = CallFactory()
    assert f'href="/fr/calls/{call.pk}/"' in body(client, "/fr/")


def test_open_call_page_leads_to_the_application_form(client):
    from tests.factories import CallFactory

    call = CallFactory()
    body = client.get(f"/en/calls/{call.pk}/").content.decode()
    assert f'href="/en/applications/new/{call.pk}/"' in body
    assert "Apply to this call" in body


def test_english_pages_write_a_24_hour_clock_never_p_m(client):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.factories import CallFactory

    call = CallFactory(closes_at=datetime(2026, 12, 23, 17, 0, tzinfo=ZoneInfo("Europe/Paris")))
    page = client.get(f"/en/calls/{call.pk}/").content.decode()
    assert "Dec. 23, 2026, 17:00" in page
    assert "p.m." not in page
