"""Sign-up and password reset: what the page does, then what the Celery task does.

Both pages take an address anyone may type. Whatever they do that depends on whether the address
has an account (a query, an insert, a message, its timing) would tell anyone which addresses do.
So the page does the same work for every address: it validates the form, hashes the password
(sign-up: the slow part, done every time) and queues a task on commit. The task looks the address
up and sends what fits, through the signals of accounts.signals (the applications app queues the
e-mails in the outbox). An address gets at most one e-mail per purpose in ACCOUNT_EMAIL_INTERVAL
(accounts.throttle), counted before the look-up, so for addresses with and without an account alike.

An existing account is never changed by a sign-up: its owner gets a fresh verification link (still
awaiting verification: the first link stays valid too) or a message saying someone tried to sign
up with their address (active account).
"""

import unicodedata
from enum import StrEnum
from functools import partial

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from . import throttle
from .models import User
from .signals import password_reset_requested, signup_for_existing_account, verification_requested
from .tokens import email_verification_token

SIGNUP = "signup"
PASSWORD_RESET = "password_reset"


class SignupOutcome(StrEnum):
    """What the sign-up task did (its result, for the logs and the tests; never shown to anyone)."""

    CREATED = "created"
    LINK_SENT_AGAIN = "link_sent_again"
    ACCOUNT_EXISTS = "account_exists"
    ACCOUNT_CLOSED = "account_closed"
    THROTTLED = "throttled"


# --- Links ---------------------------------------------------------------------------------------


def _path(url_name, *args):
    """A page's path without the language prefix, as notifications expect it."""
    with translation.override("fr"):
        return reverse(url_name, args=args).removeprefix("/fr")


def _uid(user):
    return urlsafe_base64_encode(force_bytes(user.pk))


def verification_path(user):
    return _path("signup_verify", _uid(user), email_verification_token.make_token(user))


def password_reset_path(user):
    return _path("password_reset_confirm", _uid(user), default_token_generator.make_token(user))


def awaiting_verification(user):
    """Signed up, never verified (is_active is set by the link, last_login by the first login). A
    deactivated account has logged in before: a link must not reopen it."""
    return not user.is_active and user.last_login is None


# --- Sign-up -------------------------------------------------------------------------------------


def request_signup(*, email, first_name, last_name, language, password):
    """The sign-up page's work, the same for every address: hash the password (every time, so
    every answer takes as long) and queue complete_signup on commit. The raw password never
    reaches the broker, only its hash."""
    from .tasks import complete_signup  # local: tasks imports this module (the one cycle allowed, services → tasks)

    fields = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "language": language,
        "password_hash": make_password(password),
    }
    transaction.on_commit(partial(complete_signup.delay, **fields))


def complete_signup(*, email, first_name, last_name, language, password_hash):
    """The sign-up task: create the inactive researcher account and send its verification link;
    for an address that has an account already, change nothing and tell its owner (see the
    module's docstring). At most one e-mail per address in ACCOUNT_EMAIL_INTERVAL."""
    if not throttle.first_email_in_interval(SIGNUP, email):
        return SignupOutcome.THROTTLED
    try:
        with transaction.atomic():
            return _complete_signup(email, first_name, last_name, language, password_hash)
    except Exception:
        throttle.forget_email(SIGNUP, email)
        raise


def find_account(email):
    return User.objects.filter(email__iexact=email).first()


def _complete_signup(email, first_name, last_name, language, password_hash):
    user = find_account(email)
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create(
                    email=email,
                    first_name=first_name,
                    last_name=last_name,
                    language=language,
                    password=password_hash,
                    is_active=False,
                    is_researcher=True,
                )
        except IntegrityError:
            # Another sign-up created the account between our look-up and our insert (the unique
            # index on the address settles it): that one stands, and is handled as existing.
            user = User.objects.get(email__iexact=email)
        else:
            verification_requested.send(sender=User, user=user, url_path=verification_path(user))
            return SignupOutcome.CREATED
    if awaiting_verification(user):
        verification_requested.send(sender=User, user=user, url_path=verification_path(user))
        return SignupOutcome.LINK_SENT_AGAIN
    if user.is_active:
        signup_for_existing_account.send(sender=User, user=user, url_path=_path("login"))
        return SignupOutcome.ACCOUNT_EXISTS
    # Deactivated (by staff, or erased on request): reopening it is staff's decision, not a link's.
    return SignupOutcome.ACCOUNT_CLOSED


class Verification(StrEnum):
    ACTIVATED = "activated"
    ALREADY_ACTIVE = "already_active"
    INVALID = "invalid"


def verify_email(uidb64, token):
    """The verification link followed: the account it names becomes active, once. An account
    already active whose link no longer checks (it was used) is ALREADY_ACTIVE; anything else
    (altered, expired, unknown) is INVALID and changes nothing."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError, User.DoesNotExist):
        return Verification.INVALID
    if email_verification_token.check_token(user, token):
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        return Verification.ACTIVATED
    return Verification.ALREADY_ACTIVE if user.is_active else Verification.INVALID


def request_verification_resend(email):
    """The "send the link again" button's work, the same for every address: queue the task."""
    from .tasks import resend_verification  # local: tasks imports this module

    transaction.on_commit(partial(resend_verification.delay, email))


def resend_verification(email):
    """A new verification link to the account with this address if it still awaits verification
    (nothing otherwise); counted with sign-up's e-mails (one per address in the interval)."""
    if not throttle.first_email_in_interval(SIGNUP, email):
        return False
    user = find_account(email)
    if user is None or not awaiting_verification(user):
        return False
    verification_requested.send(sender=User, user=user, url_path=verification_path(user))
    return True


# --- Password reset ------------------------------------------------------------------------------


def request_password_reset(email):
    """The password reset page's work, the same for every address: queue send_password_reset."""
    from .tasks import send_password_reset  # local: tasks imports this module

    transaction.on_commit(partial(send_password_reset.delay, email))


def _same_address(typed, stored):
    # As Django's PasswordResetForm.get_users: the database's case-insensitive match may pair
    # addresses that only Unicode case folding makes alike; only an exact match gets the link.
    return unicodedata.normalize("NFKC", typed).casefold() == unicodedata.normalize("NFKC", stored).casefold()


def password_reset_recipients(email):
    """The active accounts with a usable password whose address is `email` (without case)."""
    users = User.objects.filter(email__iexact=email, is_active=True)
    return [user for user in users if user.has_usable_password() and _same_address(email, user.email)]


def send_password_reset(email):
    """The password reset task: a reset link to the account with this address, if any, through the
    outbox in the account's language. At most one per address in ACCOUNT_EMAIL_INTERVAL. Returns
    how many links were sent."""
    if not throttle.first_email_in_interval(PASSWORD_RESET, email):
        return 0
    try:
        with transaction.atomic():
            users = password_reset_recipients(email)
            for user in users:
                password_reset_requested.send(sender=User, user=user, url_path=password_reset_path(user))
    except Exception:
        throttle.forget_email(PASSWORD_RESET, email)
        raise
    return len(users)
