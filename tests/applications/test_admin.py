"""Staff follow submissions in Django admin."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from applications import services

from .factories import PartnerFactory, complete_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted():
    application = complete_application()
    return services.submit_application(application, application.applicant)


@pytest.mark.parametrize(
    "query",
    ["", "?status__exact=submitted", "?eligible__exact=1", "?partner_country=JP", "?call__id__exact=1"],
)
def test_staff_filter_the_applications(client, staff, submitted, query):
    client.force_login(staff)
    response = client.get(reverse("admin:applications_application_changelist") + query)
    assert response.status_code == 200


def test_partner_country_filter_keeps_only_applications_with_a_partner_there(client, staff, submitted):
    other = complete_application()
    other.partners.all().delete()
    PartnerFactory(application=other, country="BR")
    client.force_login(staff)
    response = client.get(reverse("admin:applications_application_changelist") + "?partner_country=BR")
    assert list(response.context["cl"].result_list) == [other]


def test_staff_read_the_frozen_eligibility_report(client, staff, submitted):
    client.force_login(staff)
    response = client.get(f"/admin/applications/application/{submitted.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "tremplin.applicant_not_eligible" not in body  # people's words, never internal codes
    assert "Respectée" in body  # the outcome in words
    tremplin = next(e for e in submitted.eligibility_report if e["code"] == "tremplin.applicant_not_eligible")
    assert escape(tremplin["message_fr"]) in body  # the admin speaks French by default
    assert 'name="title"' not in body  # read-only: no input


def test_a_researcher_cannot_open_the_admin(client, researcher):
    client.force_login(researcher)
    response = client.get(reverse("admin:applications_application_changelist"))
    assert response.status_code == 302


@pytest.mark.parametrize("applications", [1, 30])
def test_applications_changelist_costs_the_same_queries_with_1_and_30_applications(
    client, staff, applications, django_assert_num_queries
):
    for _ in range(applications):
        application = complete_application()
        services.submit_application(application, application.applicant)
    client.force_login(staff)
    changelist = reverse("admin:applications_application_changelist")
    client.get(changelist)
    with django_assert_num_queries(CHANGELIST_QUERIES):
        response = client.get(changelist)
    assert len(response.context["cl"].result_list) == applications


# session, user, the call and instrument filters' choices, the count, the page of applications,
# the date drill-down's bounds (its years come from them; the partner countries from the cache)
CHANGELIST_QUERIES = 7


def test_the_events_of_an_application_read_as_words_in_admin(client, staff, submitted):
    from applications.services import change_status

    change_status(submitted, "in_review", staff)
    client.force_login(staff)
    body = client.get(f"/admin/applications/application/{submitted.pk}/change/").content.decode()
    assert "status:in_review" not in body and "in_review" not in body
    assert "Statut — Déposée → En évaluation" in body
