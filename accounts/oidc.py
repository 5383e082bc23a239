"""Single sign-on for Inserm agents through the institute's OpenID Connect provider
(mozilla-django-oidc), beside the local accounts of foreign partners and external reviewers.

Off unless the client and the provider's endpoints are all set (settings, "Single sign-on"): the
backend then answers nothing and the pages under /oidc/ do not exist. When on:
- an account is matched by its e-mail address, and only an address the provider says it verified
  (`email_verified`); an unknown address gets a researcher's account, its profile pre-filled from
  the claims by whichever app owns profiles (the `sso_account_created` signal);
- staff status is never taken from a claim, unless OIDC_STAFF_GROUP names a group of the `groups`
  claim (then it is granted, never withdrawn: staff status is withdrawn in admin);
- the id_token's signature, audience (this client), issuer (when OIDC_OP_ISSUER is set), expiry and
  nonce are checked; the library's own check leaves the audience out;
- when the provider asserts multi-factor authentication (`amr` or `acr`), a staff member's session
  counts as verified for the second factor (accounts.admin_site.second_factor_ok).
"""

import logging

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .audit import AccountAction, record
from .signals import sso_account_created

logger = logging.getLogger(__name__)

REQUIRED_SETTINGS = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)
# The session key that says "this staff member's provider asserted multi-factor authentication";
# its value is the user's id, so it never counts for another account in the same browser.
IDP_MFA_SESSION_KEY = "sso_mfa_user"
PROBE_CACHE_SECONDS = 60


def sso_configured():
    return all(getattr(settings, name, "") for name in REQUIRED_SETTINGS)


def provider_reachable():
    """Whether the provider answers at its authorization endpoint (any answer below 500), asked
    with a short timeout and remembered a minute, so the login page stays fast when it is down."""
    url = settings.OIDC_OP_AUTHORIZATION_ENDPOINT
    key = f"sso-probe:{url}"
    known = cache.get(key)
    if known is not None:
        return known
    try:
        reachable = requests.get(url, timeout=settings.OIDC_PROBE_TIMEOUT, allow_redirects=False).status_code < 500
    except requests.RequestException:
        reachable = False
    if not reachable:
        logger.warning("The identity provider does not answer at %s", url)
    cache.set(key, reachable, PROBE_CACHE_SECONDS)
    return reachable


def asserts_mfa(claims):
    """Whether the provider says the person used more than a password (RFC 8176 `amr` values, or
    an `acr` the institute names for it)."""
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if set(amr) & set(settings.OIDC_MFA_AMR):
        return True
    return bool(claims.get("acr")) and claims.get("acr") in settings.OIDC_MFA_ACR


def _true(value):
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def staff_from_claims(claims):
    group = settings.OIDC_STAFF_GROUP
    groups = claims.get("groups") or []
    if isinstance(groups, str):
        groups = [groups]
    return bool(group) and group in groups


class Refused(SuspiciousOperation):
    """The provider's answer is refused; the message is for the person (see the callback view)."""


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        self.enabled = sso_configured()
        if self.enabled:
            super().__init__(*args, **kwargs)
        else:
            from django.contrib.auth import get_user_model

            self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        # A password login (or one without a request) is not this backend's.
        if not self.enabled or request is None or "password" in kwargs or "username" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload, key):
        """The library's check, with the audience (this client), the issuer (when known) and the
        times required: a token for another application, or an old one, is refused."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise Refused(f"The provider's algorithm {header.get('alg')!r} is not {self.OIDC_RP_SIGN_ALGO}.")
        issuer = settings.OIDC_OP_ISSUER or None
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=issuer,
                options={"require": ["exp", "iat", "aud", "sub"] + (["iss"] if issuer else [])},
                leeway=settings.OIDC_CLOCK_LEEWAY,
            )
        except jwt.InvalidTokenError as error:
            raise Refused(f"The id_token is refused: {error}") from error

    def get_or_create_user(self, access_token, id_token, payload):
        self.request.oidc_mfa = False
        user_info = self.get_userinfo(access_token, id_token, payload)
        if user_info.get("sub") != payload.get("sub"):
            raise Refused("The userinfo's subject is not the id_token's.")
        claims = {**user_info, **{k: payload[k] for k in ("amr", "acr") if k in payload}}
        email = (claims.get("email") or "").strip().lower()
        if not email or not _true(claims.get("email_verified")):
            self.request.oidc_refusal = _(
                "Your Inserm account has no verified e-mail address, so the portal cannot tell which account "
                "is yours: ask the Inserm IT support to verify it, or log in with your password."
            )
            return None
        users = list(self.UserModel.objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise Refused("Several accounts have this e-mail address.")
        user = self.update_user(users[0], claims) if users else self.create_user(claims)
        if not user.is_active:
            self.request.oidc_refusal = _(
                "This account is not active: write to the international relations office if you think it should be."
            )
            return None
        self.request.oidc_mfa = asserts_mfa(claims)
        return user

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(
            email=claims["email"].strip().lower(),
            password=None,  # no local password: the person logs in through the provider
            first_name=(claims.get("given_name") or "")[:150],
            last_name=(claims.get("family_name") or "")[:150],
            is_researcher=True,
            is_staff=staff_from_claims(claims),
            # The language of the page they left for the provider (oidc_views), for their e-mails.
            language=translation.get_language() if translation.get_language() in dict(settings.LANGUAGES) else "fr",
        )
        record(user, AccountAction.SSO_ACCOUNT_CREATED, user, staff=user.is_staff)
        sso_account_created.send(sender=self.UserModel, user=user, claims=claims)
        self.request.oidc_new_account = True
        return user

    def update_user(self, user, claims):
        changed = []
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
            if not getattr(user, field) and claims.get(claim):
                setattr(user, field, claims[claim][:150])
                changed.append(field)
        if not user.is_staff and staff_from_claims(claims):
            user.is_staff = True
            changed.append("is_staff")
            record(user, AccountAction.SSO_STAFF_GRANTED, user, group=settings.OIDC_STAFF_GROUP)
        if changed:
            user.save(update_fields=changed)
        return user
