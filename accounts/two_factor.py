"""Staff's second factor: a TOTP device (an authenticator app), set up once, asked at each login."""

import base64
import io

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import AccountAction, record

DEVICE_NAME = "authenticator"


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user):
    """The unconfirmed device being set up (created once, so reloading the page keeps the QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def qr_code_data_uri(text):
    """The QR code as an SVG data: URI, so the page needs no inline markup nor script (CSP)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def secret_for_display(device):
    """The key in base32, in groups of four, for staff who type it instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_token(token):
    return "".join(ch for ch in (token or "") if ch.isdigit())[:8]


class WrongCode(Exception):
    """The code is refused; the message says why (wrong or late code, or too many tries)."""


def _check(device, token):
    if device is None:
        raise WrongCode(_("This code is not valid (or came too late): type the code your app shows now."))
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        # django-otp doubles the wait after each wrong code: guessing 10^6 codes is out of reach.
        raise WrongCode(_("Too many wrong codes: wait a few seconds, then type the code your app shows."))
    if not device.verify_token(clean_token(token)):
        raise WrongCode(_("This code is not valid (or came too late): type the code your app shows now."))


def verify(request, token):
    """Check the code against the user's confirmed device and mark the session verified; raise
    WrongCode otherwise."""
    device = confirmed_device(request.user)
    _check(device, token)
    otp_login(request, device)


def enrol(request, token):
    """Confirm the pending device with a first code (the session is verified with it); raise
    WrongCode otherwise."""
    refusal = None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=request.user, confirmed=False).first()
        try:
            _check(device, token)
        except WrongCode as wrong:
            # Raised outside the block: the failure count django-otp has just saved on the device
            # (its throttle) must be committed, not rolled back with the refusal.
            refusal = wrong
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            record(request.user, AccountAction.TWO_FACTOR_ENROLLED, request.user)
    if refusal is not None:
        raise refusal
    otp_login(request, device)
