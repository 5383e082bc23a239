"""The open API's documentation page (issue 19) in Chromium: Swagger UI, served from the portal's
own static files, draws every endpoint from the schema under the strict Content-Security-Policy
(no inline script or style), with nothing blocked."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.django_db(transaction=True)

# Collects what the policy blocks; CDP injects it before the page's own scripts (and outside the policy).
WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""


def test_the_documentation_page_draws_every_endpoint_with_nothing_blocked(chromium, live_server):
    watch = chromium.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    try:
        chromium.get(live_server.url + "/api/v1/docs/")
        WebDriverWait(chromium, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")) >= 4)
        paths = {e.get_attribute("data-path") for e in chromium.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
        assert {"/api/v1/calls/", "/api/v1/projects/", "/api/v1/sites/", "/api/v1/figures/"} <= paths
        assert "Inserm" in chromium.find_element(By.CSS_SELECTOR, ".info .title").text
        # Swagger UI's stylesheet applied (from the sidecar package, not a CDN).
        assert (
            chromium.execute_script(
                "return getComputedStyle(document.querySelector('.swagger-ui .info .title')).fontFamily"
            )
            != ""
        )
        violations = chromium.execute_script("return window.__cspViolations")
        assert violations == [], violations
    finally:
        chromium.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": watch["identifier"]})
