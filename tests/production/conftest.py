"""Fixtures of the production-shape tests (issue 20)."""

from .s3_fixtures import s3_server  # noqa: F401 (fixtures)
from .sso_fixtures import oidc_provider, sso, sso_provider_down  # noqa: F401 (fixtures)
