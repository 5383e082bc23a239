"""Single sign-on in Chromium (issue 20): the login page's button, the code flow with PKCE through
a real OpenID Connect provider in its own process (tests/production/oidc_provider.py), and back
on the portal logged in; staff asked for their TOTP code unless the provider asserted MFA; the
provider down, the page says so and the password still works."""

import pytest

from accounts.models import User
from applications.models import ResearcherProfile
from tests.factories import PASSWORD, ResearcherFactory, StaffFactory
from tests.production.sso_fixtures import oidc_provider, sso, sso_provider_down  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_logs_in_with_the_inserm_account_and_finds_the_profile_pre_filled(browser, sso):  # noqa: F811
    sso.next_login(
        "amelie.durand@inserm.fr",
        claims={"given_name": "Amélie", "family_name": "Durand", "inserm_unit": "U1016", "inserm_grade": "CRCN"},
    )
    browser.go("/en/accounts/login/?next=/en/profile/")
    browser.click("#sso-login")
    assert browser.path == "/en/profile/"
    assert "your account is created from your Inserm account" in browser.text()
    assert browser.find("#id_unit_code").get_attribute("value") == "U1016"
    user = User.objects.get(email="amelie.durand@inserm.fr")
    assert user.is_researcher and not user.is_staff
    assert ResearcherProfile.objects.get(user=user).grade == "CRCN"
    # The browser went through the provider with a PKCE challenge (the other /authorize is the
    # login page's check that the provider answers), and the code was exchanged once.
    log = sso.log()
    flows = [entry for entry in log if entry["path"] == "/authorize" and "code_challenge" in entry["params"]]
    assert len(flows) == 1 and flows[0]["params"]["code_challenge_method"] == "S256"
    assert [entry["path"] for entry in log].count("/token") == 1


@pytest.fixture
def totp_required(settings):
    settings.STAFF_REQUIRE_2FA = True


def test_staff_without_mfa_at_the_provider_are_asked_for_their_code(browser, sso, totp_required):  # noqa: F811
    StaffFactory(email="officer@inserm.fr")
    sso.next_login("officer@inserm.fr", amr=["pwd"])
    browser.go("/en/accounts/login/")
    browser.click("#sso-login")
    assert browser.path.startswith("/en/accounts/two-factor/")


def test_staff_whose_provider_asserts_mfa_go_straight_to_their_pages(browser, sso, totp_required):  # noqa: F811
    StaffFactory(email="officer@inserm.fr")
    sso.next_login("officer@inserm.fr", amr=["pwd", "otp"])
    browser.go("/en/accounts/login/")
    browser.click("#sso-login")
    assert not browser.path.startswith("/en/accounts/")
    browser.go("/admin/")
    assert browser.path == "/admin/"


def test_the_provider_down_the_page_says_so_and_the_password_still_works(browser, sso_provider_down):  # noqa: F811
    ResearcherFactory(email="partner@example.org")
    browser.go("/en/accounts/login/")
    assert "Inserm sign-in is unavailable just now" in browser.text("#sso-unavailable")
    assert not browser.find_all("#sso-login")
    browser.fill("id_username", "partner@example.org")
    browser.fill("id_password", PASSWORD)
    browser.click("form[method=post] button[type=submit]")
    assert browser.path == "/en/applications/"
