"""The admin pages of the libraries staff use (django-axes' login records, django-otp's devices)
speak French to French staff and give times in Paris, never "Access Log for … +00:00"."""

from datetime import UTC, datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode().replace("\xa0", " ").replace("\u202f", " ")


def test_a_login_record_is_titled_with_who_and_when_in_paris_time(client):
    staff = StaffFactory()
    log = AccessLog.objects.create(
        username="marie.curie@inserm.example", ip_address="192.0.2.1", user_agent="Firefox", path_info="/fr/"
    )
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=datetime(2026, 12, 3, 19, 56, 34, tzinfo=UTC))
    client.force_login(staff)
    page = text(client.get(f"/admin/axes/accesslog/{log.pk}/change/", headers={"accept-language": "fr"}))
    assert "marie.curie@inserm.example — 3 décembre 2026 20:56" in page
    assert "Access Log for" not in page and "+00:00" not in page


def test_the_lockout_and_device_lists_are_in_french(client):
    staff = StaffFactory()
    AccessAttempt.objects.create(
        username="someone@inserm.example", ip_address="192.0.2.2", user_agent="x", failures_since_start=5
    )
    TOTPDevice.objects.create(user=staff, name="téléphone", confirmed=True)
    client.force_login(staff)
    attempts = text(client.get("/admin/axes/accessattempt/", headers={"accept-language": "fr"}))
    devices = text(client.get("/admin/otp_totp/totpdevice/", headers={"accept-language": "fr"}))
    for english in ("Locked Out", "Clean up expired attempts", "USER AGENT", "Access Attempt"):
        assert english not in attempts
    assert "TOTP devices" not in devices and "TOTP device" not in devices
    assert "application d'authentification" in devices or "applications d'authentification" in devices
