"""Every researcher page renders in French and English, with its heading."""

import pytest

from applications import services

from .factories import complete_application
from .helpers import page_url, step_url

pytestmark = pytest.mark.django_db

STEPS = ("general", "partners", "budget", "declarations", "attachments")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_of_a_draft_renders(client, language):
    application = complete_application()
    client.force_login(application.applicant)
    urls = [step_url(application, step, language) for step in STEPS] + [
        page_url("detail", application.pk, language=language),
        page_url("dashboard", language=language),
        page_url("start", application.call.pk, language=language),
        f"/{language}/profile/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1" in response.content
        assert b' style="' not in response.content  # CSP-ready: no inline style


def test_a_submitted_application_shows_its_frozen_report_in_the_page_language(client):
    application = complete_application()
    services.submit_application(application, application.applicant)
    application.refresh_from_db()
    entry = next(e for e in application.eligibility_report if e["code"] == "amount.over_ceiling")
    client.force_login(application.applicant)
    english = client.get(page_url("detail", application.pk, language="en")).content.decode()
    french = client.get(page_url("detail", application.pk, language="fr")).content.decode()
    assert "Eligibility at submission" in english
    assert "8,000 EUR requested" in english
    assert entry["message_fr"].split(" EUR")[0] in french
    assert "Submit the application" not in english  # read only
