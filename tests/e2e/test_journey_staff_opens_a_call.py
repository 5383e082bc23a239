"""Journey 1: staff log into Django admin, create a Tremplin call from the instrument and open it."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from selenium.webdriver.support.ui import Select

from accounts.audit import events_for
from calls.actions import CallAction
from calls.models import Call, Instrument
from tests.factories import PASSWORD, InstrumentFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_staff_create_a_tremplin_call_from_the_instrument_open_it_and_it_is_listed(browser, lang, settings):
    instrument = InstrumentFactory(code=Instrument.Code.TREMPLIN)
    staff = StaffFactory(email=f"dpre-{lang}@inserm.fr")
    title = {"fr": "Tremplins internationaux 2027 (essai)", "en": "International springboards 2027 (trial)"}
    opens = timezone.localtime() - timedelta(hours=1)
    closes = opens + timedelta(days=45)

    # Django admin speaks the language of the cookie (its URLs carry no language prefix). Staff log
    # in on the portal's login page, then give the code of their authenticator app, as in production.
    settings.STAFF_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=staff, name="authenticator", confirmed=True)
    browser.use_language(lang)
    browser.go("/admin/")
    assert browser.path == f"/{lang}/accounts/login/"
    browser.fill("id_username", staff.email)
    browser.fill("id_password", PASSWORD)
    browser.click("main form button[type=submit]")
    assert browser.path == f"/{lang}/accounts/two-factor/"
    browser.fill("id_token", totp(device.bin_key, device.step, device.t0, device.digits, device.drift))
    browser.click("main form button[type=submit]")
    assert browser.path == "/admin/"
    assert browser.language == lang

    # The call list offers "create a call from an instrument".
    browser.go("/admin/calls/call/")
    browser.click("a[href$='/admin/calls/call/from-instrument/']")
    browser.choose("id_instrument", instrument.pk)
    browser.fill("id_year", "2027")
    browser.fill("id_title_fr", title["fr"])
    browser.fill("id_title_en", title["en"])
    browser.fill("id_opens_at_0", opens.date().isoformat())
    browser.fill("id_opens_at_1", opens.strftime("%H:%M:%S"))
    browser.fill("id_closes_at_0", closes.date().isoformat())
    browser.fill("id_closes_at_1", closes.strftime("%H:%M:%S"))
    browser.click("input[type=submit].default")

    call = Call.objects.get(title_en=title["en"])
    assert call.status == Call.Status.DRAFT
    assert (call.ceiling, call.duration_months) == (instrument.ceiling, 12)
    assert browser.path == f"/admin/calls/call/{call.pk}/change/"

    # Open it with the admin action, after its confirmation page.
    browser.go("/admin/calls/call/")
    browser.tick(f"input[name=_selected_action][value='{call.pk}']")
    Select(browser.find("select[name=action]")).select_by_value("open_selected")
    browser.click("button[name=index]")
    with translation.override(lang):
        assert gettext("Open these calls?") in browser.text()
    call.refresh_from_db()
    assert call.status == Call.Status.DRAFT, "nothing changes before staff confirm"
    browser.click("form input[type=submit]")
    call.refresh_from_db()
    assert call.status == Call.Status.OPEN
    assert events_for(call).filter(action=CallAction.STATUS, actor=staff, changes__status__to="open").exists()

    # The public list, in the same language, shows it.
    browser.go(f"/{lang}/calls/")
    assert browser.language == lang
    assert title[lang] in browser.text("main")
    browser.click(f"main a[href='/{lang}/calls/{call.pk}/']")
    assert browser.find("h1").text == title[lang]
