"""The application page tells the researcher where the application stands after submission."""

import pytest

from applications.models import Application
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_decided_application_links_to_its_decision(client):
    application = ApplicationFactory(status=Application.Status.DECIDED, reference="TREMPLIN-2026-0007")
    client.force_login(application.applicant)
    body = client.get(f"/en/applications/{application.pk}/").content.decode()
    assert f'href="/en/reviews/decisions/{application.pk}/"' in body


def test_application_in_review_says_so_without_a_decision_link(client):
    application = ApplicationFactory(status=Application.Status.IN_REVIEW, reference="TREMPLIN-2026-0008")
    client.force_login(application.applicant)
    body = client.get(f"/en/applications/{application.pk}/").content.decode()
    assert "TREMPLIN-2026-0008 is being reviewed" in body
    assert "/reviews/decisions/" not in body
