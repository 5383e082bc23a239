"""The administrative screening (issue 18): after a call closes, staff find each submitted application
admissible (it is routed) or inadmissible with a reason (it leaves the review with a held letter)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import AuditEvent
from applications.models import Application
from notifications.models import Notification
from reviews import notices, routing_adapter, services
from reviews.actions import ReviewAction
from reviews.models import Decision, Screening
from tests.factories import PASSWORD, ResearcherFactory, ReviewerFactory, StaffFactory

from .factories import ClosedCallFactory, assign, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db

INADMISSIBLE = Screening.Outcome.INADMISSIBLE
ADMISSIBLE = Screening.Outcome.ADMISSIBLE


def unscreened(call, **fields):
    return submitted_application(call, screened=False, **fields)


def staff_client(staff):
    client = Client()
    client.login(username=staff.email, password=PASSWORD)
    return client


# --- The service ------------------------------------------------------------------------------------


def test_only_admissible_applications_are_routed(call, staff):
    admitted = unscreened(call)
    refused = unscreened(call)
    waiting = unscreened(call)
    services.screen_application(admitted, staff, ADMISSIBLE)
    services.screen_application(refused, staff, INADMISSIBLE, Screening.Reason.INCOMPLETE)
    assert [a.pk for a in routing_adapter.applications_to_route(call)] == [admitted.pk]
    assert waiting.pk not in [a.pk for a in routing_adapter.applications_to_route(call)]


def test_an_inadmissible_application_gets_a_held_letter_in_its_applicant_s_language_with_the_reason(call, staff):
    application = unscreened(call)
    application.applicant.language = "fr"
    application.applicant.save(update_fields=["language"])
    services.screen_application(
        application, staff, INADMISSIBLE, Screening.Reason.SIGNATURES, "  La lettre du partenaire manque.  "
    )
    screening = Screening.objects.get(application=application)
    assert screening.details == "La lettre du partenaire manque."
    decision = Decision.objects.get(application=application)
    assert decision.outcome == Decision.Outcome.INADMISSIBLE and decision.amount is None
    letter = Notification.objects.get(kind=notices.DECISION, recipient=application.applicant)
    assert letter.status == Notification.Status.HELD
    assert letter.context["outcome"] == "inadmissible"
    assert letter.context["reason_fr"] == "Une signature ou une lettre de soutien manque"
    assert letter.context["details"] == "La lettre du partenaire manque."
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED  # decided when the letters are released
    event = AuditEvent.objects.get(action=ReviewAction.SCREENED)
    assert event.actor == staff and event.changes["outcome"] == "inadmissible"


def test_releasing_the_letters_decides_the_inadmissible_application_and_its_applicant_reads_why(call, staff):
    application = unscreened(call)
    services.screen_application(application, staff, INADMISSIBLE, Screening.Reason.OTHER, "Project already funded.")
    assert services.release_decisions(call, staff) == 1
    application.refresh_from_db()
    assert application.status == Application.Status.DECIDED
    client = Client()
    client.login(username=application.applicant.email, password=PASSWORD)
    page = client.get(f"/en/reviews/decisions/{application.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Inadmissible" in text and "Another reason" in text and "Project already funded." in text
    assert "administrative screening" in text
    with pytest.raises(services.ReviewError, match="decided"):
        services.screen_application(application, staff, ADMISSIBLE)


def test_staff_may_change_their_mind_until_the_letters_go(call, staff):
    application = unscreened(call)
    services.screen_application(application, staff, INADMISSIBLE, Screening.Reason.INCOMPLETE)
    services.screen_application(application, staff, INADMISSIBLE, Screening.Reason.NOT_ELIGIBLE)
    letters = Notification.objects.filter(kind=notices.DECISION, recipient=application.applicant)
    assert letters.filter(status=Notification.Status.HELD).count() == 1
    assert letters.get(status=Notification.Status.HELD).context["reason_en"] == (
        "The programme's eligibility rules are not met"
    )
    services.screen_application(application, staff, ADMISSIBLE)
    assert not Decision.objects.filter(application=application).exists()
    assert not letters.filter(status=Notification.Status.HELD).exists()
    assert [a.pk for a in routing_adapter.applications_to_route(call)] == [application.pk]


@translation.override("en")
@pytest.mark.parametrize(
    ("outcome", "reason", "details", "message"),
    [
        ("maybe", "", "", "admissible or inadmissible"),
        (INADMISSIBLE, "", "", "Choose the reason"),
        (INADMISSIBLE, "because", "", "Choose the reason"),
        (INADMISSIBLE, Screening.Reason.OTHER, "   ", "other reason is"),
        (INADMISSIBLE, Screening.Reason.INCOMPLETE, "x" * 2001, "2000"),
        (INADMISSIBLE, Screening.Reason.INCOMPLETE, "nul\x00", "Null characters"),
    ],
)
def test_the_service_judges_what_it_is_given_and_changes_nothing_on_refusal(
    call, staff, outcome, reason, details, message
):
    application = unscreened(call)
    with pytest.raises(services.ReviewError) as refusal:
        services.screen_application(application, staff, outcome, reason, details)
    assert message in str(refusal.value)
    assert not Screening.objects.exists() and not Decision.objects.exists()
    assert not Notification.objects.filter(kind=notices.DECISION).exists()


@translation.override("en")
def test_an_application_is_screened_only_once_its_call_has_closed():
    staff = StaffFactory()
    call = ClosedCallFactory(status="open", closes_at=timezone.now() + timedelta(days=3))
    application = unscreened(call)
    with pytest.raises(services.ReviewError, match="screened once it has closed"):
        services.screen_application(application, staff, ADMISSIBLE)


@translation.override("en")
def test_an_application_already_with_its_reviewers_is_not_screened_again(call, staff):
    application = submitted_application(call)
    assign(application, pool_reviewer(call))
    with pytest.raises(services.ReviewError, match="already with its reviewers"):
        services.screen_application(application, staff, INADMISSIBLE, Screening.Reason.INCOMPLETE)


@translation.override("en")
def test_only_staff_with_the_permission_screen(call):
    application = unscreened(call)
    for user in (ResearcherFactory(), ReviewerFactory(), application.applicant):
        with pytest.raises(services.ReviewError, match="permission"):
            services.screen_application(application, user, ADMISSIBLE)
    assert not Screening.objects.exists()


# --- The pages --------------------------------------------------------------------------------------


def test_the_call_page_counts_the_screening_and_warns_what_will_not_be_routed(call, staff):
    unscreened(call)
    submitted_application(call)
    page = staff_client(staff).get(f"/en/reviews/staff/calls/{call.pk}/")
    text = page.content.decode()
    assert "To screen: 1 · admissible: 1 · inadmissible: 0" in text
    assert "1 application is not screened yet: it will not be routed" in text


def test_one_click_makes_an_application_admissible_and_keeps_the_filters(call, staff):
    application = unscreened(call)
    client = staff_client(staff)
    url = f"/en/reviews/staff/calls/{call.pk}/screening/"
    page = client.get(url, {"state": "to_screen"})
    assert application.reference in page.content.decode()
    response = client.post(url, {"application": application.pk, "state": "to_screen", "q": "", "page": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?state=to_screen&page=1"
    assert Screening.objects.get(application=application).outcome == ADMISSIBLE
    after = client.get(response["Location"]).content.decode()
    assert "is admissible: it will be routed" in after
    assert "No application matches these filters." in after


def test_one_click_cannot_reach_an_application_of_another_call(call, staff):
    other = unscreened(ClosedCallFactory())
    response = staff_client(staff).post(f"/en/reviews/staff/calls/{call.pk}/screening/", {"application": other.pk})
    assert response.status_code == 404
    assert not Screening.objects.exists()


def test_the_detail_page_comes_back_filled_with_the_error_and_saves_nothing(call, staff):
    application = unscreened(call)
    url = f"/fr/reviews/staff/applications/{application.pk}/screening/"
    page = staff_client(staff).post(url, {"outcome": INADMISSIBLE, "reason": "", "details": "Il manque la lettre."})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Indiquez le motif pour lequel la candidature est irrecevable." in text
    assert "Il manque la lettre." in text
    assert not Screening.objects.exists()


def test_the_detail_page_records_an_inadmissible_application_and_goes_back_to_the_list(call, staff):
    application = unscreened(call)
    url = f"/en/reviews/staff/applications/{application.pk}/screening/"
    client = staff_client(staff)
    page = client.get(url)
    assert "Every rule of the programme was met" in page.content.decode()
    response = client.post(url, {"outcome": INADMISSIBLE, "reason": Screening.Reason.DUPLICATE, "details": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/en/reviews/staff/calls/{call.pk}/screening/?state=to_screen"
    assert Screening.objects.get(application=application).reason == Screening.Reason.DUPLICATE


def test_the_list_filters_and_searches(call, staff):
    first = unscreened(call)
    second = submitted_application(call)
    client = staff_client(staff)
    url = f"/en/reviews/staff/calls/{call.pk}/screening/"
    admissible = client.get(url, {"state": "admissible"}).content.decode()
    assert second.reference in admissible and first.reference not in admissible
    found = client.get(url, {"q": first.reference}).content.decode()
    assert first.reference in found and second.reference not in found


def test_the_list_costs_the_same_queries_with_one_or_thirty_applications(call, staff):
    client = staff_client(staff)
    url = f"/en/reviews/staff/calls/{call.pk}/screening/"
    unscreened(call)
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(29):
        unscreened(call)
    with CaptureQueriesContext(connection) as thirty:
        page = client.get(url)
    assert page.content.decode().count("<tr data-application=") == 30
    assert len(thirty) == len(one)
