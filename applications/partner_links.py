"""The signed link a partner team's leader confirms their participation with (no account needed).

The token is the key: signed with the portal's secret and a salt of its own, it names one partner
team and the version of its link, and it expires when the call closes (to the second, in the
payload: a link cannot outlive the call, whatever the signer's clock says) — or, when staff asked
for more information on the partner teams of a submitted application (a team may be replaced
then), at the request's deadline (answers_until). Sending the link again
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


def answers_until(application):
    """Until when partner teams answer for `application`: the call's closing for a draft; the
    deadline of the open request for more information that opened the partner teams; else None."""
    if application.status == Application.Status.DRAFT:
        return application.call.closes_at
    if application.status == Application.Status.MORE_INFO:
        request = application.information_requests.filter(answered_at__isnull=True).first()
        if request is not None and "partners" in request.sections:
            return request.deadline
    return None


def taking_answers(application, now):
    """Partner teams answer for `application` at `now` (a draft on an open call, or an open
    request for more information on the partner teams before its deadline)."""
    until = answers_until(application)
    if until is None:
        return False
    if application.status == Application.Status.DRAFT:
        return application.call.is_open_at(now)
    return now < until


def make_link(partner):
    """The token of `partner`'s current link; it expires when its answers stop (answers_until)."""
    application = partner.application
    return make_token(partner.pk, partner.link_version, answers_until(application) or application.call.closes_at)


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
    application no longer taking its partners' answers (CLOSED: see taking_answers).
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
    if not taking_answers(application, now):
        return None, LinkRefused.CLOSED
    return partner, None
