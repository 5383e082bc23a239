"""Content-Security-Policy without inline scripts, production cookies and HSTS."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.test import Client

from tests.calls.factories import ZoneFactory

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def directives(header):
    return {part.split()[0]: " ".join(part.split()[1:]) for part in header.split(";") if part.strip()}


class InlineCode(HTMLParser):
    """Collects what a strict CSP blocks: inline <script>, style="" and on*="" attributes, <style>."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") not in ("application/json",):
            self.found.append(f"<script> without src: {attrs}")
        if tag == "style":
            self.found.append("<style> element")
        for name, _value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_every_page_sends_the_content_security_policy(db):
    response = Client().get("/en/")
    policy = directives(response["Content-Security-Policy"])
    for name, value in POLICY.items():
        assert policy[name] == value
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_admin_sends_the_same_policy(staff):
    client = Client()
    client.force_login(staff)
    response = client.get("/admin/")
    assert directives(response["Content-Security-Policy"])["script-src"] == "'self'"


def test_no_template_of_the_portal_holds_inline_script_style_or_event_handler():
    offenders = []
    for folder in [ROOT / "templates", *ROOT.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=|<style", text):
                offenders.append(str(path.relative_to(ROOT)))
            if re.search(r"\son[a-z]+\s*=", text):
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


def test_rendered_pages_and_admin_forms_have_nothing_the_policy_would_block(staff, db):
    ZoneFactory()
    client = Client()
    client.force_login(staff)
    pages = [
        "/en/",
        "/en/calls/",
        "/en/accounts/my-data/",
        "/en/reviews/staff/",
        "/admin/",
        "/admin/calls/call/add/",  # filter_horizontal widgets, date pickers
        "/admin/calls/zone/add/",  # prepopulated fields, inlines
        "/admin/calls/call/from-instrument/",
        "/admin/accounts/auditevent/",
        "/admin/reviews/routingproposal/add/",
    ]
    found = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        problems = inline_code(response.content.decode())
        if problems:
            found[page] = problems
    anonymous = Client()
    for page in ["/en/accounts/login/", "/en/accounts/signup/", "/fr/"]:
        problems = inline_code(anonymous.get(page).content.decode())
        if problems:
            found[page] = problems
    assert not found


def test_production_settings_use_secure_cookies_and_hsts():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "STAFF_REQUIRE_2FA",
        "SESSION_COOKIE_HTTPONLY",
    ]
    code = "import json; from django.conf import settings; print(json.dumps({n: getattr(settings, n) for n in %r}))"
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "STAFF_REQUIRE_2FA"}}
    env.update({"DEBUG": "0", "SECRET_KEY": "y" * 50, "DJANGO_SETTINGS_MODULE": "inserm_portal.settings"})
    result = subprocess.run(
        [sys.executable, "-c", code % names], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "STAFF_REQUIRE_2FA": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }
