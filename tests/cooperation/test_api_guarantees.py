"""What the open API promises whatever its data: nothing personal ever leaves through it (every
endpoint, every page, every field walked); each endpoint costs the same number of queries with 1
row as with 1,000; any query string at all is answered 200 or 400 (404 past the last page), never
a 500 (hypothesis)."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.models import User
from applications.models import Application, ResearcherProfile
from calls.models import Call
from cooperation.models import Cooperation, Site, YearlyFigures
from projects.models import Project, ProjectPartner
from reviews.models import Decision
from tests.calls.factories import InstitutionalAgreementFactory, ZoneFactory
from tests.factories import CallFactory, InstrumentFactory, ResearcherFactory
from tests.projects.factories import bulk_projects
from tests.reviews.factories import ClosedCallFactory

from .api_helpers import (
    ENDPOINTS,
    UNTHROTTLED,
    cooperation,
    entered_figures,
    open_pri_call,
    site,
    unthrottled,  # noqa: F401 (a fixture)
)

EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[A-Za-z]{2,}")
PERSONAL_KEYS = ("mail", "lead", "applicant", "user", "unit", "leader", "person", "phone", "reviewer", "declared_by")


def walk(value, path=""):
    """Every (path, key, leaf) of a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, None
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")
    else:
        yield path, None, value


def every_page(client, url):
    url = f"{url}?page_size=200"
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.json()
        yield body
        url = body["next"]


@pytest.mark.django_db
@pytest.mark.usefixtures("unthrottled")
def test_nothing_personal_leaves_through_any_endpoint():
    call_command("load_demo", verbosity=0)
    # People with names and addresses in every place the API reads from.
    project = bulk_projects(1, instrument="PRI", country="JP")[0]
    project.lead.first_name, project.lead.last_name = "Hortense", "Vandermeulen"
    project.lead.save()
    ProjectPartner.objects.create(
        project=project,
        institution="Karolinska Institutet",
        city="Stockholm",
        country="SE",
        team_leader="Ingrid Bergqvist",
        email="ingrid.bergqvist@ki.example",
    )
    cooperation(2021, "SE", declared_by=project.lead, unit_code="U9876")
    names = set()
    for first, last in User.objects.values_list("first_name", "last_name"):
        names |= {part for part in (first, last) if len(part) >= 3}
    names |= {leader for leader in ProjectPartner.objects.values_list("team_leader", flat=True) if leader}
    units = {code for code in ResearcherProfile.objects.values_list("unit_code", flat=True) if code} | {"U9876"}
    emails = set(User.objects.values_list("email", flat=True))
    assert names and units and emails

    client = Client()
    leaks, seen_values = [], 0
    for url in ENDPOINTS:
        for body in every_page(client, url):
            assert body["results"], url
            for path, key, leaf in walk(body["results"]):
                if key is not None and any(word in key.lower() for word in PERSONAL_KEYS):
                    leaks.append(f"{url}{path}: key {key}")
                if isinstance(leaf, str):
                    seen_values += 1
                    if EMAIL.search(leaf) or leaf in emails:
                        leaks.append(f"{url}{path}: an e-mail address")
                    for name in names:
                        if re.search(rf"\b{re.escape(name)}\b", leaf):
                            leaks.append(f"{url}{path}: the name {name!r}")
                    if leaf in units:
                        leaks.append(f"{url}{path}: the unit {leaf}")
    assert seen_values > 100
    assert not leaks, leaks


# Query counts: each builder adds `n` rows to what its endpoint lists.


def _calls(n, state):
    instrument = InstrumentFactory(code="PRI")
    if "zones" not in state:
        state["zones"] = [ZoneFactory(countries=["JP", "KR"]), ZoneFactory(countries=["BR"])]
    zones = state["zones"]
    now = timezone.now()
    start = Call.objects.count()
    calls = Call.objects.bulk_create(
        Call(
            instrument=instrument,
            year=2026,
            title_fr=f"Appel {start + i}",
            title_en=f"Call {start + i}",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=30, minutes=i),
            status=Call.Status.OPEN,
            european_ceiling=Decimal("60000"),
            non_european_ceiling=Decimal("75000"),
        )
        for i in range(n)
    )
    Call.zones.through.objects.bulk_create(
        Call.zones.through(call_id=call.pk, zone_id=zone.pk) for call in calls for zone in zones
    )


def _projects(n, state):
    if "call" not in state:
        state.update(call=ClosedCallFactory(instrument=InstrumentFactory(code="PRI")), lead=ResearcherFactory())
    call, lead = state["call"], state["lead"]
    now, start = timezone.now(), date(2024, 1, 1)
    first = Application.objects.count()
    applications = Application.objects.bulk_create(
        Application(
            call=call,
            applicant=lead,
            title=f"Project {first + i}",
            abstract="Ageing.",
            duration_months=60,
            status=Application.Status.DECIDED,
            reference=f"PRI-BULK-{first + i:05d}",
            submitted_at=now,
            requested_amount=Decimal("60000"),
            eligible=True,
        )
        for i in range(n)
    )
    decisions = Decision.objects.bulk_create(
        Decision(application=a, outcome=Decision.Outcome.FUNDED, amount=Decimal("60000"), released_at=now)
        for a in applications
    )
    projects = Project.objects.bulk_create(
        Project(
            decision=d,
            application=a,
            reference=a.reference,
            title=a.title,
            call=call,
            instrument=call.instrument,
            lead=lead,
            awarded=Decimal("60000"),
            decided_on=start,
            start_date=start,
            duration_months=60,
            end_date=start + timedelta(days=1826),
        )
        for a, d in zip(applications, decisions, strict=True)
    )
    ProjectPartner.objects.bulk_create(
        ProjectPartner(
            project=p, institution=f"Institute {k}", city="Tokyo", country=country, team_leader="X", email="x@y.example"
        )
        for p in projects
        for k, country in enumerate(("JP", "KR"))
    )


def _sites(n, state):
    first = Site.objects.count()
    Site.objects.bulk_create(
        Site(
            name_fr=f"Site {first + i}",
            name_en=f"Site {first + i}",
            kind=Site.Kind.PRI_CITY,
            city="Tokyo",
            country="JP",
            latitude=Decimal("35.68"),
            longitude=Decimal("139.69"),
        )
        for i in range(n)
    )


def _figures(n, state):
    if "agreement" not in state:
        # In force every year (no start: it is not in the register itself).
        state["agreement"] = InstitutionalAgreementFactory(starts_on=None)
    first = Cooperation.objects.count()
    Cooperation.objects.bulk_create(
        Cooperation(
            year=1990 + (first + i) % 100,
            unit_code=f"U{first + i}",
            partner_institution="Institute",
            city="Tokyo",
            country="JP",
            kind=Cooperation.Kind.COPUBLICATION,
        )
        for i in range(n)
    )
    years = set(Cooperation.objects.values_list("year", flat=True)) - set(
        YearlyFigures.objects.values_list("year", flat=True)
    )
    YearlyFigures.objects.bulk_create(YearlyFigures(year=y, international_copublications=100) for y in years)


BUILDERS = {
    "/api/v1/calls/": _calls,
    "/api/v1/projects/": _projects,
    "/api/v1/sites/": _sites,
    "/api/v1/figures/": _figures,
}


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_every_endpoint_has_a_query_count_builder():
    assert set(BUILDERS) == set(ENDPOINTS)


@pytest.mark.django_db
@pytest.mark.usefixtures("unthrottled")
@pytest.mark.parametrize("url", ENDPOINTS)
def test_an_endpoint_costs_as_many_queries_with_one_row_as_with_a_thousand(url):
    client, state = Client(), {}
    BUILDERS[url](1, state)
    one, rows_one = _queries(client, url)
    BUILDERS[url](999, state)
    many, rows_many = _queries(client, url)
    assert rows_one == 1 and rows_many > 1
    assert many == one, f"{url}: {one} queries with 1 row, {many} with 1,000"


# Any query string: 200 or 400, never a 500 (404 only past the last page).

KEYS = ("status", "instrument", "country", "year", "kind", "page", "page_size", "format", "ordering", "lang")
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
VALUES = st.one_of(
    TEXT,
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["open", "upcoming", "PRI", "jp", "JP", "joint_unit", "last", "2020", "0", "1e3", "NaN", "1.5"]),
)
QUERIES = st.dictionaries(st.one_of(st.sampled_from(KEYS), TEXT), VALUES, max_size=4)


@override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": UNTHROTTLED})
class AnyQueryString(TestCase):
    @classmethod
    def setUpTestData(cls):
        CallFactory()
        open_pri_call()
        bulk_projects(1)
        site()
        entered_figures()
        cooperation()

    @hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(endpoint=st.sampled_from(ENDPOINTS), query=QUERIES)
    def test_any_query_string_is_answered_200_or_400(self, endpoint, query):
        response = self.client.get(endpoint, query)
        allowed = (200, 400, 404) if "page" in query else (200, 400)
        self.assertIn(response.status_code, allowed, (endpoint, query, response.content[:300]))
        self.assertEqual(response["Content-Type"], "application/json")
        if response.status_code == 400:
            self.assertTrue(set(response.json()) & set(KEYS), response.json())
