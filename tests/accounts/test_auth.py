import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User

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
    assert "Saisissez" in body  # Django's French message for a wrong login
    assert f'value="{researcher.email}"' in body


def test_logout_is_a_post_and_ends_the_session(client, researcher):
    client.force_login(researcher)
    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated


def test_password_reset_mails_a_working_link(client, researcher):
    response = client.post(reverse("password_reset"), {"email": researcher.email}, follow=True)
    assert response.status_code == 200
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.context["validlink"]
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    response = client.post(form_url, {"new_password1": "An0ther-long-pass!", "new_password2": "An0ther-long-pass!"})
    assert response.status_code == 302
    researcher.refresh_from_db()
    assert researcher.check_password("An0ther-long-pass!")


def test_one_person_may_be_researcher_and_reviewer():
    user = User.objects.create_user("both@inserm.fr", "pw-123456789", is_researcher=True, is_reviewer=True)
    assert user.is_researcher and user.is_reviewer and not user.is_staff


def test_emails_are_unique_without_case():
    User.objects.create_user("Jane.Doe@Inserm.fr", "pw-123456789")
    assert User.objects.get_by_natural_key("jane.doe@inserm.fr").email == "jane.doe@inserm.fr"
