"""Single sign-on for Inserm agents (issue 20) against a real OpenID Connect provider in its own
process (tests/production/oidc_provider.py): the code flow with PKCE, driven with the test client
on the portal's side and real HTTP on the provider's; what is refused leaves nobody logged in."""

import socket
import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import AuditEvent, User
from applications.models import ResearcherProfile
from tests.factories import PASSWORD, ResearcherFactory, StaffFactory

pytestmark = pytest.mark.django_db

NOT_VERIFIED = "Your Inserm account has no verified e-mail address"
DID_NOT_SUCCEED = "Signing in with your Inserm account did not succeed"
UNAVAILABLE = "Inserm sign-in is unavailable just now: log in with your password."
BUTTON = "Log in with your Inserm account"


def english_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def sso_login(client, state=None, next_url=None):
    """The whole code flow: the portal sends the browser to the provider, which consents and
    sends it back with a code; returns the callback's response."""
    start = client.get("/oidc/authenticate/" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
    assert start.status_code == 302, start
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=5)
    assert authorize.status_code == 302, authorize.text
    back = urlsplit(authorize.headers["Location"])
    assert back.path == "/oidc/callback/"
    query = dict(parse_qsl(back.query))
    if state is not None:
        query["state"] = state
    return client.get(back.path, query)


def logged_in_user(client):
    user_id = client.session.get(SESSION_KEY)
    return User.objects.get(pk=user_id) if user_id else None


def refusal_shown(client, response, text):
    assert response.status_code == 302 and response["Location"] == "/en/accounts/login/"
    page = client.get(response["Location"])
    assert text in page.content.decode()
    assert logged_in_user(client) is None


def test_an_agent_gets_a_researcher_account_with_the_profile_from_the_claims(sso):
    sso.next_login(
        "Jeanne.Martin@inserm.fr",
        claims={"given_name": "Jeanne", "family_name": "Martin", "inserm_unit": "u 1234", "groups": ["dpre-staff"]},
    )
    client = english_client()
    response = sso_login(client)
    user = logged_in_user(client)
    assert user.email == "jeanne.martin@inserm.fr" and user.get_full_name() == "Jeanne Martin"
    assert user.is_researcher and not user.is_staff  # no group mapped: staff is never taken from a claim
    assert not user.has_usable_password()
    assert ResearcherProfile.objects.get(user=user).unit_code == "U1234"
    assert response["Location"] == "/en/applications/"
    page = client.get(response["Location"])
    assert "your account is created from your Inserm account" in page.content.decode()
    assert AuditEvent.objects.filter(action="sso.account_created", actor=user).exists()
    # PKCE: the challenge went to /authorize, the verifier to /token (which checked it).
    authorize, token = (entry for entry in sso.log() if entry["path"] in ("/authorize", "/token"))
    assert authorize["params"]["code_challenge_method"] == "S256" and authorize["params"]["code_challenge"]
    assert len(token["params"]["code_verifier"]) >= 43


def test_an_agent_who_left_a_french_page_comes_back_in_french_with_a_french_account(sso):
    sso.next_login("louise@inserm.fr", claims={"inserm_unit": "U1001"})
    client = english_client()  # the browser prefers English, the person chose French
    login_page = client.get("/fr/accounts/login/").content.decode()
    assert 'href="/oidc/authenticate/?lang=fr"' in login_page
    start = client.get("/oidc/authenticate/?lang=fr")
    authorize = requests.get(start["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(authorize.headers["Location"])
    response = client.get(back.path, dict(parse_qsl(back.query)))
    assert response["Location"] == "/fr/applications/"
    assert logged_in_user(client).language == "fr"
    assert "votre compte est créé à partir de votre compte Inserm" in client.get(response["Location"]).content.decode()


def test_no_profile_is_made_up_without_a_unit_claim(sso):
    sso.next_login("paul@inserm.fr")
    client = english_client()
    sso_login(client)
    user = logged_in_user(client)
    assert user.is_researcher and not ResearcherProfile.objects.filter(user=user).exists()


def test_an_existing_account_is_found_by_its_verified_address_and_goes_where_it_asked(sso):
    researcher = ResearcherFactory(email="claire@inserm.fr", first_name="Claire")
    sso.next_login("CLAIRE@inserm.fr", claims={"given_name": "Someone else"})
    client = english_client()
    response = sso_login(client, next_url="/en/calls/")
    assert logged_in_user(client) == researcher
    assert response["Location"] == "/en/calls/"
    researcher.refresh_from_db()
    assert researcher.first_name == "Claire"
    assert User.objects.filter(email__iexact="claire@inserm.fr").count() == 1


def test_a_tampered_state_is_refused_before_the_code_is_used(sso):
    sso.next_login("eve@inserm.fr")
    client = english_client()
    response = sso_login(client, state="not-the-state-the-portal-sent")
    refusal_shown(client, response, DID_NOT_SUCCEED)
    assert not any(entry["path"] == "/token" for entry in sso.log())
    assert not User.objects.filter(email="eve@inserm.fr").exists()


def test_a_callback_replayed_is_refused(sso):
    sso.next_login("replay@inserm.fr")
    client = english_client()
    start = client.get("/oidc/authenticate/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5).headers["Location"]
    assert client.get(back)["Location"] == "/en/applications/"
    client.logout()  # the same browser sends the old callback again
    refusal_shown(client, client.get(back), DID_NOT_SUCCEED)


def test_a_token_for_another_client_is_refused(sso):
    sso.next_login("aud@inserm.fr", aud="another-application")
    client = english_client()
    refusal_shown(client, sso_login(client), DID_NOT_SUCCEED)
    assert not User.objects.filter(email="aud@inserm.fr").exists()


def test_an_expired_token_is_refused(sso):
    sso.next_login("late@inserm.fr", exp_in=-120)
    client = english_client()
    refusal_shown(client, sso_login(client), DID_NOT_SUCCEED)
    assert not User.objects.filter(email="late@inserm.fr").exists()


def test_a_token_from_another_issuer_is_refused(sso):
    sso.next_login("iss@inserm.fr", iss="http://127.0.0.1:1/elsewhere")
    client = english_client()
    refusal_shown(client, sso_login(client), DID_NOT_SUCCEED)


def test_an_address_the_provider_has_not_verified_is_refused_and_says_why(sso):
    ResearcherFactory(email="victim@inserm.fr")
    sso.next_login("victim@inserm.fr", email_verified=False)
    client = english_client()
    refusal_shown(client, sso_login(client), NOT_VERIFIED)


@pytest.fixture
def totp_required(settings):
    settings.STAFF_REQUIRE_2FA = True


def test_staff_without_multi_factor_at_the_provider_still_type_their_code(sso, totp_required):
    StaffFactory(email="officer@inserm.fr")
    sso.next_login("officer@inserm.fr", amr=["pwd"])
    client = english_client()
    sso_login(client)
    assert logged_in_user(client).email == "officer@inserm.fr"
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/two-factor/")


@pytest.mark.parametrize("assertion", [{"amr": ["pwd", "mfa"]}, {"amr": ["hwk"]}, {"amr": [], "acr": "eidas-high"}])
def test_staff_whose_provider_asserts_multi_factor_skip_the_code(sso, totp_required, settings, assertion):
    settings.OIDC_MFA_ACR = ["eidas-high"]
    StaffFactory(email="officer@inserm.fr")
    sso.next_login("officer@inserm.fr", **assertion)
    client = english_client()
    sso_login(client)
    assert client.get("/admin/").status_code == 200
    # The assertion belongs to that login: a password login in the same browser asks the code.
    client.logout()
    client.post("/en/accounts/login/", {"username": "officer@inserm.fr", "password": PASSWORD})
    assert client.get("/admin/").status_code == 302


def test_staff_status_comes_from_the_mapped_group_only(sso, settings):
    settings.OIDC_STAFF_GROUP = "dpre-staff"
    sso.next_login("member@inserm.fr", claims={"groups": ["dpre-staff", "u1234"]})
    client = english_client()
    sso_login(client)
    assert logged_in_user(client).is_staff
    sso.next_login("outsider@inserm.fr", claims={"groups": ["dpre-staff-not"]})
    other = english_client()
    sso_login(other)
    assert not logged_in_user(other).is_staff


def test_the_login_page_offers_the_inserm_button_when_the_provider_answers(sso):
    page = english_client().get("/en/accounts/login/?next=/en/calls/").content.decode()
    assert BUTTON in page
    assert 'href="/oidc/authenticate/?lang=en&amp;next=/en/calls/"' in page


def test_without_the_settings_there_is_no_single_sign_on():
    client = english_client()
    assert BUTTON not in client.get("/en/accounts/login/").content.decode()
    assert client.get("/oidc/authenticate/").status_code == 404
    assert client.get("/oidc/callback/?code=x&state=y").status_code == 404


def test_the_provider_down_local_accounts_still_log_in_and_the_page_says_why(sso_provider_down):
    ResearcherFactory(email="partner@example.org")
    client = english_client()
    page = client.get("/en/accounts/login/").content.decode()
    assert UNAVAILABLE in page and BUTTON not in page
    response = client.post("/en/accounts/login/", {"username": "partner@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(client).email == "partner@example.org"


def test_the_provider_down_during_the_flow_is_a_message_not_an_error(sso, settings, sso_provider_down):
    # The browser went to the provider, which then stopped answering the portal.
    client = english_client()
    session = client.session
    session["oidc_states"] = {"abc": {"nonce": "n", "code_verifier": "v" * 64}}
    session.save()
    refusal_shown(client, client.get("/oidc/callback/", {"code": "c", "state": "abc"}), UNAVAILABLE)


def test_the_login_page_asks_the_provider_once_a_minute(sso):
    sso.next_login("nobody@inserm.fr")  # also empties the provider's log
    for _page in range(3):
        assert BUTTON in english_client().get("/en/accounts/login/").content.decode()
    assert [entry["path"] for entry in sso.log()].count("/authorize") == 1


def test_a_provider_that_hangs_costs_the_login_page_its_short_timeout_only(sso, settings):
    settings.OIDC_PROBE_TIMEOUT = 0.5
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"http://127.0.0.1:{silent.getsockname()[1]}/authorize"
        started = time.monotonic()
        page = english_client().get("/en/accounts/login/").content.decode()
        assert time.monotonic() - started < 3
    assert UNAVAILABLE in page and BUTTON not in page
