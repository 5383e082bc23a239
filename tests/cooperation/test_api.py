"""The open API (issue 19), as a developer of the intranet would use it: open and upcoming calls,
funded projects, sites, yearly figures; paginated, filtered, read-only, throttled, with ETags;
a bad query is a 400 that says why; the schema validates and its documentation page renders."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from calls.models import Call
from cooperation import register
from tests.calls.factories import InstitutionalAgreementFactory
from tests.factories import CallFactory, InstrumentFactory
from tests.projects.factories import bulk_projects
from tests.security.test_headers import inline_code

from .api_helpers import (
    ENDPOINTS,
    closed_call,
    cooperation,
    entered_figures,
    open_pri_call,
    results,
    site,
    unthrottled,  # noqa: F401 (a fixture)
    upcoming_call,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("unthrottled")]


def ids(response):
    return [row["id"] for row in results(response)]


def test_the_demo_s_open_calls_are_listed_as_json():
    call_command("load_demo", verbosity=0)
    response = Client().get("/api/v1/calls/?status=open")
    assert response["Content-Type"] == "application/json"
    open_now = list(Call.objects.open_now().order_by("closes_at", "id").values_list("pk", flat=True))
    assert open_now and ids(response) == open_now
    for row in response.json()["results"]:
        assert row["status"] == "open"
        assert row["title_fr"] and row["title_en"] and row["instrument"]["code"]
        assert row["eligibility_fr"] and row["eligibility_en"]
        assert row["closes_at"][-6:] in ("+01:00", "+02:00")  # Paris time, with its offset


def test_calls_are_the_open_and_upcoming_ones_with_what_an_applicant_needs():
    tremplin = CallFactory(title_en="Springboards 2026")
    pri = open_pri_call(countries=("JP", "KR"))
    upcoming = upcoming_call()
    closed_call()
    CallFactory(status=Call.Status.DRAFT)
    client = Client()
    assert ids(client.get("/api/v1/calls/")) == sorted(
        [tremplin.pk, pri.pk, upcoming.pk], key=lambda pk: Call.objects.get(pk=pk).closes_at
    )
    assert ids(client.get("/api/v1/calls/?status=open")) == [tremplin.pk, pri.pk]
    assert ids(client.get("/api/v1/calls/?status=upcoming")) == [upcoming.pk]
    assert ids(client.get("/api/v1/calls/?instrument=PRI")) == [pri.pk]
    # A partner in Japan: the PRI call targeting Japan and every call targeting no zone.
    assert set(ids(client.get("/api/v1/calls/?country=jp"))) == {tremplin.pk, pri.pk, upcoming.pk}
    assert pri.pk not in ids(client.get("/api/v1/calls/?country=BR"))

    row = next(r for r in results(client.get("/api/v1/calls/")) if r["id"] == pri.pk)
    assert row["instrument"] == {"code": "PRI", "name_fr": pri.instrument.name_fr, "name_en": pri.instrument.name_en}
    assert row["countries"] == ["JP", "KR"]
    assert row["zones"][0]["countries"] == ["JP", "KR"]
    assert row["ceilings"] == {
        "ceiling": None,
        "european_ceiling": "60000.00",
        "non_european_ceiling": "75000.00",
        "currency": "EUR",
    }
    assert row["eligibility_en"] == pri.instrument.description_en
    assert row["url_fr"] == f"http://testserver/fr/calls/{pri.pk}/"
    assert row["url_en"] == f"http://testserver/en/calls/{pri.pk}/"
    assert row["closes_at"] == timezone.localtime(pri.closes_at).isoformat()
    upcoming_row = next(r for r in results(client.get("/api/v1/calls/")) if r["id"] == upcoming.pk)
    assert upcoming_row["status"] == "upcoming"


def test_funded_projects_show_their_public_fields_and_filter_by_year_instrument_and_country():
    project = bulk_projects(1, instrument="PRI", country="JP", amount="60000.00")[0]
    other = bulk_projects(1, instrument="TREMPLIN", country="BR", amount="10000.00")[0]
    client = Client()
    rows = {row["reference"]: row for row in results(client.get("/api/v1/projects/"))}
    assert set(rows) == {project.reference, other.reference}
    row = rows[project.reference]
    assert set(row) == {
        "reference",
        "title",
        "instrument",
        "year",
        "start_date",
        "end_date",
        "status",
        "awarded",
        "currency",
        "partners",
        "countries",
    }
    assert row["awarded"] == "60000.00" and row["instrument"] == "PRI"
    assert row["year"] == project.start_date.year
    assert row["partners"] == [{"institution": "University of Tokyo", "city": "Tokyo", "country": "JP"}]
    assert row["countries"] == ["JP"]

    def refs(query):
        return {r["reference"] for r in results(client.get(f"/api/v1/projects/?{query}"))}

    assert refs("instrument=PRI") == {project.reference}
    assert refs("country=BR") == {other.reference}
    assert refs(f"year={project.start_date.year}") == {project.reference, other.reference}
    assert refs(f"year={project.start_date.year - 1}") == set()


def test_sites_filter_by_kind_and_country():
    irvine = site()
    heidelberg = site(
        name_en="Joint unit Heidelberg", city="Heidelberg", country="DE", latitude="49.39875", longitude="8.67243"
    )
    office = site(
        name_en="Washington office", kind="office", city="Washington", country="US", latitude="38.9", longitude="-77.03"
    )
    client = Client()
    assert {r["id"] for r in results(client.get("/api/v1/sites/?kind=joint_unit"))} == {irvine.pk, heidelberg.pk}
    assert {r["id"] for r in results(client.get("/api/v1/sites/?country=US"))} == {irvine.pk, office.pk}
    row = next(r for r in results(client.get("/api/v1/sites/")) if r["id"] == heidelberg.pk)
    assert (row["country"], row["latitude"], row["longitude"], row["active_from"]) == ("DE", 49.39875, 8.67243, 2019)


def test_yearly_figures_are_the_register_s_saying_which_were_entered_and_from_where():
    entered_figures(2020)
    for country in ("JP", "JP", "BR"):
        cooperation(2021, country)
    cooperation(2020, "US")
    InstitutionalAgreementFactory(status="active", starts_on=date(2019, 1, 1), ends_on=None)
    response = Client().get("/api/v1/figures/")
    rows = results(response)
    # The agreement is in the register too, in the year it starts.
    assert [r["year"] for r in rows] == [2021, 2020, 2019]
    by_year = {r["year"]: r for r in rows}
    assert by_year[2020]["declared_cooperations"] == {
        "value": 6580,
        "entered": True,
        "source": "Inserm, rapport d'activité 2020",
    }
    assert by_year[2020]["international_share"]["value"] == "52.0"
    assert by_year[2021]["declared_cooperations"] == {"value": 3, "entered": False, "source": None}
    assert by_year[2021]["countries"]["value"] == 2
    # The same figures as the register's own, year by year (the public page shows those).
    for year in (2020, 2021, 2019):
        expected, _source = register.figures(year)
        row = results(Client().get(f"/api/v1/figures/?year={year}"))[0]
        for name, figure in expected.items():
            value = str(figure.value) if isinstance(figure.value, Decimal) else figure.value
            assert (row[name]["value"], row[name]["entered"]) == (value, figure.entered), (year, name)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/projects/?year=abc", "year"),
        ("/api/v1/projects/?year=99999999999", "year"),
        ("/api/v1/figures/?year=abc", "year"),
        ("/api/v1/calls/?status=foo", "status"),
        ("/api/v1/calls/?country=ZZ", "country"),
        ("/api/v1/sites/?country=ZZ", "country"),
        ("/api/v1/projects/?instrument=NOPE", "instrument"),
        ("/api/v1/sites/?kind=castle", "kind"),
        ("/api/v1/calls/?page=-1", "page"),
        ("/api/v1/calls/?page=abc", "page"),
        ("/api/v1/sites/?page_size=10000", "page_size"),
        ("/api/v1/figures/?page_size=0", "page_size"),
    ],
)
def test_a_bad_filter_value_is_a_400_that_says_why(url, field):
    response = Client().get(url)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [field] and body[field][0]


def test_pages_hold_fifty_rows_or_as_many_as_asked_up_to_two_hundred():
    for index in range(55):
        site(name_en=f"Site {index}", city=f"City {index}")
    client = Client()
    first = client.get("/api/v1/sites/").json()
    assert (first["count"], len(first["results"])) == (55, 50)
    assert first["next"].endswith("/api/v1/sites/?page=2")
    assert len(results(client.get("/api/v1/sites/?page=2"))) == 5
    assert len(results(client.get("/api/v1/sites/?page_size=200"))) == 55
    assert len(results(client.get("/api/v1/sites/?page_size=7&page=last"))) == 6
    assert client.get("/api/v1/sites/?page=3").status_code == 404  # past the last page: DRF's 404


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(url, method):
    response = getattr(Client(), method)(url, data={}, content_type="application/json")
    assert response.status_code == 405
    assert "GET" in response["Allow"]


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_conditional_get_of_an_unchanged_list_is_a_304(url):
    CallFactory()
    site()
    client = Client()
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, headers={"if-none-match": '"something-else"'}).status_code == 200


def test_a_changed_list_has_a_new_etag():
    CallFactory()
    client = Client()
    etag = client.get("/api/v1/calls/")["ETag"]
    CallFactory()
    response = client.get("/api/v1/calls/", headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


def test_a_visitor_sending_too_many_requests_is_throttled(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    client = Client()
    assert [client.get("/api/v1/sites/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_the_production_rate_is_a_hundred_and_twenty_a_minute():
    from inserm_portal import settings as portal_settings  # as written, not as the tests raise it

    assert portal_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"] == "120/minute"


def test_the_schema_validates_and_describes_every_endpoint(tmp_path):
    target = tmp_path / "schema.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(target))
    schema = json.loads(target.read_text())
    assert set(schema["paths"]) == set(ENDPOINTS)
    served = Client().get("/api/v1/schema/")
    assert served.status_code == 200 and served.json()["openapi"].startswith("3.")
    parameters = {p["name"] for p in served.json()["paths"]["/api/v1/calls/"]["get"]["parameters"]}
    assert {"status", "instrument", "country", "page", "page_size"} <= parameters


def test_the_documentation_page_loads_its_scripts_from_files_only():
    response = Client().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert not inline_code(html)
    assert 'data-schema-url="/api/v1/schema/"' in html
    for path in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "js/api-docs.js",
    ):
        assert f"/static/{path}" in html and finders.find(path), path
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_instrument_ceilings_are_decimal_strings_never_floats():
    CallFactory(instrument=InstrumentFactory(code="TREMPLIN"), ceiling=Decimal("10000.50"))
    row = results(Client().get("/api/v1/calls/"))[0]
    assert row["ceilings"]["ceiling"] == "10000.50"
