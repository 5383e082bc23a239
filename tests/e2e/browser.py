"""A thin layer over selenium for the journeys: navigate, fill, click and wait, check with axe-core."""

from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# axe-core 4.10.3 from npm (MPL-2.0, vendor/axe-core-LICENSE.txt), kept in the repository so the tests
# need no network: the copy axe-selenium-python ships is axe 3.1, which knows no WCAG 2.1 A tag.
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
WAIT = 15

_axe_totals = {"pages": 0, "urls": [], "violations_by_impact": {}, "rules": {}}


def axe_totals():
    return _axe_totals


def start_chromium(profile_dir, width=1366, height=900):
    """Debian's Chromium, headless, with nothing that reaches the network on its own."""
    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        f"--user-data-dir={profile_dir}",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def format_violations(url, violations):
    lines = [f"axe found {len(violations)} serious or critical violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


def page_replaced(old):
    """Wait condition: the page whose <html> element was `old` has been replaced by another one.
    Selenium's staleness_of, except that ChromeDriver may answer "Node with given id does not
    belong to the document" instead of "stale element" while the new page is coming in."""

    def replaced(driver):
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as error:
            if "does not belong to the document" in str(error):
                return True
            raise
        return False

    return replaced


class Browser:
    """One user's browser on the live server. Pages of the portal are checked with axe after each
    navigation (Django admin pages are not)."""

    def __init__(self, driver, base_url, check_accessibility=True):
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.check_accessibility = check_accessibility

    # --- Sessions and cookies -------------------------------------------------------------------

    def set_cookie(self, name, value):
        self.driver.execute_cdp_cmd(
            "Network.setCookie", {"name": name, "value": value, "url": self.base_url + "/", "path": "/"}
        )

    def log_in_as(self, user):
        """Open a session for `user` without the login form (for steps not about logging in)."""
        session = SessionStore()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "accounts.backends.PortalModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.set_cookie(settings.SESSION_COOKIE_NAME, session.session_key)

    def log_out(self):
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def use_language(self, language):
        """The language of pages without a language prefix (Django admin)."""
        self.set_cookie(settings.LANGUAGE_COOKIE_NAME, language)

    # --- Navigation ------------------------------------------------------------------------------

    @property
    def path(self):
        return urlsplit(self.driver.current_url).path

    def go(self, path):
        self.driver.get(self.base_url + path)
        self._loaded()

    def click(self, element_or_css):
        """Click something that loads a new page, wait for that page, check it."""
        element = self.find(element_or_css) if isinstance(element_or_css, str) else element_or_css
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        try:
            element.click()
        except WebDriverException as error:
            # ChromeDriver sometimes reports on the clicked node after the click already started
            # the navigation ("Node with given id does not belong to the document"): the click
            # happened if the old page goes away; otherwise it is a real failure.
            if "does not belong to the document" not in str(error):
                raise
        WebDriverWait(self.driver, WAIT).until(page_replaced(old))
        self._loaded()

    def _loaded(self):
        WebDriverWait(self.driver, WAIT).until(lambda d: d.execute_script("return document.readyState") == "complete")
        if self.check_accessibility and not self.path.startswith("/admin/"):
            self.assert_accessible()

    # --- Reading ---------------------------------------------------------------------------------

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css="body"):
        return self.find(css).text

    @property
    def language(self):
        return self.driver.execute_script("return document.documentElement.lang")

    # --- Forms -----------------------------------------------------------------------------------

    def fill(self, field_id, value):
        element = self.find(f"#{field_id}")
        element.clear()
        element.send_keys(str(value))
        return element

    def tick(self, css):
        """Click a radio button or a checkbox (the page stays)."""
        element = self.find(css)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
        element.click()
        return element

    def choose(self, field_id, value):
        Select(self.find(f"#{field_id}")).select_by_value(str(value))

    def set_value(self, field_id, value):
        """Inputs whose typing depends on the browser's locale (type=date): set the value itself."""
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'));",
            self.find(f"#{field_id}"),
            value,
        )

    # --- Accessibility ---------------------------------------------------------------------------

    def axe(self):
        """Run axe-core on the current page; returns its violations (every impact)."""
        if not self.driver.execute_script("return typeof window.axe !== 'undefined'"):
            self.driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
        result = self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
            ".then(function (r) { done(r.violations); }, function (e) { done({error: String(e)}); });",
            AXE_TAGS,
        )
        if isinstance(result, dict) and "error" in result:
            raise AssertionError(f"axe-core failed on {self.driver.current_url}: {result['error']}")
        return result

    def assert_accessible(self):
        violations = self.axe()
        _axe_totals["pages"] += 1
        _axe_totals["urls"].append(self.path)
        for violation in violations:
            impact = violation.get("impact") or "unknown"
            _axe_totals["violations_by_impact"][impact] = _axe_totals["violations_by_impact"].get(impact, 0) + 1
            _axe_totals["rules"].setdefault(violation["id"], impact)
        blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
        assert not blocking, format_violations(self.driver.current_url, blocking)
