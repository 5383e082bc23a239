"""The intranet's feeds of the open calls (issue 19): RSS 2.0 and Atom, French and English, one
item per open call with its title in the feed's language, a link to its page, the instrument, the
deadline in Paris time and the ceiling; valid XML whatever a title holds."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from calls.models import Call, Instrument
from calls.rules.base import Money
from tests.factories import CallFactory, InstrumentFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE_FR = "R&D <script>alert(1)</script> & « cohortes »"
HOSTILE_EN = "R&D <b>bold</b> & cohorts ]]>"


@pytest.fixture
def calls():
    tremplin = CallFactory(title_fr="Tremplins 2026", title_en="Springboards 2026", ceiling=Decimal("10000"))
    hostile = CallFactory(instrument=InstrumentFactory(code="PRI"), title_fr=HOSTILE_FR, title_en=HOSTILE_EN)
    now = timezone.now()
    CallFactory(title_fr="À venir", title_en="Upcoming", opens_at=now + timedelta(days=3))
    CallFactory(title_fr="Brouillon", title_en="Draft", status=Call.Status.DRAFT)
    CallFactory(
        title_fr="Clos",
        title_en="Closed",
        status=Call.Status.CLOSED,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    return [tremplin, hostile]  # by deadline: the first made closes first


def rss_items(language):
    response = Client().get(f"/{language}/international/feed/calls.rss")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)  # valid XML, or this raises
    assert root.tag == "rss" and root.get("version") == "2.0"
    return root.find("channel").findall("item")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_rss_feed_lists_each_open_call_in_the_feed_s_language(calls, language):
    items = rss_items(language)
    assert [item.findtext("title") for item in items] == [getattr(call, f"title_{language}") for call in calls]
    for item, call in zip(items, calls, strict=True):
        assert item.findtext("link") == f"http://testserver/{language}/calls/{call.pk}/"
        with translation.override(language):
            deadline = formats.date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")
            instrument = call.instrument.name
        description = item.findtext("description")
        assert deadline in description
        assert instrument in description


def test_a_description_gives_the_ceiling_as_people_read_it(calls):
    items = rss_items("en")
    with translation.override("en"):
        assert f"{Money(Decimal('10000'))} €" in items[0].findtext("description")  # 10,000 €
        assert "60,000 € (Europe), 75,000 € (outside Europe)" in items[1].findtext("description")


def test_a_deadline_is_given_in_paris_time(calls):
    # 16:00 UTC in January is 17:00 in Paris.
    Call.objects.filter(pk=calls[0].pk).update(closes_at=datetime(2099, 1, 15, 16, 0, tzinfo=UTC))
    item = next(i for i in rss_items("en") if i.findtext("title") == "Springboards 2026")
    assert "Deadline: Jan. 15, 2099, 17:00 (Paris time)" in item.findtext("description")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_atom_feed_lists_the_same_calls(calls, language):
    response = Client().get(f"/{language}/international/feed/calls.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [getattr(c, f"title_{language}") for c in calls]
    assert entries[0].find(f"{ATOM}link").get("href") == f"http://testserver/{language}/calls/{calls[0].pk}/"
    assert all(e.findtext(f"{ATOM}updated") for e in entries)


def test_a_hostile_title_and_instrument_name_are_escaped(calls):
    Instrument.objects.filter(code="PRI").update(name_en="PRI <i>&</i>")
    response = Client().get("/en/international/feed/calls.rss")
    body = response.content.decode()
    assert "<b>bold</b>" not in body and "<script>" not in body and "<i>&</i>" not in body
    item = ET.fromstring(response.content).find("channel").findall("item")[1]
    assert item.findtext("title") == HOSTILE_EN  # the reader gets the title back as written
    # The description is HTML for feed readers: the name is shown as text, never as markup.
    assert "PRI &lt;i&gt;&amp;&lt;/i&gt;" in item.findtext("description")
    fr = ET.fromstring(Client().get("/fr/international/feed/calls.atom").content)
    assert fr.findall(f"{ATOM}entry")[1].findtext(f"{ATOM}title") == HOSTILE_FR


def test_no_open_call_is_an_empty_but_valid_feed():
    assert rss_items("fr") == []


def test_the_list_of_calls_points_feed_readers_to_both_feeds(calls):
    html = Client().get("/fr/calls/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/fr/international/feed/calls.rss"' in html
    assert 'href="/fr/international/feed/calls.atom"' in html
