"""Inserm in the world in Chromium, French and English, every page axe-checked: the map is drawn
offline (inline SVG, no network), the keyboard reaches a country of the map, and following it
shows that country's section."""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from cooperation import demo
from tests.e2e.browser import WAIT, page_replaced

pytestmark = pytest.mark.django_db(transaction=True)

ACTIVE = """
var el = document.activeElement, path = el.querySelector && el.querySelector('path');
return {tag: el.tagName.toLowerCase(), inMap: !!el.closest('svg.world-map'), label: el.getAttribute('aria-label'),
        href: el.getAttribute('href'), fill: path ? getComputedStyle(path).fill : ''};
"""


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_map_renders_and_the_keyboard_reaches_a_country_and_opens_its_section(browser, language):
    demo.load()
    browser.go(f"/{language}/international/")  # axe-checked on arrival
    assert browser.find("svg.world-map").is_displayed()
    assert len(browser.find_all("svg.world-map path.country")) > 170
    assert len(browser.find_all("svg.world-map path.site")) == len(demo.SITES)
    figures = browser.text("#figure-cooperations")
    assert figures in ("6\u202f580", "6\u00a0580", "6 580") if language == "fr" else figures == "6,580"
    # No horizontal scrolling at the desktop width: the map fits its column.
    assert browser.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")

    # From the filters' button, Tab goes into the map's first country with cooperations or sites.
    button = browser.find("form.world-filters button[type=submit]")
    browser.driver.execute_script("arguments[0].focus();", button)
    ActionChains(browser.driver).send_keys(Keys.TAB).perform()
    focused = browser.driver.execute_script(ACTIVE)
    assert focused["tag"] == "a" and focused["inMap"], focused
    assert "?year=2020&country=" in focused["href"]
    # The focus is visible: the country turns amber (static/css/world.css).
    assert focused["fill"] == "rgb(255, 193, 7)", focused
    country = focused["label"].split(":")[0]

    old = browser.find("html")
    ActionChains(browser.driver).send_keys(Keys.ENTER).perform()
    WebDriverWait(browser.driver, WAIT).until(page_replaced(old))
    browser._loaded()  # axe again, on the country's page
    assert browser.driver.current_url.endswith("#country")
    title = browser.text("#country-title")
    assert country in title and "2020" in title
    assert browser.find_all("#country table tbody tr")


def test_the_map_scales_down_on_a_phone(browser):
    demo.load()
    browser.driver.set_window_size(390, 844)
    browser.go("/en/international/")
    width = browser.driver.execute_script(
        "return document.querySelector('svg.world-map').getBoundingClientRect().width"
    )
    assert 300 < width <= 390
    assert browser.driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
