"""Signed, expiring tokens for the e-mail verification link sent at sign-up."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like Django's password-reset tokens (HMAC of the user's state, valid PASSWORD_RESET_TIMEOUT,
    three days by default), with its own salt; the hash covers `is_active` and the e-mail, so a
    link works once: after activation it is no longer valid."""

    key_salt = "accounts.tokens.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.password}{user.is_active}{user.email}{timestamp}"


email_verification_token = EmailVerificationTokenGenerator()
