"""The researcher's dashboard: their applications, status, countdown and next step."""

import pytest
from django.urls import reverse

from applications import services
from tests.factories import CallFactory

from .factories import ApplicationFactory, ProfileFactory, complete_application

pytestmark = pytest.mark.django_db


def test_dashboard_lists_only_my_applications_with_status_and_next_step(client):
    mine = complete_application()
    services.submit_application(mine, mine.applicant)
    draft = ApplicationFactory(applicant=mine.applicant, title="My second idea", call=CallFactory(title_en="Next"))
    ApplicationFactory(title="Somebody else's project")
    client.force_login(mine.applicant)
    body = client.get("/en/applications/").content.decode()
    assert "TREMPLIN-2026-0001" in body and "Submitted: wait for the review." in body
    assert draft.title in body and "Add the partner teams." in body
    assert "left" in body  # the deadline countdown
    assert "Somebody else" not in body


def test_dashboard_costs_the_same_queries_with_1_and_50_applications(client, django_assert_num_queries):
    researcher = ProfileFactory().user
    complete_application(applicant=researcher)
    client.force_login(researcher)
    client.get(reverse("applications:dashboard"))  # warm up the session and content types
    with django_assert_num_queries(5) as one:
        client.get(reverse("applications:dashboard"))
    for _ in range(49):
        complete_application(applicant=researcher, call=CallFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("applications:dashboard"))
    assert len(response.context["applications"]) == 50


def test_dashboard_offers_the_open_calls(client):
    call = CallFactory(title_en="Springboards now open")
    researcher = ProfileFactory().user
    client.force_login(researcher)
    body = client.get("/en/applications/").content.decode()
    assert "Springboards now open" in body
    assert reverse("applications:start", args=[call.pk]).removeprefix("/fr") in body
