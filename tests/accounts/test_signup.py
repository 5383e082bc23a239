"""Sign-up with e-mail verification: the verification link goes through the notifications outbox."""

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.tokens import email_verification_token
from notifications.models import Notification

pytestmark = pytest.mark.django_db

PASSWORD = "Wide-open-fields-42"


def signup_data(**changes):
    return {
        "email": "Jeanne.Martin@Inserm.fr",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "language": "en",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | changes


def verification_link(user):
    notification = Notification.objects.get(recipient=user, kind="account_verification")
    return notification, "/" + notification.language + notification.context["url_path"]


def test_signup_creates_an_inactive_researcher_and_queues_the_verification_email(client):
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_sent")
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    assert user.is_researcher and not user.is_active and not user.is_staff
    assert user.language == "en"
    notification, link = verification_link(user)
    assert notification.language == "en"
    assert link.startswith("/en/accounts/verify/")


def test_inactive_account_cannot_log_in_until_the_link_is_followed(client):
    client.post(reverse("signup"), signup_data())
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    login = {"username": "jeanne.martin@inserm.fr", "password": PASSWORD}
    response = client.post(reverse("login"), login)
    assert not response.context["user"].is_authenticated

    _notification, link = verification_link(user)
    response = client.get(link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "verified" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active

    response = client.post(reverse("login"), login, follow=True)
    assert response.context["user"] == user


def test_verification_link_works_once(client):
    client.post(reverse("signup"), signup_data())
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    _notification, link = verification_link(user)
    client.get(link)
    response = client.get(link, follow=True)
    assert "already verified" in response.content.decode()


def test_altered_verification_link_is_refused_and_activates_nothing(client):
    client.post(reverse("signup"), signup_data())
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    _notification, link = verification_link(user)
    response = client.get(link[:-3] + "zzz/")
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_token_of_another_user_does_not_activate(client):
    client.post(reverse("signup"), signup_data())
    client.post(reverse("signup"), signup_data(email="other@inserm.fr"))
    first = User.objects.get(email="jeanne.martin@inserm.fr")
    other = User.objects.get(email="other@inserm.fr")
    token = email_verification_token.make_token(other)
    _notification, link = verification_link(first)
    uid = link.split("/")[-3]
    client.get(f"/en/accounts/verify/{uid}/{token}/")
    first.refresh_from_db()
    assert not first.is_active


def test_weak_password_comes_back_with_the_validators_messages_and_the_fields_kept(client):
    response = client.post("/en/accounts/signup/", signup_data(password1="password", password2="password"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password is too common." in body
    assert 'value="Jeanne"' in body
    assert not User.objects.filter(email__iexact="jeanne.martin@inserm.fr").exists()


def test_email_already_registered_whatever_its_case_is_refused(client, researcher):
    response = client.post("/en/accounts/signup/", signup_data(email=researcher.email.upper()))
    assert response.status_code == 200
    assert "already uses this e-mail address" in response.content.decode()


def test_signing_up_again_before_verifying_sends_a_new_link_and_keeps_one_account(client):
    client.post(reverse("signup"), signup_data())
    response = client.post(reverse("signup"), signup_data(first_name="Jeanne-Marie", language="fr"))
    assert response.status_code == 302
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    assert user.first_name == "Jeanne-Marie" and not user.is_active
    links = Notification.objects.filter(recipient=user, kind="account_verification").order_by("id")
    assert links.count() == 2
    client.get("/fr" + links.last().context["url_path"])
    user.refresh_from_db()
    assert user.is_active


def test_a_deactivated_account_cannot_be_taken_over_by_signing_up(client, researcher):
    researcher.is_active = False
    researcher.last_login = researcher.date_joined
    researcher.save()
    response = client.post("/en/accounts/signup/", signup_data(email=researcher.email))
    assert response.status_code == 200
    assert "already uses this e-mail address" in response.content.decode()
