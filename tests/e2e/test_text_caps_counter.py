"""Every capped text shows its length as the title's does, in the browser: a partner's institution
near its cap gets a counter beside it, an institution over the cap is kept whole (never cut by the
browser) and refused by the server with its length; rows added by "Add a row" are counted too."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.support.ui import WebDriverWait

from applications.models import PartnerTeam
from tests.applications.factories import ApplicationFactory, PartnerFactory, ProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)


def counter_text(browser, field_id):
    return browser.driver.execute_script(
        "var c = document.getElementById(arguments[0] + '-counter'); return c && !c.hidden ? c.textContent : '';",
        field_id,
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_partner_institution_near_and_over_its_cap_is_counted_then_refused_whole(browser, lang):
    application = ApplicationFactory(applicant=ProfileFactory(user__language=lang).user)
    PartnerFactory(application=application)
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    assert counter_text(browser, "id_partners-0-institution") == ""  # far from the cap: no counter

    browser.fill("id_partners-0-institution", "I" * 210)
    with translation.override(lang):
        near = gettext("Characters: %(count)s of %(max)s") % {"count": 210, "max": 250}
        over = gettext("Characters: %(count)s of %(max)s — too long") % {"count": 260, "max": 250}
    WebDriverWait(browser.driver, 5).until(lambda d: counter_text(browser, "id_partners-0-institution") == near)
    field = browser.fill("id_partners-0-institution", "I" * 260)
    WebDriverWait(browser.driver, 5).until(lambda d: counter_text(browser, "id_partners-0-institution") == over)
    assert len(field.get_attribute("value")) == 260  # the browser cut nothing
    described = field.get_attribute("aria-describedby").split()
    assert "id_partners-0-institution-counter" in described
    browser.assert_accessible()

    browser.driver.execute_script("document.querySelector('[data-formset-add]').click()")
    browser.fill("id_partners-1-city", "C" * 110)
    WebDriverWait(browser.driver, 5).until(lambda d: counter_text(browser, "id_partners-1-city").endswith("120"))

    browser.click("button.btn-outline-secondary[name='stay']")
    assert "I" * 260 in browser.find("#id_partners-0-institution").get_attribute("value")
    assert PartnerTeam.objects.get(application=application).institution == "University of Tokyo"
