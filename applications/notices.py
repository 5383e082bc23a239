"""The notifications applications send (declared with the outbox on import; see
notifications/kinds.py). The account e-mails are sent from here too: accounts imports neither
notifications nor any app of ours, and tells by signals (applications/signals.py)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import declare

#: To the applicant, at submission.
SUBMISSION_RECEIPT = declare(
    "application.receipt",
    _("Submission receipt"),
    context=("reference", "application_title", "call_title_fr", "call_title_en", "url_path"),
)
#: To a new, still inactive, researcher (sent whatever is_active says): the verification link.
ACCOUNT_VERIFICATION = declare("account.verification", _("Account verification"), context=("url_path",))
#: To a user who asked for a new password: the reset link (it expires after PASSWORD_RESET_TIMEOUT).
PASSWORD_RESET = declare("account.password_reset", _("Password reset"), context=("url_path",))
#: To the owner of an active account whose address someone signed up with: the login page.
SIGNUP_EXISTING_ACCOUNT = declare(
    "account.signup_existing", _("Sign-up with the address of an account"), context=("url_path",)
)
#: To the former and to the new lead of an application staff transferred (transfer.py); the
#: former lead's has no link (they no longer see the application).
APPLICATION_TRANSFERRED = declare(
    "application.transferred",
    _("Transfer of an application to another lead"),
    context=(
        *("reference", "application_title", "call_title_fr", "call_title_en"),
        *("former_lead", "new_lead", "reason", "is_new_lead", "url_path"),
    ),
)
#: To the applicant of a draft not yet submitted, 7 days and 1 day before the call closes
#: (reminders.py): the deadline, what the draft still lacks (in both languages), the link.
DRAFT_REMINDER = declare(
    "application.draft_reminder",
    _("Reminder of a draft before the call closes"),
    context=(
        *("application_title", "call_title_fr", "call_title_en", "closes_at", "days"),
        *("missing_fr", "missing_en", "url_path"),
    ),
)
#: To a partner team's leader (who has no account), in the language the applicant chose: the
#: signed link to confirm or decline (partners.py), sent when the team is added or its address
#: changes, and again when the applicant asks.
PARTNER_INVITATION = declare(
    "partner.invitation",
    _("Invitation of a partner team to confirm"),
    context=(
        *("recipient_name", "institution", "applicant_name", "application_title"),
        *("call_title_fr", "call_title_en", "closes_at", "url_path"),
    ),
)
#: To a partner team's leader who has not answered 7 days after the invitation: once.
PARTNER_REMINDER = declare(
    "partner.reminder",
    _("Reminder to a partner team to confirm"),
    context=(
        *("recipient_name", "institution", "applicant_name", "application_title"),
        *("call_title_fr", "call_title_en", "closes_at", "url_path"),
    ),
)
#: To the lead and the co-applicants who accepted, when staff ask for more information
#: (information.py): the message, the sections open again (in both languages), the deadline.
_INFORMATION = (
    *("reference", "application_title", "call_title_fr", "call_title_en"),
    *("message", "sections_fr", "sections_en", "deadline_date", "url_path"),
)
INFORMATION_REQUESTED = declare("application.info_requested", _("Request for more information"), context=_INFORMATION)
#: To the lead, when they resubmit: the receipt (the number of the frozen copy).
RESUBMISSION_RECEIPT = declare(
    "application.resubmitted", _("Resubmission receipt"), context=(*_INFORMATION, "version", "late")
)
#: To the staff who asked (or every staff who may ask, if they are gone): the answer came.
INFORMATION_RESUBMITTED = declare(
    "application.info_answered",
    _("Answer to a request for more information"),
    context=(*_INFORMATION, "version", "late", "admin_url"),
)
#: To the staff who asked (or every staff who may ask), once: the deadline passed unanswered.
INFORMATION_LAPSED = declare(
    "application.info_lapsed",
    _("No answer to a request for more information"),
    context=(*_INFORMATION, "admin_url"),
)
_CO_APPLICANT_CONTEXT = (
    *("recipient_name", "lead_name", "application_title", "call_title_fr", "call_title_en"),
    *("closes_at", "role", "url_path"),
)
#: To the address the lead invited as a co-applicant (its account in its language, else the bare
#: address in the lead's): the signed link to accept (co_applicants.py).
CO_APPLICANT_INVITATION = declare(
    "co_applicant.invitation", _("Invitation to be a co-applicant"), context=_CO_APPLICANT_CONTEXT
)
#: To the lead: a co-applicant accepted the invitation.
CO_APPLICANT_ACCEPTED = declare(
    "co_applicant.accepted",
    _("A co-applicant accepted the invitation"),
    context=(*_CO_APPLICANT_CONTEXT, "co_applicant_name"),
)
#: To a co-applicant (or an address invited) the lead removed: access has ended.
CO_APPLICANT_REMOVED = declare("co_applicant.removed", _("Removal of a co-applicant"), context=_CO_APPLICANT_CONTEXT)
