"""French and English labels for the admin pages of the libraries staff use (django-otp's
authenticator devices, django-axes' login records).

django-otp marks none of its labels for translation and django-axes' French catalogue is partial,
so French staff read "TOTP devices", "Clean up expired attempts" or "USER AGENT". The labels are
set here, at start-up, from the portal's own catalogue; the msgids below are axes' own, which the
portal's catalogue (first in the search order) then translates.
"""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# django-axes' labels, extracted by makemessages from here and translated in locale/fr.
AXES_LABELS = [
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]

# django-otp's TOTP device: its app, model and fields, labelled for staff.
TOTP_LABELS = {
    "app": _("Second factor (authenticator apps)"),
    "model": (_("authenticator app"), _("authenticator apps")),
    "fields": {
        "user": (_("staff member"),),
        "name": (_("device name"),),
        "confirmed": (_("set up"),),
        "created_at": (_("added on"),),
        "last_used_at": (_("last used on"),),
    },
}


def _login_record_title(record):
    """An axes record as staff read it: "who — when" in Paris time, in the reader's language
    (axes' own reads "Access Log for staff@… @ 2026-12-03 19:56:34.675959+00:00")."""
    from django.utils import formats, timezone

    moment = getattr(record, "attempt_time", None)
    when = formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"
    return f"{record.username or '—'} — {when}"


def label_third_party_models():
    """Called from AccountsConfig.ready(). Only the model's names change here: its fields keep
    their own (a changed field would ask for a migration of django-otp); the admin form and
    columns show TOTP_LABELS instead (accounts/admin.py). django-axes' records get a title in
    local time (their admin pages and breadcrumbs show it)."""
    if apps.is_installed("axes"):
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
            apps.get_model("axes", name).__str__ = _login_record_title
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    config = apps.get_app_config("otp_totp")
    config.verbose_name = TOTP_LABELS["app"]
    model = config.get_model("TOTPDevice")
    model._meta.verbose_name, model._meta.verbose_name_plural = TOTP_LABELS["model"]
