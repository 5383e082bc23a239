"""The kinds of notification the portal sends, and the context each one expects.

Each kind has three templates per language under
notifications/templates/notifications/email/: ``<kind>.<lang>.subject.txt``, ``<kind>.<lang>.txt``
and ``<kind>.<lang>.html``. The context is stored as plain JSON on the notification; every key is
optional when rendering (a missing key renders as an empty string), but callers should provide:

call_opened (to researchers subscribed to the call's instrument, via notify_topic)
    call_title_fr, call_title_en, instrument_code, closes_at (ISO 8601 string), url_path
submission_receipt (to the applicant)
    reference, application_title, call_title_fr, call_title_en, url_path
reviewer_invitation (to a reviewer)
    call_title_fr, call_title_en, url_path
assignment (to a reviewer)
    reference, application_title, due_date (ISO date string), url_path
review_reminder, review_overdue (to a reviewer; scheduled with not_before and a dedupe_key)
    reference, due_date, url_path
recusal (to staff)
    reviewer_name, reference, reason, url_path
decision (to the applicant; HELD for staff review before release)
    reference, application_title, outcome ("funded", "rejected", ...), amount (string, euros), url_path

account_verification (to a new, still inactive, researcher; sent whatever is_active says)
    url_path (the verification link's path)
password_reset (to a user who asked for a new password)
    url_path (the reset link's path; the link expires after PASSWORD_RESET_TIMEOUT)
signup_existing_account (to the owner of an active account whose address someone signed up with)
    url_path (the login page's path)

``url_path`` is the path without the language prefix (e.g. "/applications/12/"); the e-mail link
is ``settings.PORTAL_BASE_URL + "/<lang>" + url_path``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CALL_OPENED = "call_opened", _("Call opened")
    SUBMISSION_RECEIPT = "submission_receipt", _("Submission receipt")
    REVIEWER_INVITATION = "reviewer_invitation", _("Reviewer invitation")
    ASSIGNMENT = "assignment", _("Review assignment")
    REVIEW_REMINDER = "review_reminder", _("Review reminder")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    RECUSAL = "recusal", _("Recusal")
    DECISION = "decision", _("Decision letter")
    ACCOUNT_VERIFICATION = "account_verification", _("Account verification")
    PASSWORD_RESET = "password_reset", _("Password reset")
    SIGNUP_EXISTING_ACCOUNT = "signup_existing_account", _("Sign-up with the address of an account")


# Kinds created "held": staff read, possibly edit, and release them in batch.
HELD_KINDS = frozenset({Kind.DECISION})

EXPECTED_CONTEXT = {
    Kind.CALL_OPENED: ("call_title_fr", "call_title_en", "instrument_code", "closes_at", "url_path"),
    Kind.SUBMISSION_RECEIPT: (
        "reference",
        "application_title",
        "call_title_fr",
        "call_title_en",
        "url_path",
    ),
    Kind.REVIEWER_INVITATION: ("call_title_fr", "call_title_en", "url_path"),
    Kind.ASSIGNMENT: ("reference", "application_title", "due_date", "url_path"),
    Kind.REVIEW_REMINDER: ("reference", "due_date", "url_path"),
    Kind.REVIEW_OVERDUE: ("reference", "due_date", "url_path"),
    Kind.RECUSAL: ("reviewer_name", "reference", "reason", "url_path"),
    Kind.DECISION: ("reference", "application_title", "outcome", "amount", "url_path"),
    Kind.ACCOUNT_VERIFICATION: ("url_path",),
    Kind.PASSWORD_RESET: ("url_path",),
    Kind.SIGNUP_EXISTING_ACCOUNT: ("url_path",),
}
