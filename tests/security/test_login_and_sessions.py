"""Login throttling (django-axes), password validators and session expiry."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import PASSWORD, ResearcherFactory, StaffFactory

LOGIN = "/en/accounts/login/"


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def user(db):
    return ResearcherFactory(email="camille@inserm.example")


def test_five_failed_logins_lock_the_address_out_with_a_clear_page(user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, user.email, "wrong-password")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = attempt(client, user.email, "wrong-password")
    assert response.status_code == 429
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "Try again in 15 minutes." in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_counts_the_email_without_case(user):
    client = Client()
    for index in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.email.upper() if index % 2 else user.email, "wrong-password")
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_another_connection_may_still_log_in_to_a_locked_account(user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.email, "wrong-password", ip="10.0.0.1")
    response = attempt(Client(), user.email, PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302


def test_the_lock_ends_after_the_cool_off_period(user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, user.email, "wrong-password")
    assert attempt(client, user.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_successful_login_resets_the_failure_count(user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, user.email, "wrong-password")
    assert attempt(client, user.email, PASSWORD).status_code == 302
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(other, user.email, "wrong-password")
    assert attempt(other, user.email, PASSWORD).status_code == 302


def test_signup_refuses_a_common_password_with_a_message(db):
    response = Client().post(
        "/en/accounts/signup/",
        {
            "email": "new@inserm.example",
            "first_name": "Ana",
            "last_name": "Lopez",
            "language": "en",
            "password1": "password123",
            "password2": "password123",
        },
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()


SIGNUP = "/en/accounts/signup/"
RESET = "/en/accounts/password-reset/"
TOO_MANY = "Too many sign-up or password reset requests came from your connection. Try again in an hour."


def test_more_than_twenty_signup_or_reset_requests_an_hour_from_one_ip_address_get_a_translated_429(db):
    assert settings.ACCOUNT_REQUESTS_PER_IP_PER_HOUR == 20
    client = Client()
    refused_signup = {"email": "new@inserm.example", "password1": "a", "password2": "b"}
    for index in range(20):
        if index % 2:
            assert client.post(SIGNUP, refused_signup, REMOTE_ADDR="10.0.0.9").status_code == 200
        else:
            assert client.post(RESET, {"email": f"x{index}@inserm.example"}, REMOTE_ADDR="10.0.0.9").status_code == 302

    for url in ("/fr/accounts/password-reset/", "/fr/accounts/signup/"):
        response = client.post(url, {"email": "camille@inserm.example"}, REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 429
        page = response.content.decode()
        assert '<html lang="fr"' in page
        with translation.override("fr"):
            assert gettext(TOO_MANY) in page
    response = client.post(RESET, {"email": "camille@inserm.example"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert TOO_MANY in response.content.decode()
    # The pages themselves stay open to look at.
    assert client.get(SIGNUP, REMOTE_ADDR="10.0.0.9").status_code == 200

    # Another connection is not concerned; this one may ask again an hour later.
    assert Client().post(RESET, {"email": "camille@inserm.example"}, REMOTE_ADDR="10.0.0.10").status_code == 302
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        assert client.post(RESET, {"email": "camille@inserm.example"}, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_a_staff_session_ends_after_an_hour_without_a_request(db):
    client = Client()
    client.force_login(StaffFactory())
    client.get("/en/")
    assert settings.STAFF_SESSION_IDLE_TIMEOUT == 3600
    assert 3540 <= client.session.get_expiry_age() <= 3600


def test_a_staff_session_idle_for_more_than_an_hour_is_over(db):
    client = Client()
    client.force_login(StaffFactory())
    client.get("/en/")
    with time_machine.travel(timezone.now() + timedelta(minutes=61), tick=False):
        response = client.get("/en/applications/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_busy_staff_session_is_pushed_back_and_goes_on(db):
    client = Client()
    client.force_login(StaffFactory())
    client.get("/en/")
    with time_machine.travel(timezone.now() + timedelta(minutes=50), tick=False):
        client.get("/en/")
    with time_machine.travel(timezone.now() + timedelta(minutes=100), tick=False):
        response = client.get("/en/")
        assert 3000 <= client.session.get_expiry_age() <= 3600
    assert response.status_code == 200


def test_a_researcher_session_lasts_a_working_day(user):
    client = Client()
    client.force_login(user)
    client.get("/en/")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 8 * 3600
