"""The application form with the keyboard alone: every field labelled, focus visible, errors tied to
their fields and announced."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.applications.factories import ApplicationFactory, ProfileFactory
from tests.e2e.browser import page_replaced

pytestmark = pytest.mark.django_db(transaction=True)

GENERAL_FIELDS = ["id_title", "id_abstract", "id_keywords", "id_theme"]
MAX_TABS = 60

FOCUS_STYLE = """
var el = document.activeElement, style = getComputedStyle(el);
return {id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 40),
        visible: el.matches(':focus-visible'), outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth) || 0, boxShadow: style.boxShadow};
"""

LABELS = """
return Array.from(document.querySelectorAll('main form input, main form select, main form textarea'))
  .filter(function (el) { return el.type !== 'hidden'; })
  .map(function (el) {
    var label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
    return {id: el.id, label: label || el.getAttribute('aria-label') || ''};
  });
"""


def draft(lang):
    profile = ProfileFactory(user__language=lang)
    return ApplicationFactory(applicant=profile.user, title="", abstract="", keywords="", duration_months=None)


def press(browser, key):
    ActionChains(browser.driver).send_keys(key).perform()
    return browser.driver.execute_script(FOCUS_STYLE)


def assert_focus_visible(focused):
    assert focused["visible"], f"{focused} has the focus but does not match :focus-visible"
    shown = (focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2) or focused["boxShadow"] != "none"
    assert shown, f"no visible focus indicator on {focused}"


def tab_to(browser, element_id, visited):
    """Tab until `element_id` has the focus; every element met on the way shows its focus."""
    for _ in range(MAX_TABS):
        focused = press(browser, Keys.TAB)
        assert_focus_visible(focused)
        visited.append(focused["id"] or f"{focused['tag']}:{focused['text']}")
        if focused["id"] == element_id:
            return focused
    raise AssertionError(f"#{element_id} never received the focus; the Tab order was {visited}")


def submit_with_key(browser, key):
    old = browser.find("html")
    ActionChains(browser.driver).send_keys(key).perform()
    WebDriverWait(browser.driver, 15).until(page_replaced(old))
    browser._loaded()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_general_step_is_filled_and_saved_with_the_keyboard_alone(browser, lang):
    application = draft(lang)
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/general/")

    labels = browser.driver.execute_script(LABELS)
    assert [field["id"] for field in labels] == GENERAL_FIELDS
    assert all(field["label"] for field in labels), f"fields without a label: {labels}"

    # The first Tab reaches the skip link; from there, Tab walks to each field in order.
    visited = []
    first = press(browser, Keys.TAB)
    assert "skip-link" in browser.driver.switch_to.active_element.get_attribute("class")
    assert_focus_visible(first)
    values = {
        "id_title": "Keyboard-only project",
        "id_abstract": "Typed without a mouse, one key at a time.",
        "id_keywords": "keyboard, access",
        "id_theme": "Accessibility",
    }
    for field_id in GENERAL_FIELDS:
        tab_to(browser, field_id, visited)
        ActionChains(browser.driver).send_keys(values[field_id]).perform()
    # Then the "Save" button, pressed with the space bar.
    while True:
        focused = press(browser, Keys.TAB)
        assert_focus_visible(focused)
        if browser.driver.switch_to.active_element.get_attribute("name") == "stay":
            break
        assert len(visited) < MAX_TABS, f"the Save button never received the focus: {visited}"
        visited.append(focused["text"])
    submit_with_key(browser, Keys.SPACE)

    application.refresh_from_db()
    assert application.title == "Keyboard-only project"
    assert application.abstract == "Typed without a mouse, one key at a time."
    assert application.keywords == "keyboard, access"
    assert browser.path == f"/{lang}/applications/{application.pk}/edit/general/"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_errors_are_tied_to_their_fields_and_announced(browser, lang):
    application = draft(lang)
    browser.log_in_as(application.applicant)
    browser.go(f"/{lang}/applications/{application.pk}/edit/general/")
    long_title = ("A title that goes on " * 15).strip()  # 314 characters, pasted: never cut by the page
    browser.set_value("id_title", long_title)
    browser.set_value("id_abstract", " ".join(["word"] * 301))
    field = browser.find("#id_keywords")
    field.send_keys(Keys.ENTER)  # Enter in a text field saves the step (its first button)
    WebDriverWait(browser.driver, 15).until(lambda d: d.find_elements("css selector", "[aria-invalid=true]"))
    browser._loaded()

    application.refresh_from_db()
    assert application.title == "", "an invalid step saves nothing"
    # Filled in again, each error named by its field's aria-describedby.
    assert browser.find("#id_title").get_attribute("value") == long_title
    assert browser.find("#id_title").get_attribute("maxlength") is None
    for field_id in ("id_abstract", "id_title"):
        field = browser.find(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true"
        described = (field.get_attribute("aria-describedby") or "").split()
        errors = [browser.find(f"#{ref}").text for ref in described if browser.find_all(f"#{ref}.invalid-feedback")]
        assert errors and all(errors), f"#{field_id} is not described by its error (aria-describedby={described})"
    assert "301" in browser.find("#id_abstract_error").text
    # The page announces that something needs attention, as an alert.
    with translation.override(lang):
        summary = gettext("Some fields need your attention: see the messages beside them.")
    alerts = [element.text for element in browser.find_all("[role=alert]")]
    assert summary in alerts, f"no alert announces the errors (alerts: {alerts})"
    assert "314" in browser.find("#id_title_error").text
