"""The phone's sticky checklist summary counts the points to fix in proper words: "1 point",
"2 points", never "point(s)"; the script's templates for the live count say the same."""

from decimal import Decimal

import pytest

from tests.e2e.data import draft_over_the_ceiling, open_call

pytestmark = pytest.mark.django_db


def summary(client, application, lang):
    client.force_login(application.applicant)
    body = client.get(f"/{lang}/applications/{application.pk}/edit/budget/").content.decode()
    start = body.index("data-checklist-summary")
    return body[start : body.index("</div>", start)]


def test_one_point_is_singular_in_both_languages(client):
    application = draft_over_the_ceiling(open_call())
    french = summary(client, application, "fr")
    assert "Éligibilité : 1 point à corriger ou compléter" in french
    assert "(s)" not in french
    english = summary(client, application, "en")
    assert "Eligibility: 1 point to fix or fill in" in english
    assert 'data-template-problems="Eligibility: %(count)s points to fix or fill in' in english


def test_several_points_are_plural(client):
    application = draft_over_the_ceiling(open_call(), amount=Decimal("12000"))
    application.partners.all().delete()  # no partner abroad: more rules unmet
    shown = summary(client, application, "fr").rsplit('">', 1)[1]  # the link's text, after its attributes
    assert shown.startswith("Éligibilité : 2 points à corriger ou compléter")
