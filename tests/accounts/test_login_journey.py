"""Logging in as people do: each role lands where its work is, a newcomer keeps the page they came
for through sign-up, and an account still awaiting verification is told so (and offered a new link)."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.models import User
from notifications.models import Notification
from tests.factories import PASSWORD, ResearcherFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/en/accounts/login/"


def log_in(client, user, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": user.email, "password": password, **extra})


@pytest.mark.parametrize(
    ("make", "landing"),
    [
        (ReviewerFactory, "/en/reviews/"),
        (StaffFactory, "/en/reviews/staff/"),
        (ResearcherFactory, "/en/applications/"),
        (lambda: StaffFactory(is_superuser=False), "/admin/"),
    ],
)
def test_each_role_lands_where_its_work_is(client, make, landing):
    response = log_in(client, make())
    assert response.status_code == 302
    assert response["Location"] == landing


def test_staff_who_may_see_the_calls_land_on_them(client):
    user = StaffFactory(is_superuser=False)
    group = Group.objects.create(name="office")
    group.permissions.add(
        Permission.objects.get(codename="view_call"), Permission.objects.get(codename="view_routingproposal")
    )
    user.groups.add(group)
    assert log_in(client, user)["Location"] == "/en/reviews/staff/"


def test_next_wins_over_the_landing_page(client):
    response = log_in(client, ReviewerFactory(), next="/en/calls/")
    assert response["Location"] == "/en/calls/"


def test_a_newcomer_keeps_the_call_they_came_for_through_sign_up_and_verification(client, submit):
    target = "/en/applications/start/42/"
    login_page = client.get(f"{LOGIN}?next={target}").content.decode()
    assert f'/en/accounts/signup/?next={target}"' in login_page
    signup_page = client.get(f"/en/accounts/signup/?next={target}").content.decode()
    assert f'name="next" value="{target}"' in signup_page
    response = submit(
        "/en/accounts/signup/",
        {
            "email": "new.comer@inserm.fr",
            "first_name": "New",
            "last_name": "Comer",
            "language": "en",
            "password1": "Wide-open-fields-42",
            "password2": "Wide-open-fields-42",
            "next": target,
        },
    )
    assert response.status_code == 302
    link = Notification.objects.get(kind="account.verification").context["url_path"]
    response = client.get("/en" + link)
    assert response.status_code == 302
    assert response["Location"] == f"/en/accounts/login/?next={target.replace('/', '%2F')}"
    user = User.objects.get(email="new.comer@inserm.fr")
    assert (
        client.post(LOGIN, {"username": user.email, "password": "Wide-open-fields-42", "next": target})["Location"]
        == target
    )


def test_an_outside_next_is_never_kept(client, submit):
    submit(
        "/en/accounts/signup/",
        {
            "email": "new.comer@inserm.fr",
            "first_name": "New",
            "last_name": "Comer",
            "language": "en",
            "password1": "Wide-open-fields-42",
            "password2": "Wide-open-fields-42",
            "next": "https://evil.example/",
        },
    )
    link = Notification.objects.get(kind="account.verification").context["url_path"]
    assert client.get("/en" + link)["Location"] == "/en/accounts/login/"


def test_logging_in_before_verifying_says_so_and_offers_a_new_link(client, submit):
    user = ResearcherFactory(is_active=False)
    page = log_in(client, user).content.decode()
    assert "Your account awaits the verification of your e-mail address" in page
    assert "Send me a new verification link" in page
    assert "Saisissez" not in page
    response = submit("/en/accounts/signup/resend/", {"email": user.email})
    assert response["Location"] == "/en/accounts/signup/sent/"
    assert Notification.objects.filter(recipient=user, kind="account.verification").count() == 1


def test_a_wrong_password_says_nothing_about_verification(client):
    user = ResearcherFactory(is_active=False)
    page = log_in(client, user, password="not-the-password").content.decode()
    assert "awaits the verification" not in page and "Send me a new verification link" not in page
    assert "The e-mail address or the password is wrong." in page


def test_the_french_login_error_is_correct_french(client):
    page = client.post(
        "/fr/accounts/login/", {"username": "nobody@example.org", "password": "whatever-it-is"}
    ).content.decode()
    assert "L’adresse e-mail ou le mot de passe est incorrect." in page
    assert "un adresse" not in page


def test_a_new_link_is_never_sent_to_an_active_account(client, submit):
    user = ResearcherFactory()
    submit("/en/accounts/signup/resend/", {"email": user.email})
    assert not Notification.objects.filter(recipient=user, kind="account.verification").exists()
