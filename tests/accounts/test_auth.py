import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from notifications import services as outbox
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_user_logs_in_with_email_whatever_its_case(client, researcher, password):
    response = client.post(reverse("login"), {"username": researcher.email.upper(), "password": password}, follow=True)
    assert response.context["user"].is_authenticated
    assert response.context["user"] == researcher


def test_wrong_password_comes_back_with_a_translated_error_and_the_email_kept(client, researcher):
    response = client.post("/fr/accounts/login/", {"username": researcher.email, "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    body = response.content.decode()
    assert "L’adresse e-mail ou le mot de passe est incorrect." in body
    assert f'value="{researcher.email}"' in body


def test_logout_is_a_post_and_ends_the_session(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_password_reset_link_goes_through_the_outbox_in_the_users_language_and_works(client, submit, researcher):
    researcher.language = "en"
    researcher.save()
    response = submit("/fr/accounts/password-reset/", {"email": researcher.email.upper()})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing leaves during the request nor the task: the outbox's worker sends it
    notification = Notification.objects.get(recipient=researcher, kind="account.password_reset")
    assert notification.language == "en"
    outbox.deliver(notification.pk)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Inserm portal: your link to choose a new password"
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    assert link.startswith("/en/accounts/reset/")
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"new_password1": "An0ther-long-pass!", "new_password2": "An0ther-long-pass!"})
    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.check_password("An0ther-long-pass!")
    # The link works once.
    assert not client.get(link, follow=True).context["validlink"]


def test_password_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(submit, researcher):
    known = submit(reverse("password_reset"), {"email": researcher.email})
    unknown = submit(reverse("password_reset"), {"email": "nobody@example.org"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert Notification.objects.filter(kind="account.password_reset").count() == 1


def test_one_person_may_be_researcher_and_reviewer():
    user = User.objects.create_user("both@inserm.fr", "pw-123456789", is_researcher=True, is_reviewer=True)
    assert user.is_researcher and user.is_reviewer and not user.is_staff


def test_emails_are_unique_without_case():
    User.objects.create_user("Jane.Doe@Inserm.fr", "pw-123456789")
    assert User.objects.get_by_natural_key("jane.doe@inserm.fr").email == "jane.doe@inserm.fr"
