"""Staff run calls, zones, the rotation and the PIC register in Django admin."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.utils import timezone
from django_countries import countries as world

from calls.models import Call, Instrument, Zone, ZoneCountry
from tests.factories import CallFactory, InstrumentFactory

from .factories import InstitutionalAgreementFactory, RotationYearFactory, ZoneFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/calls/call/"


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def split(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def call_form(call=None, **overrides):
    """The POST data of the call change form, inlines included."""
    now = timezone.now()
    opens, closes = overrides.pop("opens_at", now), overrides.pop("closes_at", now + timedelta(days=30))
    data = {
        "instrument": call.instrument_id if call else InstrumentFactory().pk,
        "year": 2026,
        "title_fr": "Appel",
        "title_en": "Call",
        "opens_at_0": split(opens)[0],
        "opens_at_1": split(opens)[1],
        "closes_at_0": split(closes)[0],
        "closes_at_1": split(closes)[1],
        "duration_months": 12,
        "ceiling": "10000",
        "european_ceiling": "",
        "non_european_ceiling": "",
        "min_partners": 1,
        "max_partners": 1,
        "criteria-TOTAL_FORMS": 0,
        "criteria-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_staff_create_a_tremplin_call_from_its_instrument_with_the_defaults(admin_client):
    InstrumentFactory(code=Instrument.Code.TREMPLIN)
    tremplin = Instrument.objects.get(code="TREMPLIN")
    assert "Create a call from an instrument" in admin_client.get(CHANGELIST).content.decode()
    response = admin_client.post(
        f"{CHANGELIST}from-instrument/",
        {
            "instrument": tremplin.pk,
            "year": 2027,
            "title_fr": "Tremplins 2027",
            "title_en": "Springboards 2027",
            "opens_at_0": "2026-12-01",
            "opens_at_1": "09:00:00",
            "closes_at_0": "2027-01-31",
            "closes_at_1": "23:59:59",
        },
    )
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}{call.pk}/change/"
    assert (call.status, call.ceiling, call.duration_months, call.max_partners) == ("draft", 10000, 12, 1)
    assert timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M:%S %Z") == "2027-01-31 23:59:59 CET"


def test_creating_a_call_closing_before_it_opens_is_refused_with_the_reason(admin_client):
    tremplin = InstrumentFactory()
    response = admin_client.post(
        f"{CHANGELIST}from-instrument/",
        {
            "instrument": tremplin.pk,
            "year": 2027,
            "opens_at_0": "2027-02-01",
            "opens_at_1": "09:00:00",
            "closes_at_0": "2027-01-31",
            "closes_at_1": "23:59:59",
        },
    )
    assert response.status_code == 200
    assert "must come after the opening date" in response.content.decode()
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"closes_at": timezone.now() - timedelta(days=1)}, "must come after the opening date"),
        ({"ceiling": "-1"}, "cannot be below 0 EUR"),
        ({"ceiling": "10000.01"}, "cannot exceed the instrument"),
    ],
)
def test_a_call_with_bad_values_is_refused_and_nothing_is_saved(admin_client, overrides, message):
    call = CallFactory(status=Call.Status.DRAFT, title_en="Before")
    data = call_form(call, title_en="After", **overrides)
    response = admin_client.post(f"{CHANGELIST}{call.pk}/change/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    call.refresh_from_db()
    assert call.title_en == "Before"


def test_a_call_of_a_key_partnership_is_refused(admin_client):
    pic = InstrumentFactory(code=Instrument.Code.PIC)
    response = admin_client.post(f"{CHANGELIST}add/", call_form(instrument=pic.pk, ceiling=""))
    assert response.status_code == 200
    assert "are agreements, not calls for projects" in response.content.decode()
    assert not Call.objects.exists()


def test_a_sound_call_is_saved(admin_client):
    call = CallFactory(status=Call.Status.DRAFT)
    response = admin_client.post(f"{CHANGELIST}{call.pk}/change/", call_form(call, title_en="Renamed"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title_en == "Renamed"


def action(client, name, calls, confirm=False):
    data = {"action": name, ACTION_CHECKBOX_NAME: [c.pk for c in calls]}
    if confirm:
        data["confirm"] = "yes"
    return client.post(CHANGELIST, data, follow=confirm)


def test_opening_calls_asks_for_confirmation_first(admin_client):
    call = CallFactory(status=Call.Status.DRAFT, title_en="Springboards 2027")
    response = action(admin_client, "open_selected", [call])
    page = response.content.decode()
    assert response.status_code == 200 and "Open these calls?" in page and "Springboards 2027" in page
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT


def test_a_confirmed_opening_puts_the_call_on_the_public_list_in_both_languages(admin_client, client):
    call = CallFactory(status=Call.Status.DRAFT, title_fr="Tremplins 2027", title_en="Springboards 2027")
    response = action(admin_client, "open_selected", [call], confirm=True)
    assert "1 call changed." in response.content.decode()
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN
    assert "Tremplins 2027" in admin_client.get("/fr/calls/").content.decode()
    assert "Springboards 2027" in admin_client.get("/en/calls/").content.decode()


def test_opening_a_call_that_breaks_a_rule_is_refused_with_the_reason(admin_client):
    pri = CallFactory(status=Call.Status.DRAFT, instrument=InstrumentFactory(code=Instrument.Code.PRI))
    preview = action(admin_client, "open_selected", [pri]).content.decode()
    assert "A PRI call must target at least one zone." in preview
    assert "None of the selected calls can be changed." in preview
    response = action(admin_client, "open_selected", [pri], confirm=True)
    assert "A PRI call must target at least one zone." in response.content.decode()
    pri.refresh_from_db()
    assert pri.status == Call.Status.DRAFT


def test_closing_calls_with_the_admin_action(admin_client):
    call = CallFactory()
    assert "Close these calls?" in action(admin_client, "close_selected", [call]).content.decode()
    action(admin_client, "close_selected", [call], confirm=True)
    call.refresh_from_db()
    assert call.status == Call.Status.CLOSED


def test_closing_a_call_early_says_how_many_drafts_it_cuts_off(admin_client):
    from tests.applications.factories import ApplicationFactory

    call = CallFactory()
    ApplicationFactory(call=call)
    ApplicationFactory(call=call)
    page = action(admin_client, "close_selected", [call]).content.decode()
    assert "2 drafts will be cut off: their applicants can no longer submit them." in page
    assert "closing it now ends it early" in page
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN


def test_the_call_list_filters_and_searches(admin_client):
    CallFactory(title_fr="Appel Tremplins Japon", year=2026)
    CallFactory(title_fr="Appel Tremplins Brésil", year=2025)
    page = admin_client.get(CHANGELIST, {"q": "Japon"}).content.decode()
    assert "Appel Tremplins Japon" in page and "Appel Tremplins Brésil" not in page
    page = admin_client.get(CHANGELIST, {"year": 2025}).content.decode()
    assert "Appel Tremplins Brésil" in page and "Appel Tremplins Japon" not in page
    assert admin_client.get(CHANGELIST, {"status__exact": "open"}).status_code == 200


def zone_form(code, countries, existing=()):
    data = {
        "code": code,
        "name_fr": code,
        "name_en": code,
        "countries-TOTAL_FORMS": len(countries) + len(existing),
        "countries-INITIAL_FORMS": len(existing),
    }
    for index, row in enumerate(existing):
        data[f"countries-{index}-id"] = row.pk
        data[f"countries-{index}-zone"] = row.zone_id
        data[f"countries-{index}-country"] = row.country.code
    for index, country in enumerate(countries, start=len(existing)):
        data[f"countries-{index}-country"] = country
    return data


def test_a_zone_is_created_with_its_countries_inline(admin_client):
    response = admin_client.post("/admin/calls/zone/add/", zone_form("asia", ["JP", "CN"]))
    assert response.status_code == 302
    assert set(Zone.objects.get(code="asia").countries.values_list("country", flat=True)) == {"JP", "CN"}


def test_a_country_already_in_another_zone_is_refused_and_nothing_is_saved(admin_client):
    ZoneFactory(name_en="Asia", name_fr="Asie", countries=["JP"])
    response = admin_client.post("/admin/calls/zone/add/", zone_form("pacific", ["AU", "JP"]))
    assert response.status_code == 200
    assert "Japan is already in the zone “Asia”: a country belongs to one zone only." in response.content.decode()
    assert not Zone.objects.filter(code="pacific").exists()
    assert ZoneCountry.objects.count() == 1


def test_france_is_in_no_zone(admin_client):
    response = admin_client.post("/admin/calls/zone/add/", zone_form("europe", ["DE", "FR"]))
    assert response.status_code == 200
    assert "France, overseas France included, is in no zone" in response.content.decode()
    assert not Zone.objects.exists()


def test_the_rotation_page_warns_when_a_full_cycle_misses_a_country(admin_client):
    everything_but_italy = [code for code, _ in world if code not in {"FR", "IT"}]
    RotationYearFactory(year=2026, zones=[ZoneFactory(name_en="World", countries=everything_but_italy)])
    page = admin_client.get("/admin/calls/rotationyear/").content.decode()
    assert "never targets these countries: Italy." in page
    assert "World" in page


def test_the_rotation_page_has_no_warning_when_the_cycle_covers_every_country(admin_client):
    everything = [code for code, _ in world if code != "FR"]
    RotationYearFactory(year=2026, zones=[ZoneFactory(countries=everything)])
    assert "never targets" not in admin_client.get("/admin/calls/rotationyear/").content.decode()


def test_the_pic_register_lists_agreements(admin_client):
    InstitutionalAgreementFactory(partner_institution="National University of Singapore", country="SG")
    page = admin_client.get("/admin/calls/institutionalagreement/", {"status__exact": "active"}).content.decode()
    assert "National University of Singapore" in page


@pytest.mark.parametrize(
    "url",
    [
        "/admin/calls/instrument/",
        "/admin/calls/zone/",
        "/admin/calls/prioritytheme/",
        "/admin/calls/call/add/",
        "/admin/calls/call/from-instrument/",
        "/admin/calls/institutionalagreement/add/",
        "/admin/calls/rotationyear/add/",
    ],
)
def test_every_calls_admin_page_opens_for_staff(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_researchers_cannot_reach_the_calls_admin(client, researcher):
    client.force_login(researcher)
    response = client.get(f"{CHANGELIST}from-instrument/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_agreement_ending_before_it_starts_is_refused(admin_client):
    data = {
        "partner_institution": "ICMR",
        "country": "IN",
        "starts_on": "2018-01-01",
        "ends_on": "2017-12-31",
        "status": "active",
    }
    response = admin_client.post("/admin/calls/institutionalagreement/add/", data)
    assert response.status_code == 200
    assert "The agreement cannot end before it starts." in response.content.decode()
