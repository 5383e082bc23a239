"""Receivers of other apps' events (connected in ApplicationsConfig.ready)."""

from notifications.services import notify

ACCOUNT_VERIFICATION = "account_verification"
PASSWORD_RESET = "password_reset"


def queue_verification_email(sender, user, url_path, **kwargs):
    """A new researcher's verification link goes through the outbox, in their language."""
    notify(user, ACCOUNT_VERIFICATION, {"url_path": url_path}, language=user.language)


def queue_password_reset_email(sender, user, url_path, **kwargs):
    """A password reset link goes through the outbox, in the account's language."""
    notify(user, PASSWORD_RESET, {"url_path": url_path}, language=user.language)
