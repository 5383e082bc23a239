"""The pages of a request for more information: the lead's banner and resubmission, a closed
step refused, the frozen copies listed and shown (constant queries), in French and English."""

import datetime as dt

import pytest
from django.utils import timezone

from applications import information, services
from applications.models import Application, SubmittedVersion
from tests.factories import ResearcherFactory

from .factories import complete_application
from .helpers import GENERAL, budget_row, formset_data, page_url, step_url

pytestmark = pytest.mark.django_db

MESSAGE = "Please detail the travel budget of year 1."


@pytest.fixture
def asked(staff):
    application = complete_application(title="Neurons abroad")
    services.submit_application(application, application.applicant)
    deadline = timezone.now() + dt.timedelta(days=10)
    information.request_information(application, staff, MESSAGE, ["budget"], deadline)
    application.refresh_from_db()
    return application


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_lead_sees_the_request_with_the_open_sections_and_a_resubmit_button(client, asked, language):
    client.force_login(asked.applicant)
    page = client.get(page_url("detail", asked.pk, language=language)).content.decode()
    assert MESSAGE in page
    assert step_url(asked, "budget", language) in page
    assert page_url("resubmit", asked.pk, language=language) in page
    assert page_url("submit", asked.pk, language=language) not in page
    if language == "en":
        assert "More information requested by" in page
        assert "Resubmit the application" in page


def test_a_closed_step_cannot_be_posted(client, asked):
    client.force_login(asked.applicant)
    response = client.post(step_url(asked, "general"), {**GENERAL, "title": "Changed"})
    assert response.status_code == 302
    assert response.url == page_url("detail", asked.pk)
    asked.refresh_from_db()
    assert asked.title == "Neurons abroad"
    assert client.get(step_url(asked, "general")).status_code == 302


def test_the_open_step_saves_and_the_lead_resubmits(client, asked):
    client.force_login(asked.applicant)
    line = asked.budget_lines.get()
    data = formset_data("budget", [budget_row("9000.00", id=str(line.pk))], initial=1)
    response = client.post(step_url(asked, "budget"), data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert str(line.amount) == "9000.00"
    response = client.post(page_url("resubmit", asked.pk))
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Application.Status.SUBMITTED
    assert SubmittedVersion.objects.filter(application=asked).count() == 2


def test_the_autosave_of_a_closed_step_is_refused(client, asked):
    client.force_login(asked.applicant)
    response = client.post(page_url("autosave", asked.pk), {"autosave_step": "general", "title": "Changed"})
    assert response.status_code == 409
    asked.refresh_from_db()
    assert asked.title == "Neurons abroad"


def test_another_researcher_may_not_resubmit(client, asked):
    client.force_login(ResearcherFactory())
    assert client.post(page_url("resubmit", asked.pk)).status_code == 404
    asked.refresh_from_db()
    assert asked.is_more_info


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_versions_are_listed_and_each_shown_with_what_changed(client, asked, language):
    line = asked.budget_lines.get()
    line.amount = "9000.00"
    line.save()
    information.resubmit(asked, asked.applicant)
    client.force_login(asked.applicant)
    listing = client.get(page_url("versions", asked.pk, language=language))
    assert listing.status_code == 200
    assert page_url("version", asked.pk, 2, language=language) in listing.content.decode()
    second = client.get(page_url("version", asked.pk, 2, language=language)).content.decode()
    first = client.get(page_url("version", asked.pk, 1, language=language)).content.decode()
    assert "9" in second and MESSAGE in second
    assert "Neurons abroad" in first
    if language == "en":
        assert "changed" in second
        assert "changed" not in first.split("<h1")[1]
    assert client.get(page_url("version", asked.pk, 3, language=language)).status_code == 404


def test_the_versions_page_costs_the_same_queries_whatever_the_versions(
    client, asked, staff, django_assert_max_num_queries
):
    client.force_login(asked.applicant)
    url = page_url("versions", asked.pk)
    with django_assert_max_num_queries(50) as one:
        client.get(url)
    for _round in range(3):
        information.resubmit(asked, asked.applicant)
        deadline = timezone.now() + dt.timedelta(days=10)
        information.request_information(asked, staff, MESSAGE, ["general"], deadline)
    assert SubmittedVersion.objects.filter(application=asked).count() == 4
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/versions/") >= 4


def test_save_and_continue_goes_to_the_next_open_section_or_the_application(client, asked):
    client.force_login(asked.applicant)
    line = asked.budget_lines.get()
    data = formset_data("budget", [budget_row("8500.00", id=str(line.pk))], initial=1)
    response = client.post(step_url(asked, "budget"), data)
    assert response.status_code == 302
    assert response.url == page_url("detail", asked.pk)
