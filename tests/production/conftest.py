"""Fixtures of the production-shape tests (issue 20)."""

from .sso_fixtures import oidc_provider, sso, sso_provider_down  # noqa: F401 (fixtures)
