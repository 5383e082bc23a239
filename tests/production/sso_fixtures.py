"""Fixtures of single sign-on's tests: the test OpenID Connect provider (oidc_provider.py) in its
own process for the session, and the portal's settings pointing at it. Imported by
tests/production/conftest.py and by tests/e2e/test_sso.py."""

import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

PROVIDER_SCRIPT = Path(__file__).with_name("oidc_provider.py")
CLIENT_ID = "inserm-portal"
CLIENT_SECRET = "provider-test-secret"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningProvider:
    def __init__(self, port):
        self.url = f"http://127.0.0.1:{port}"

    def next_login(self, email, *, sub=None, email_verified=True, amr=("pwd",), **options):
        """Who the provider logs in at the next /authorize, and how it answers: claims=... adds to
        the userinfo's claims; aud, iss, exp_in, acr change the id_token."""
        claims = {"sub": sub or f"sub-{email}", "email": email, "email_verified": email_verified}
        claims.update(options.pop("claims", {}))
        response = requests.post(
            f"{self.url}/_test/next", json={"claims": claims, "amr": list(amr), **options}, timeout=5
        )
        response.raise_for_status()

    def log(self):
        return requests.get(f"{self.url}/_test/log", timeout=5).json()

    def settings_for(self, settings):
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_ISSUER = self.url
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{self.url}/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{self.url}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{self.url}/userinfo"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{self.url}/jwks"


@pytest.fixture(scope="session")
def oidc_provider():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(PROVIDER_SCRIPT), str(port), CLIENT_ID, CLIENT_SECRET],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "ready", "the test OIDC provider did not start"
        provider = RunningProvider(port)
        requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=5).raise_for_status()
        yield provider
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso(oidc_provider, settings):
    """Single sign-on on, with the test provider."""
    oidc_provider.settings_for(settings)
    return oidc_provider


@pytest.fixture
def sso_provider_down(settings):
    """Single sign-on configured, with nobody answering at the provider's address."""
    url = f"http://127.0.0.1:{free_port()}"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_ISSUER = url
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{url}/jwks"
    return url
