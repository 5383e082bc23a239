"""Sign-up and password reset tell nobody whether an address has an account: the page answers the
same (status, redirect, text) after the same work (no query at all, one password hash for a
sign-up, one task queued) whatever the address. The Celery task looks the address up, and an
address gets at most one e-mail per purpose in ten minutes, whether or not it has an account."""

import re

import pytest
from django.contrib.auth import hashers

from accounts import services
from accounts.models import User
from accounts.services import SignupOutcome
from notifications.models import Notification
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Wide-open-fields-42"
ACTIVE = "active@inserm.fr"
UNVERIFIED = "unverified@inserm.fr"
UNKNOWN = "nobody@inserm.fr"
ADDRESSES = [ACTIVE, UNVERIFIED, UNKNOWN]
SIGNUP = "/en/accounts/signup/"
RESET = "/en/accounts/password-reset/"


@pytest.fixture
def accounts(db):
    ResearcherFactory(email=ACTIVE, first_name="Alice")
    ResearcherFactory(email=UNVERIFIED, first_name="Ursula", is_active=False)


def signup_data(email):
    return {
        "email": email,
        "first_name": "Jeanne",
        "last_name": "Martin",
        "language": "en",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


@pytest.fixture
def hashed(monkeypatch):
    """The passwords the sign-up page hashed (the slow part of the request)."""
    passwords = []

    def make_password(password, *args, **kwargs):
        passwords.append(password)
        return hashers.make_password(password, *args, **kwargs)

    monkeypatch.setattr(services, "make_password", make_password)
    return passwords


def seen(client, response):
    """All a visitor sees of a POST: its status, where it leads and that page's text (the CSRF
    token of the page's forms is new on every page, whoever asks)."""
    location = response.get("Location")
    page = client.get(location) if location else response
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page.content.decode())
    return response.status_code, location, text


def test_signup_answers_the_same_for_an_active_an_unverified_and_an_unknown_address(accounts, client, account_tasks):
    answers = {email: seen(client, client.post(SIGNUP, signup_data(email))) for email in ADDRESSES}
    assert answers[ACTIVE] == answers[UNVERIFIED] == answers[UNKNOWN]
    status, location, page = answers[UNKNOWN]
    assert (status, location) == (302, "/en/accounts/signup/sent/")
    assert "Check your e-mail" in page
    assert "already uses this e-mail address" not in page


@pytest.mark.parametrize("email", [ACTIVE, UNVERIFIED, UNKNOWN, ACTIVE.upper()])
def test_the_signup_request_does_the_same_work_whatever_the_address(
    email, accounts, client, account_tasks, hashed, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(0), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(SIGNUP, signup_data(email))
    assert response.status_code == 302
    assert hashed == [PASSWORD]
    assert len(callbacks) == 1
    assert account_tasks.names() == ["accounts.complete_signup"]
    assert not Notification.objects.exists()


def test_the_signup_task_does_what_fits_the_address(accounts, submit):
    before = list(User.objects.order_by("pk").values())
    for email in ADDRESSES:
        submit(SIGNUP, signup_data(email))
    assert list(User.objects.filter(email__in=[ACTIVE, UNVERIFIED]).order_by("pk").values()) == before
    sent = set(Notification.objects.values_list("recipient__email", "kind"))
    assert sent == {
        (ACTIVE, "account.signup_existing"),
        (UNVERIFIED, "account.verification"),
        (UNKNOWN, "account.verification"),
    }


def test_password_reset_answers_the_same_for_an_active_an_unverified_and_an_unknown_address(
    accounts, client, account_tasks
):
    answers = {email: seen(client, client.post(RESET, {"email": email})) for email in ADDRESSES}
    assert answers[ACTIVE] == answers[UNVERIFIED] == answers[UNKNOWN]
    assert answers[UNKNOWN][:2] == (302, "/en/accounts/password-reset/sent/")


@pytest.mark.parametrize("email", [ACTIVE, UNVERIFIED, UNKNOWN, ACTIVE.upper()])
def test_the_password_reset_request_does_the_same_work_whatever_the_address(
    email, accounts, client, account_tasks, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(0), django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(RESET, {"email": email})
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert account_tasks.queued == [("accounts.send_password_reset", (email,), {})]
    assert not Notification.objects.exists()


def test_the_password_reset_task_sends_a_link_to_an_active_account_only(accounts, submit):
    for email in ADDRESSES:
        submit(RESET, {"email": email})
    assert list(Notification.objects.values_list("recipient__email", "kind")) == [(ACTIVE, "account.password_reset")]


def test_five_password_reset_requests_in_a_row_send_one_email(accounts, submit):
    for index in range(5):
        response = submit(RESET, {"email": ACTIVE.upper() if index % 2 else ACTIVE})
        assert (response.status_code, response["Location"]) == (302, "/en/accounts/password-reset/sent/")
    assert Notification.objects.filter(kind="account.password_reset").count() == 1


def test_the_limit_per_address_is_counted_before_the_lookup(accounts):
    """An address without an account is limited the same way as one with: the limit tells nothing."""
    assert services.send_password_reset(UNKNOWN) == 0
    assert services.send_password_reset(ACTIVE) == 1
    assert services.send_password_reset(ACTIVE) == 0
    assert services.complete_signup(email=UNKNOWN, first_name="A", last_name="B", language="en", password_hash="!") == (
        SignupOutcome.CREATED
    )
    assert services.complete_signup(email=UNKNOWN, first_name="A", last_name="B", language="en", password_hash="!") == (
        SignupOutcome.THROTTLED
    )
    assert services.complete_signup(
        email=UNVERIFIED, first_name="A", last_name="B", language="en", password_hash="!"
    ) == (SignupOutcome.LINK_SENT_AGAIN)


def test_five_signups_in_a_row_send_one_email_per_address(accounts, submit):
    for email in [UNKNOWN, ACTIVE] * 5:
        response = submit(SIGNUP, signup_data(email))
        assert response["Location"] == "/en/accounts/signup/sent/"
    assert Notification.objects.filter(recipient__email=UNKNOWN).count() == 1
    assert Notification.objects.filter(recipient__email=ACTIVE).count() == 1
    assert User.objects.filter(email=UNKNOWN).count() == 1
