"""Issue 14: every answer explained — a confirmation before withdrawing, "this call is closed"
instead of a 404, the call page offers your application instead of "Apply" again, call pages and
the list say how much and which documents, the dashboard shows the outcome."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.models import Application
from calls.models import Call
from reviews.models import Decision
from tests.factories import CallFactory, StaffFactory

from .factories import ApplicationFactory, ProfileFactory, complete_application
from .helpers import page_url

pytestmark = pytest.mark.django_db


def test_withdrawing_asks_first_then_says_withdrawn_everywhere(client, english):
    application = complete_application()
    client.force_login(application.applicant)
    detail = client.get(page_url("detail", application.pk)).content.decode()
    assert f'href="/en/applications/{application.pk}/withdraw/"' in detail  # a link, not a one-click button
    page = client.get(page_url("withdraw", application.pk)).content.decode()
    assert "Withdraw this application?" in page and "Yes, withdraw the application" in page
    assert "Completeness: 100%" in page  # the page's layout is whole, not "Completeness: %"
    assert Application.objects.get(pk=application.pk).status == "draft"
    client.post(page_url("withdraw", application.pk))
    page = client.get(page_url("detail", application.pk)).content.decode()
    breadcrumb = page.split('class="breadcrumb"', 1)[1].split("</ol>", 1)[0]
    assert "Withdrawn" in breadcrumb
    assert "This application is withdrawn: it is no longer judged." in page
    assert "Eligibility checklist" not in page


def test_an_apply_link_to_a_closed_call_says_it_is_closed(client, researcher, english):
    call = CallFactory(status=Call.Status.CLOSED, closes_at=timezone.now() - timedelta(days=2))
    client.force_login(researcher)
    response = client.get(page_url("start", call.pk))
    assert response.status_code == 200
    assert "This call closed on" in response.content.decode()
    draft_call = CallFactory(status=Call.Status.DRAFT)
    assert client.get(page_url("start", draft_call.pk)).status_code == 404


def test_the_call_page_offers_the_tremplin_already_started_instead_of_apply(client, english):
    application = ApplicationFactory(applicant=ProfileFactory().user)
    client.force_login(application.applicant)
    page = client.get(f"/en/calls/{application.call_id}/").content.decode()
    assert "Open my application" in page and f"/en/applications/{application.pk}/" in page
    assert "Apply to this call" not in page
    start = client.get(page_url("start", application.call_id)).content.decode()
    assert "You already have an application to this call" in start
    assert "Start my application" not in start


def test_call_pages_list_the_documents_and_the_call_list_shows_amounts(client, english):
    call = CallFactory()
    page = client.get(f"/en/calls/{call.pk}/").content.decode()
    assert "Documents to provide" in page and "The project description (required), as a PDF." in page
    listing = client.get("/en/calls/").content.decode()
    assert "10,000&nbsp;€" in listing


def test_the_dashboard_shows_the_published_outcome(client, english):
    application = complete_application()
    Application.objects.filter(pk=application.pk).update(status="decided", reference="TREMPLIN-2026-0001")
    Decision.objects.create(
        application=application,
        outcome=Decision.Outcome.FUNDED,
        amount=Decimal("9500"),
        decided_by=StaffFactory(),
        released_at=timezone.now(),
    )
    client.force_login(application.applicant)
    page = client.get("/en/applications/").content.decode()
    assert "Funded: 9,500 €" in page


def test_the_dashboard_hides_an_outcome_not_yet_released(client, english):
    application = complete_application()
    Application.objects.filter(pk=application.pk).update(status="in_review")
    Decision.objects.create(
        application=application, outcome=Decision.Outcome.REJECTED, amount=None, decided_by=StaffFactory()
    )
    client.force_login(application.applicant)
    assert "Not funded" not in client.get("/en/applications/").content.decode()


def test_the_dashboard_offers_the_application_already_started_not_apply(client, english):
    application = ApplicationFactory(applicant=ProfileFactory().user)
    client.force_login(application.applicant)
    page = client.get("/en/applications/").content.decode()
    open_calls = page.split("Open calls", 1)[1]
    assert f"/en/applications/{application.pk}/" in open_calls
    assert f"/en/applications/new/{application.call_id}/" not in open_calls
