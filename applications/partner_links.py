"""The signed link a partner team's leader confirms their participation with (no account needed).

The token is the key: signed with the portal's secret and a salt of its own, it names one partner
team and the version of its link, and it expires when the call closes (to the second, in the
payload: a link cannot outlive the call, whatever the signer's clock says). Sending the link again
takes the next version (services in partners.py), so every older link is refused.

    token = make_link(partner)
    partner, reason = read_link(token, now)   # reason is None for a good link, else a LinkRefused
"""

from datetime import UTC, datetime
from enum import StrEnum

from django.core import signing

from .models import Application, PartnerTeam

SALT = "applications.partner_links"


class LinkRefused(StrEnum):
    """Why a link does not open the partner's page; the page explains each in words."""

    TAMPERED = "tampered"
    EXPIRED = "expired"
    REPLACED = "replaced"
    CLOSED = "closed"


def make_token(partner_id, version, expires_at):
    """The token for one partner team and version of its link, valid until `expires_at`."""
    payload = {"p": int(partner_id), "v": int(version), "e": int(expires_at.timestamp())}
    return signing.dumps(payload, salt=SALT, compress=False)


def make_link(partner):
    """The token of `partner`'s current link; it expires when the application's call closes."""
    return make_token(partner.pk, partner.link_version, partner.application.call.closes_at)


def link_path(partner):
    """The partner's page, without the language prefix (notifications add it)."""
    return f"/partners/{make_link(partner)}/"


def expires_at(token):
    """When a well-signed token expires, else None."""
    payload = _payload(token)
    return datetime.fromtimestamp(payload["e"], tz=UTC) if payload else None


def _payload(token):
    try:
        payload = signing.loads(str(token), salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), int) for key in ("p", "v", "e")):
        return None
    return payload


def read_link(token, now):
    """(partner, None) for a link that opens the partner's page at `now`, else (None, reason).

    Refused: a token not signed by the portal (TAMPERED), a moment at or after its expiry (EXPIRED),
    a partner team gone (TAMPERED: nothing to tell about it) or sent a newer link (REPLACED), an
    application no longer a draft or a call that has closed (CLOSED).
    """
    payload = _payload(token)
    if payload is None:
        return None, LinkRefused.TAMPERED
    if int(now.timestamp()) >= payload["e"]:
        return None, LinkRefused.EXPIRED
    partner = PartnerTeam.objects.select_related("application__call__instrument").filter(pk=payload["p"]).first()
    if partner is None:
        return None, LinkRefused.TAMPERED
    if partner.link_version != payload["v"]:
        return None, LinkRefused.REPLACED
    application = partner.application
    if application.status != Application.Status.DRAFT or not application.call.is_open_at(now):
        return None, LinkRefused.CLOSED
    return partner, None
