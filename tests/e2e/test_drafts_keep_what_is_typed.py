"""Issue 14, in the browser: the checklist follows the keyboard (before any save), a click on
another step's tab never loses what was typed, Enter saves."""

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from applications.models import BudgetLine, PartnerTeam
from tests.applications.factories import ApplicationFactory, BudgetLineFactory, PartnerFactory, ProfileFactory

pytestmark = pytest.mark.django_db(transaction=True)


def tremplin_draft(lang):
    application = ApplicationFactory(applicant=ProfileFactory(user__language=lang, atip_avenir_year=2022).user)
    PartnerFactory(application=application, country="JP", institution="University of Tokyo")
    BudgetLineFactory(application=application, amount=Decimal("6000"))
    return application


def checklist_outcome(browser, code):
    # Read in the page in one go: the list is replaced while the researcher types.
    return browser.driver.execute_script(
        "var li = document.querySelector(arguments[0]); return li ? li.className : '';",
        f"#checklist-items li[data-code='{code}']",
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_checklist_follows_the_budget_as_it_is_typed(browser, lang):
    application = tremplin_draft(lang)
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/budget/")
    assert "checklist-pass" in checklist_outcome(browser, "amount.over_ceiling")
    amount = browser.find("#id_budget-0-amount")
    amount.clear()
    amount.send_keys("12500")
    WebDriverWait(browser.driver, 10).until(
        lambda d: "checklist-fail" in checklist_outcome(browser, "amount.over_ceiling")
    )
    assert BudgetLine.objects.get(application=application).amount == Decimal("6000")  # not saved
    amount.clear()
    amount.send_keys("9000")
    WebDriverWait(browser.driver, 10).until(
        lambda d: "checklist-pass" in checklist_outcome(browser, "amount.over_ceiling")
    )
    browser.assert_accessible()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_partners_typed_then_the_budget_tab_are_saved_not_lost(browser, lang):
    application = tremplin_draft(lang)
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    browser.fill("id_partners-0-institution", "Fiocruz")
    browser.fill("id_partners-0-city", "Rio de Janeiro")
    browser.choose("id_partners-0-country", "BR")
    browser.click("a[data-step-link='budget']")
    assert browser.path == f"/{lang}/applications/{application.pk}/edit/budget/"
    partner = PartnerTeam.objects.get(application=application)
    assert (partner.institution, partner.country.code) == ("Fiocruz", "BR")
    with translation.override(lang):
        assert gettext("Draft saved at %(time)s.").split("%")[0] in browser.text("main")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_enter_in_a_partner_field_saves_and_adds_no_row(browser, lang):
    application = tremplin_draft(lang)
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/partners/")
    field = browser.fill("id_partners-0-city", "Kyoto")
    old = browser.driver.find_element("tag name", "html")
    field.send_keys(Keys.ENTER)
    from tests.e2e.browser import page_replaced

    WebDriverWait(browser.driver, 10).until(page_replaced(old))
    browser._loaded()
    assert PartnerTeam.objects.get(application=application).city == "Kyoto"
    assert PartnerTeam.objects.filter(application=application).count() == 1
    assert len(browser.find_all("[data-formset-row]")) == 1
