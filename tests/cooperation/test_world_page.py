"""The public page "Inserm in the world" (/fr/international/, /en/international/): the source's
2020 figures, the map with every site of the source page, a country's lists, the filters, bad
filter values, and a query count that does not grow with the register."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cooperation import demo
from cooperation.models import Cooperation, Site
from tests.factories import InstrumentFactory
from tests.projects.factories import bulk_projects

pytestmark = pytest.mark.django_db

URL = {"fr": "/fr/international/", "en": "/en/international/"}


def flat(html):
    """The page's text as read: tags dropped, every kind of space (narrow no-break included) one."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


class Page(HTMLParser):
    """What a test reads off the page: the map's countries, links and marker titles, the ids, the
    rows of each table."""

    def __init__(self, html):
        super().__init__()
        self.countries, self.links, self.markers, self.ids = 0, {}, [], set()
        self.tables, self._table, self._in_title, self._marker, self._text = {}, None, False, False, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        classes = (attrs.get("class") or "").split()
        if tag == "path" and "country" in classes:
            self.countries += 1
        if tag == "a" and attrs.get("aria-label") and "country=" in (attrs.get("href") or ""):
            self.links[attrs["aria-label"]] = attrs["href"]
        if tag == "path" and "site" in classes and attrs.get("aria-label"):
            self._marker = True
        if tag == "title" and self._marker:
            self._in_title = True
        if tag == "table":
            self._table = attrs.get("id") or f"table-{len(self.tables)}"
            self.tables[self._table] = []
        if tag == "tr" and self._table:
            self._text = []

    def handle_endtag(self, tag):
        if tag == "title" and self._in_title:
            self._in_title = self._marker = False
        if tag == "tr" and self._table:
            self.tables[self._table].append(re.sub(r"\s+", " ", "".join(self._text)).strip())
        if tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._in_title:
            self.markers.append(data)
        if self._table:
            self._text.append(data)


@pytest.fixture
def demo_register(db):
    demo.load()


def get(language="fr", **params):
    return Client().get(URL[language], params)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fr",
            [
                "Chiffres clés 2020",
                "6 580 collaborations déclarées, avec 102 pays",
                "24 accords de coopération en vigueur",
                "8 880 copublications internationales, soit 52 % des publications de l'Inserm",
                "5 502 copublications avec l'Union européenne, soit 32 % des publications de l'Inserm",
            ],
        ),
        (
            "en",
            [
                "Key figures for 2020",
                "6,580 declared cooperations, with 102 countries",
                "24 cooperation agreements in force",
                "8,880 international co-publications, 52% of Inserm's publications",
                "5,502 co-publications with the European Union, 32% of Inserm's publications",
            ],
        ),
    ],
)
def test_the_page_shows_the_source_2020_figures_with_the_year_and_the_source(demo_register, language, expected):
    response = get(language)
    assert response.status_code == 200
    text = flat(response.content.decode())
    for sentence in expected:
        assert sentence in text
    assert "« L'Inserm à l'international », chiffres 2020" in text
    assert "computed from the register" not in text and "calculé à partir du registre" not in text


def test_the_default_year_is_the_latest_with_figures(demo_register):
    Cooperation.objects.create(
        year=2021, unit_code="U1", partner_institution="Later", city="Oslo", country="NO", kind="mobility"
    )
    text = flat(get("en").content.decode())
    assert "Key figures for 2020" in text
    # A year without entered figures says they are computed from the register.
    text = flat(get("en", year=2021).content.decode())
    assert "Figures for 2021 computed from the register." in text
    assert "declared cooperations, with 1 country (computed from the register)" in text


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_site_of_the_source_page_is_a_marker_and_a_row_of_the_sites_table(demo_register, language):
    page = Page(get(language).content.decode())
    assert len(page.markers) == len(demo.SITES) == Site.objects.count()
    rows = " | ".join(page.tables["sites-table"])
    for _kind, name_fr, name_en, _network, city, _country, _lat, _lon in demo.SITES:
        name = name_fr if language == "fr" else name_en
        assert any(title.startswith(f"{name} — {city},") for title in page.markers), name
        assert name in rows and city in rows


def test_the_map_draws_the_countries_and_links_those_with_cooperations_or_sites(demo_register):
    japan = Cooperation.objects.filter(year=2020, country="JP").count()
    page = Page(get("en").content.decode())
    assert page.countries > 170
    assert page.links[f"Japan: {japan} cooperations, 1 site"] == "?year=2020&country=JP#country"
    # Egypt has a site (Cairo) but no cooperation; Norway neither: not a link.
    assert "Egypt: 0 cooperations, 1 site" in page.links
    assert not any(label.startswith("Norway") for label in page.links)
    # The same data as a table, the most cooperations first.
    rows = page.tables["world-table"][1:]
    assert rows[0].startswith("United States")
    assert f"Japan {japan} 1" in rows


def test_the_map_stays_small():
    from cooperation import world_map

    shapes = world_map.country_shapes()
    assert sum(len(shape.d) for shape in shapes) < 100_000
    assert {"JP", "FR", "US", "RU", "FJ"} <= {shape.alpha2 for shape in shapes}
    # Drawn but without a code, so never linked.
    assert {"Kosovo", "N. Cyprus", "Somaliland"} <= {shape.name for shape in shapes if not shape.alpha2}


def test_a_country_link_lists_its_cooperations_sites_and_funded_projects_without_any_person(demo_register):
    (project,) = bulk_projects(1, instrument="PRI", country="JP", titles=["Ageing immune cells"])
    lead = project.lead
    lead.first_name, lead.last_name, lead.email = "Zéphyrine", "Quarteroni", "z.quarteroni@inserm.example"
    lead.save()
    page_html = get("en", country="JP").content.decode()
    section = flat(page_html.split('id="country"', 1)[1].split('id="table-title"', 1)[0])
    assert "Japan in 2020" in section
    assert "University of Tokyo" in section and "Kyoto University" in section
    assert "Harvard Medical School" not in section  # another country's partner
    assert "PRI Tokyo — Tokyo" in section
    assert "Ageing immune cells" in section and "60,000" in section
    for personal in ("Dr Sato", "sato@u-tokyo.example", "Zéphyrine", "Quarteroni"):
        assert personal not in page_html


def test_a_country_without_anything_declared_says_so(demo_register):
    response = get("en", country="no")
    assert response.status_code == 200
    text = flat(response.content.decode())
    assert "No cooperation declared with Norway in 2020." in text
    assert "No Inserm site in Norway." in text


def test_a_country_lists_its_cooperations_fifty_a_page(db):
    Cooperation.objects.bulk_create(
        Cooperation(
            year=2020,
            unit_code=f"U{i:04d}",
            partner_institution="Kyoto University",
            city="Kyoto",
            country="JP",
            kind="cohort",
        )
        for i in range(51)
    )
    first = Page(get("en", year=2020, country="JP").content.decode())
    assert len(first.tables["table-0"]) == 1 + 50
    second = get("en", year=2020, country="JP", page=2).content.decode()
    assert len(Page(second).tables["table-0"]) == 1 + 1
    assert "Page 2 of 2" in flat(second)
    assert 'href="?year=2020&amp;country=JP&amp;page=1#country"' in second


def test_the_filters_narrow_the_map_and_the_lists(demo_register):
    everything = Page(get("en").content.decode())
    offices = Page(get("en", type="office").content.decode())
    assert len(offices.markers) == 2 < len(everything.markers)
    assert {title.split(" — ")[0] for title in offices.markers} == {"Washington office", "Brussels office"}
    # The instrument: only the cooperations linked to a funded project of that instrument.
    (pri,) = bulk_projects(1, instrument="PRI", country="JP", titles=["A PRI in Japan"])
    Cooperation.objects.create(
        year=2020,
        unit_code="U9999",
        partner_institution="RIKEN",
        city="Wako",
        country="JP",
        kind="joint_project",
        project=pri,
    )
    page = Page(get("en", instrument="PRI").content.decode())
    assert page.links["Japan: 1 cooperation, 1 site"] == "?year=2020&instrument=PRI&country=JP#country"
    # The other countries are still there for their sites, with no cooperation.
    assert [row.split()[0] for row in page.tables["world-table"][1:] if row.split()[-2] != "0"] == ["Japan"]
    section = get("en", instrument="PRI", country="JP").content.decode().split('id="country"', 1)[1]
    assert "RIKEN" in section and "Kyoto University" not in section.split('id="table-title"')[0]
    # Another year: its own register.
    Cooperation.objects.create(
        year=2019, unit_code="U1", partner_institution="Karolinska", city="Stockholm", country="SE", kind="cohort"
    )
    page = Page(get("en", year=2019).content.decode())
    assert "Sweden: 1 cooperation, 0 sites" in page.links
    assert "United States of America: 99 cooperations, 10 sites" not in page.links


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": "abc"}, "The year must be a number, such as 2020."),
        ({"year": "3000"}, "The year cannot be after this year."),
        ({"country": "ZZ"}, "“ZZ” is not a country code (two letters, such as JP for Japan)."),
        ({"country": "<script>"}, "is not a country code"),
        ({"type": "nope"}, "“nope” is not a type of site."),
        ({"instrument": "nope"}, "“nope” is not an instrument."),
    ],
)
def test_a_bad_filter_value_is_named_and_the_page_still_shows(demo_register, params, message):
    response = get("en", **params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in flat(html)
    assert "<script>" not in html.split("<main", 1)[1]
    # The rest of the page as without the bad value: the 2020 figures and the whole map.
    assert "6,580 declared cooperations" in flat(html)
    assert Page(html).countries > 170


def test_a_bad_page_number_shows_the_first_page(demo_register):
    response = get("en", country="US", page="abc")
    assert response.status_code == 200
    assert "Page 1 of" in flat(response.content.decode())


def _register_of(n):
    Cooperation.objects.bulk_create(
        Cooperation(
            year=2020,
            unit_code=f"U{i:05d}",
            partner_institution=f"Institution {i}",
            city="City",
            country=("JP", "US", "DE", "BR", "SN")[i % 5],
            kind="cohort",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("params", [{}, {"country": "JP"}, {"country": "JP", "instrument": "PRI", "type": "pri_city"}])
def test_the_query_count_does_not_grow_with_the_register(db, params):
    demo.load()
    InstrumentFactory(code="PRI")
    Cooperation.objects.all().delete()
    counts = []
    for n in (1, 1000):
        Cooperation.objects.all().delete()
        _register_of(n)
        with CaptureQueriesContext(connection) as queries:
            response = get("en", **params)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
