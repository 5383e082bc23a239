"""Staff need a second factor (TOTP) when STAFF_REQUIRE_2FA is on; the demo relaxes it and says so."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.audit import AccountAction
from accounts.models import AuditEvent
from tests.factories import ResearcherFactory, StaffFactory

ROOT = Path(__file__).resolve().parents[2]
BANNER = "Demo: two-factor login is relaxed"


def code(device, offset=0):
    device.refresh_from_db()
    return str(totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)).zfill(device.digits)


@pytest.fixture
def staff_client(db):
    client = Client(headers={"accept-language": "en"})  # admin pages have no language prefix
    staff = StaffFactory()
    client.force_login(staff)
    client.user = staff
    return client


@override_settings(STAFF_REQUIRE_2FA=True)
def test_staff_without_a_device_are_sent_from_admin_to_set_one_up(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/two-factor/?next=%2Fadmin%2F"
    response = staff_client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/two-factor/setup/")
    page = staff_client.get("/en/accounts/two-factor/setup/?next=/admin/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert "<script>" not in page


@override_settings(STAFF_REQUIRE_2FA=True)
def test_setting_up_the_app_with_a_good_code_opens_admin(staff_client):
    staff_client.get("/en/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=staff_client.user, confirmed=False)
    response = staff_client.post("/en/accounts/two-factor/setup/", {"token": "000000", "next": "/admin/"})
    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = staff_client.post("/en/accounts/two-factor/setup/", {"token": code(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert TOTPDevice.objects.get(user=staff_client.user).confirmed
    assert staff_client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action=AccountAction.TWO_FACTOR_ENROLLED, actor=staff_client.user).exists()


@override_settings(STAFF_REQUIRE_2FA=True)
def test_staff_with_a_device_type_its_code_at_each_login(staff_client):
    device = TOTPDevice.objects.create(user=staff_client.user, name="phone", confirmed=True)
    response = staff_client.get("/en/reviews/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/two-factor/?next=%2Fen%2Freviews%2Fstaff%2F"
    response = staff_client.post("/en/accounts/two-factor/", {"token": "123456", "next": "/en/reviews/staff/"})
    assert "This code is not valid" in response.content.decode()
    assert staff_client.get("/admin/").status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = staff_client.post("/en/accounts/two-factor/", {"token": code(device), "next": "/en/reviews/staff/"})
    assert response["Location"] == "/en/reviews/staff/"
    assert staff_client.get("/en/reviews/staff/").status_code == 200
    assert staff_client.get("/admin/").status_code == 200


@override_settings(STAFF_REQUIRE_2FA=True)
def test_after_a_wrong_code_even_the_right_one_waits(staff_client):
    device = TOTPDevice.objects.create(user=staff_client.user, name="phone", confirmed=True)
    staff_client.post("/en/accounts/two-factor/", {"token": "123456"})
    response = staff_client.post("/en/accounts/two-factor/", {"token": code(device)})
    assert response.status_code == 200
    assert "Too many wrong codes: wait a few seconds" in response.content.decode()
    assert staff_client.get("/admin/").status_code == 302


@override_settings(STAFF_REQUIRE_2FA=True)
def test_a_set_up_device_cannot_be_replaced_with_the_password_alone(staff_client):
    TOTPDevice.objects.create(user=staff_client.user, name="phone", confirmed=True)
    response = staff_client.get("/en/accounts/two-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/two-factor/?")
    assert TOTPDevice.objects.filter(user=staff_client.user).count() == 1


@override_settings(STAFF_REQUIRE_2FA=True)
def test_the_second_factor_page_refuses_an_outside_next_address(staff_client):
    device = TOTPDevice.objects.create(user=staff_client.user, name="phone", confirmed=True)
    response = staff_client.post("/en/accounts/two-factor/", {"token": code(device), "next": "https://evil.example/"})
    assert response["Location"] == "/admin/"


@override_settings(STAFF_REQUIRE_2FA=True)
def test_researchers_and_reviewers_need_no_second_factor(db):
    client = Client(headers={"accept-language": "en"})  # admin pages have no language prefix
    client.force_login(ResearcherFactory())
    assert client.get("/en/applications/").status_code == 200
    assert client.get("/en/accounts/two-factor/").status_code == 404


@override_settings(STAFF_REQUIRE_2FA=True)
def test_no_banner_when_the_second_factor_is_required(staff_client):
    device = TOTPDevice.objects.create(user=staff_client.user, name="phone", confirmed=True)
    staff_client.post("/en/accounts/two-factor/", {"token": code(device)})
    assert BANNER not in staff_client.get("/en/").content.decode()
    assert BANNER not in staff_client.get("/admin/").content.decode()


@override_settings(STAFF_REQUIRE_2FA=False)
def test_the_demo_relaxes_the_second_factor_and_says_so_to_staff(staff_client):
    assert staff_client.get("/admin/").status_code == 200
    assert BANNER in staff_client.get("/en/").content.decode()
    assert BANNER in staff_client.get("/admin/").content.decode()
    researcher = Client(headers={"accept-language": "en"})  # admin pages have no language prefix
    researcher.force_login(ResearcherFactory())
    assert BANNER not in researcher.get("/en/").content.decode()


def _setting(name, debug):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "STAFF_REQUIRE_2FA"}}
    env.update({"DEBUG": debug, "SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "inserm_portal.settings"})
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_require_the_second_factor_and_make_run_relaxes_it():
    assert _setting("STAFF_REQUIRE_2FA", "0") == "True"
    assert _setting("STAFF_REQUIRE_2FA", "1") == "False"
