"""Sign-up with e-mail verification: the page queues a Celery task (accounts.services), which creates
the account and sends the verification link through the notifications outbox. An existing account
is never changed by a sign-up."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from accounts.services import SignupOutcome
from accounts.tokens import email_verification_token
from notifications.models import Notification
from notifications.rendering import render_message

pytestmark = pytest.mark.django_db

PASSWORD = "Wide-open-fields-42"
OTHER_PASSWORD = "Another-strong-pass-77"


def signup_data(**changes):
    return {
        "email": "Jeanne.Martin@Inserm.fr",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "language": "en",
        "password1": PASSWORD,
        "password2": PASSWORD,
    } | changes


def link_of(notification):
    return "/" + notification.language + notification.context["url_path"]


def verification_link(user):
    notification = Notification.objects.get(recipient=user, kind="account.verification")
    return notification, link_of(notification)


def test_signup_creates_an_inactive_researcher_and_queues_the_verification_email(submit):
    response = submit(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("signup_sent")
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    assert user.is_researcher and not user.is_active and not user.is_staff
    assert user.language == "en"
    assert (user.first_name, user.last_name) == ("Jeanne", "Martin")
    notification, link = verification_link(user)
    assert notification.language == "en"
    assert link.startswith("/en/accounts/verify/")


def test_the_account_appears_only_when_the_task_runs_and_the_broker_never_sees_the_password(
    client, account_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert not User.objects.filter(email__iexact="jeanne.martin@inserm.fr").exists()
    assert account_tasks.names() == ["accounts.complete_signup"]
    _name, args, kwargs = account_tasks.queued[0]
    message = json.dumps([args, kwargs])  # what the broker would hold
    assert PASSWORD not in message
    assert "password1" not in kwargs and "password2" not in kwargs

    assert account_tasks.run() == [SignupOutcome.CREATED]
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    assert user.password == kwargs["password_hash"] and user.check_password(PASSWORD)


def test_the_signup_sent_page_says_what_to_do(client, submit):
    response = submit("/en/accounts/signup/", signup_data())
    page = client.get(response["Location"]).content.decode()
    assert "To activate a new account, follow its link within three days, then log in." in page


def test_inactive_account_cannot_log_in_until_the_link_is_followed(client, submit):
    submit(reverse("signup"), signup_data())
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


def test_verification_link_works_once(client, submit):
    submit(reverse("signup"), signup_data())
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    _notification, link = verification_link(user)
    client.get(link)
    response = client.get(link, follow=True)
    assert "already verified" in response.content.decode()


def test_altered_verification_link_is_refused_and_activates_nothing(client, submit):
    submit(reverse("signup"), signup_data())
    user = User.objects.get(email="jeanne.martin@inserm.fr")
    _notification, link = verification_link(user)
    response = client.get(link[:-3] + "zzz/")
    assert response.status_code == 200
    assert "not valid" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active


def test_token_of_another_user_does_not_activate(client, submit):
    submit(reverse("signup"), signup_data())
    submit(reverse("signup"), signup_data(email="other@inserm.fr"))
    first = User.objects.get(email="jeanne.martin@inserm.fr")
    other = User.objects.get(email="other@inserm.fr")
    token = email_verification_token.make_token(other)
    _notification, link = verification_link(first)
    uid = link.split("/")[-3]
    client.get(f"/en/accounts/verify/{uid}/{token}/")
    first.refresh_from_db()
    assert not first.is_active


def test_weak_password_comes_back_with_the_validators_messages_and_the_fields_kept(submit, account_tasks):
    response = submit("/en/accounts/signup/", signup_data(password1="password", password2="password"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password is too common." in body
    assert 'value="Jeanne"' in body
    assert account_tasks.names() == []
    assert not User.objects.filter(email__iexact="jeanne.martin@inserm.fr").exists()


def test_a_second_signup_changes_nothing_in_an_unverified_account_and_mails_its_owner_a_fresh_link(client, submit):
    """The finding: a second sign-up with the address of an unverified account used to replace its
    password and names, so that the owner's first link no longer worked and the new one (mailed to
    the owner, greeting the second visitor's name) activated the second visitor's password."""
    submit(reverse("signup"), signup_data())
    owner = User.objects.get(email="jeanne.martin@inserm.fr")
    first_link = link_of(Notification.objects.get(recipient=owner, kind="account.verification"))
    before = User.objects.values().get(pk=owner.pk)

    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        response = submit(
            reverse("signup"),
            signup_data(
                email="JEANNE.martin@inserm.fr",
                first_name="Mallory",
                last_name="Evil",
                language="fr",
                password1=OTHER_PASSWORD,
                password2=OTHER_PASSWORD,
            ),
        )
    assert response.status_code == 302 and response["Location"] == reverse("signup_sent")

    # The account is as it was: password, names, language.
    assert User.objects.values().get(pk=owner.pk) == before
    assert User.objects.filter(email__iexact=owner.email).count() == 1

    # Its owner gets a fresh link, in their language, greeting them by their own name.
    links = Notification.objects.filter(recipient=owner, kind="account.verification").order_by("id")
    assert links.count() == 2
    fresh = links.last()
    assert fresh.language == "en" and link_of(fresh) != first_link
    message = render_message(fresh)
    assert "Dear Jeanne Martin," in message.text
    assert "Mallory" not in message.text + message.html

    # The first link still works, and the password it activates is the owner's.
    response = client.get(first_link, follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    owner.refresh_from_db()
    assert owner.is_active
    response = client.post(reverse("login"), {"username": owner.email, "password": OTHER_PASSWORD})
    assert not response.context["user"].is_authenticated
    response = client.post(reverse("login"), {"username": owner.email, "password": PASSWORD}, follow=True)
    assert response.context["user"] == owner


def test_the_fresh_link_activates_the_owners_account_unchanged(client, submit):
    submit(reverse("signup"), signup_data())
    owner = User.objects.get(email="jeanne.martin@inserm.fr")
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        submit(reverse("signup"), signup_data(first_name="Mallory", password1=OTHER_PASSWORD, password2=OTHER_PASSWORD))
    fresh = Notification.objects.filter(recipient=owner, kind="account.verification").order_by("id").last()
    client.get(link_of(fresh))
    owner.refresh_from_db()
    assert owner.is_active and owner.check_password(PASSWORD) and owner.first_name == "Jeanne"


def test_signing_up_again_within_ten_minutes_sends_nothing_more_and_answers_the_same(submit):
    first = submit(reverse("signup"), signup_data())
    owner = User.objects.get(email="jeanne.martin@inserm.fr")
    again = submit(reverse("signup"), signup_data())
    assert (again.status_code, again["Location"]) == (first.status_code, first["Location"])
    assert Notification.objects.filter(recipient=owner).count() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        submit(reverse("signup"), signup_data())
    assert Notification.objects.filter(recipient=owner).count() == 2


def test_signup_with_an_active_accounts_address_tells_its_owner_and_changes_nothing(submit, researcher):
    researcher.language = "fr"
    researcher.save()
    before = User.objects.values().get(pk=researcher.pk)
    response = submit("/en/accounts/signup/", signup_data(email=researcher.email.upper()))
    assert response.status_code == 302 and response["Location"] == "/en/accounts/signup/sent/"
    assert User.objects.values().get(pk=researcher.pk) == before
    assert User.objects.filter(email__iexact=researcher.email).count() == 1

    notification = Notification.objects.get(recipient=researcher)
    assert notification.kind == "account.signup_existing"
    assert notification.language == "fr"
    assert notification.context["url_path"] == "/accounts/login/"
    message = render_message(notification)
    assert message.subject == "Tentative d'inscription avec votre adresse"
    assert f"Bonjour {researcher.get_full_name()}," in message.text
    assert "/fr/accounts/login/" in message.text
    assert "Mot de passe oublié ?" in message.text


def test_the_someone_tried_to_sign_up_message_exists_in_english(submit, researcher):
    researcher.language = "en"
    researcher.save()
    submit("/fr/accounts/signup/", signup_data(email=researcher.email))
    message = render_message(Notification.objects.get(recipient=researcher, kind="account.signup_existing"))
    assert message.subject == "Someone tried to sign up with your address"
    assert "tried to create an account" in message.text and "/en/accounts/login/" in message.text
    assert '"Forgotten password?"' in message.text


def test_a_deactivated_account_cannot_be_taken_over_or_reopened_by_signing_up(submit, researcher):
    researcher.is_active = False
    researcher.last_login = researcher.date_joined
    researcher.save()
    before = User.objects.values().get(pk=researcher.pk)
    response = submit("/en/accounts/signup/", signup_data(email=researcher.email))
    assert response.status_code == 302 and response["Location"] == "/en/accounts/signup/sent/"
    assert User.objects.values().get(pk=researcher.pk) == before
    assert not Notification.objects.filter(recipient=researcher).exists()


def test_an_account_created_between_the_lookup_and_the_insert_is_left_as_it_is(researcher, monkeypatch):
    """Two sign-ups for one address at once: the unique index refuses the second insert, and that
    sign-up is handled as one for an existing account."""
    monkeypatch.setattr(services, "find_account", lambda email: None)
    before = User.objects.values().get(pk=researcher.pk)
    outcome = services.complete_signup(
        email=researcher.email, first_name="Late", last_name="Comer", language="en", password_hash="md5$x$y"
    )
    assert outcome == SignupOutcome.ACCOUNT_EXISTS
    assert User.objects.values().get(pk=researcher.pk) == before
    assert Notification.objects.get(recipient=researcher).kind == "account.signup_existing"


def test_the_verification_service_activates_once_and_refuses_anything_else_whoever_calls_it():
    """The view is one caller of accounts.services.verify_email: the service itself decides."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.factories import ResearcherFactory

    user = ResearcherFactory(is_active=False)
    other = ResearcherFactory(is_active=False)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)

    assert services.verify_email(uid, "not-a-token") == services.Verification.INVALID
    assert services.verify_email(urlsafe_base64_encode(force_bytes(other.pk)), token) == services.Verification.INVALID
    assert services.verify_email("%%%", token) == services.Verification.INVALID
    assert not User.objects.get(pk=user.pk).is_active and not User.objects.get(pk=other.pk).is_active

    assert services.verify_email(uid, token) == services.Verification.ACTIVATED
    assert User.objects.get(pk=user.pk).is_active
    assert services.verify_email(uid, token) == services.Verification.ALREADY_ACTIVE
