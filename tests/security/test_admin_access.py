"""A signed-in researcher who opens /admin/ is told why, in their language, instead of looping."""

import pytest
from django.test import Client

from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title", "words"),
    [("en", "Access refused", "not a staff account"), ("fr", "Accès refusé", "pas un compte du personnel")],
)
def test_a_researcher_opening_admin_gets_a_403_page_that_says_why(language, title, words):
    client = Client(headers={"accept-language": language})
    client.force_login(ResearcherFactory(language=language))
    client.cookies["django_language"] = language
    response = client.get("/admin/", follow=True)
    assert len(response.redirect_chain) == 1  # /admin/ -> /admin/login/, then the answer
    assert response.status_code == 403
    page = response.content.decode()
    assert title in page and words in page


def test_an_anonymous_visitor_opening_admin_is_sent_to_the_portals_login_page():
    response = Client().get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/fr/accounts/login/") or response.redirect_chain[-1][
        0
    ].startswith("/en/accounts/login/")


@pytest.mark.parametrize(("language", "words"), [("en", "Server error"), ("fr", "Erreur du serveur")])
def test_the_server_error_page_is_translated_and_needs_no_request(language, words):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        page = render_to_string("500.html")
    assert words in page and f'lang="{language}"' in page and f'href="/{language}/"' in page
