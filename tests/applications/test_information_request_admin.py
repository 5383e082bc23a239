"""Staff ask for more information from the application's admin page: the form, its consequences
stated, the requests and versions listed; whatever staff type, one request or nothing changed."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import information, services
from applications.admin import InformationRequestForm
from applications.models import Application, InformationRequest
from notifications.models import Notification
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory

from .factories import complete_application

pytestmark = pytest.mark.django_db

MESSAGE = "Please detail the travel budget of year 1."


@pytest.fixture
def submitted():
    application = complete_application(title="Neurons abroad")
    return services.submit_application(application, application.applicant)


def ask_url(application):
    return reverse("admin:applications_application_request_information", args=[application.pk])


def change_url(application):
    return reverse("admin:applications_application_change", args=[application.pk])


def in_days(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_the_change_page_offers_to_ask_and_lists_the_versions(client, staff, submitted):
    client.force_login(staff)
    page = client.get(change_url(submitted)).content.decode()
    assert ask_url(submitted) in page
    assert reverse("applications:version", args=[submitted.pk, 1]) in page


def test_staff_ask_from_admin_and_the_request_is_listed(client, staff, submitted):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    form = client.get(ask_url(submitted)).content.decode()
    assert 'name="sections"' in form and 'value="declarations"' in form
    assert "more information requested" in form
    response = client.post(ask_url(submitted), {"message": MESSAGE, "sections": ["budget"], "deadline": in_days(7)})
    assert response.status_code == 302
    assert response["Location"] == change_url(submitted)
    request = InformationRequest.objects.get(application=submitted)
    assert request.deadline == information.end_of_day(timezone.localdate() + dt.timedelta(days=7))
    assert Application.objects.get(pk=submitted.pk).is_more_info
    page = client.get(change_url(submitted)).content.decode()
    assert MESSAGE in page
    assert ask_url(submitted) not in page  # one open request at a time


def test_a_past_day_is_refused_beside_its_field(client, staff, submitted):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    response = client.post(ask_url(submitted), {"message": MESSAGE, "sections": ["budget"], "deadline": in_days(-1)})
    assert response.status_code == 200
    assert response.context["form"].errors["deadline"] == ["The deadline must be in the future."]
    assert not InformationRequest.objects.exists()


def test_a_draft_shows_why_and_no_form(client, staff):
    draft = complete_application()
    client.force_login(staff)
    response = client.get(ask_url(draft))
    assert response.status_code == 200
    assert response.context["problems"]
    assert 'name="message"' not in response.content.decode()


def test_staff_without_the_permission_get_403(client, submitted):
    clerk = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(clerk)
    assert ask_url(submitted) not in client.get(change_url(submitted)).content.decode()
    assert client.get(ask_url(submitted)).status_code == 403
    response = client.post(ask_url(submitted), {"message": MESSAGE, "sections": ["budget"], "deadline": in_days(7)})
    assert response.status_code == 403
    assert not InformationRequest.objects.exists()


@pytest.mark.parametrize("role", ["researcher", "reviewer"])
def test_a_researcher_or_a_reviewer_is_sent_to_log_in(client, submitted, role):
    client.force_login(ResearcherFactory() if role == "researcher" else ReviewerFactory())
    response = client.post(ask_url(submitted), {"message": MESSAGE, "sections": ["budget"], "deadline": in_days(7)})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not InformationRequest.objects.exists()


# --- Whatever staff type -------------------------------------------------------------------------

typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "   ", "\x00", "a\x00b", "<script>alert(1)</script>", "\r\n\t"]),
    st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=3), st.integers(1000, 3000)),
)
days = st.one_of(
    st.integers(-400, 400).map(in_days),
    st.sampled_from(["", "0001-01-01", "9999-12-31", "2027-02-30", "tomorrow", "31/12/2027"]),
    st.text(max_size=12),
)
sections = st.lists(
    st.one_of(st.sampled_from(["general", "partners", "budget", "declarations", "attachments"]), st.text(max_size=8)),
    max_size=6,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(message=typed, chosen=sections, day=days)
def test_the_form_and_the_service_ask_exactly_what_they_accept_or_nothing(submitted, staff, message, chosen, day):
    def check():
        form = InformationRequestForm({"message": message, "sections": chosen, "deadline": day}, application=submitted)
        if not form.is_valid():
            assert Application.objects.get(pk=submitted.pk).status == Application.Status.SUBMITTED
            return
        data = form.cleaned_data
        try:
            information.request_information(submitted, staff, data["message"], data["sections"], data["deadline"])
        except Exception as refusal:
            from django.core.exceptions import ValidationError

            assert isinstance(refusal, ValidationError)
            assert set(refusal.message_dict) <= {"message", "sections", "deadline", "__all__"}
            assert Application.objects.get(pk=submitted.pk).status == Application.Status.SUBMITTED
            assert not InformationRequest.objects.exists()
            assert not Notification.objects.filter(kind="application.info_requested").exists()
            return
        request = InformationRequest.objects.get()
        assert request.message == data["message"].strip() != ""
        assert set(request.sections) == set(chosen) and request.deadline > timezone.now()
        assert Application.objects.get(pk=submitted.pk).is_more_info
        assert Notification.objects.filter(kind="application.info_requested").count() == 1

    with transaction.atomic():
        check()
        transaction.set_rollback(True)
    submitted.refresh_from_db()
