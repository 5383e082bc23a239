from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_french_home(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


@pytest.mark.parametrize(
    ("path", "lang", "heading", "switch"),
    [
        ("/fr/", "fr", "Appels à projets ouverts", 'href="/en/"'),
        ("/en/", "en", "Open calls for projects", 'href="/fr/"'),
    ],
)
def test_home_speaks_each_language_and_links_to_the_other(client, path, lang, heading, switch):
    response = client.get(path)
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in body
    assert heading in body
    assert switch in body


def test_home_explains_when_no_call_is_open(client):
    CallFactory(status=Call.Status.DRAFT)
    body = client.get("/en/").content.decode()
    assert "No call is open at the moment." in body


def test_home_lists_only_calls_open_on_the_server_clock(client):
    open_call = CallFactory(title_en="Springboards 2026")
    CallFactory(title_en="Future call", opens_at=timezone.now() + timedelta(days=2))
    CallFactory(title_en="Past call", closes_at=timezone.now() - timedelta(seconds=1))
    body = client.get("/en/").content.decode()
    assert open_call.title_en in body
    assert "Future call" not in body
    assert "Past call" not in body


def test_home_query_count_does_not_grow_with_calls(client, django_assert_num_queries):
    CallFactory()
    with django_assert_num_queries(1) as ctx:
        client.get("/en/")
    CallFactory.create_batch(49)
    with django_assert_num_queries(len(ctx.captured_queries)):
        client.get("/en/")


def test_bootstrap_is_served_by_the_portal_not_a_cdn(client):
    body = client.get("/fr/").content.decode()
    assert "/static/bootstrap/css/bootstrap.min.css" in body
    assert "cdn" not in body.lower()
