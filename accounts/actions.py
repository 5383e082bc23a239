"""The registry of audit actions (see accounts/audit.py): each app declares its own, namespaced by
what they are about, and registers them from its AppConfig.ready(). This module imports no model,
so that AuditEvent.action can take its choices from here."""

from django.db import models
from django.utils.translation import gettext_lazy as _

_actions = {}


def register_actions(choices):
    """Declare an app's actions (a TextChoices class); a code may be declared only once."""
    for code, label in choices.choices:
        if _actions.get(code, label) != label:
            raise ValueError(f"Audit action {code!r} is declared twice.")
        _actions[code] = label
    return choices


def action_choices():
    """Every registered action, for AuditEvent.action (evaluated lazily by Django)."""
    return sorted(_actions.items())


def action_label(code):
    return _actions.get(code, code)


def registered(code):
    return code in _actions


class AccountAction(models.TextChoices):
    """What accounts records of its own."""

    ERASURE_REQUESTED = "personal_data.erasure_requested", _("erasure of personal data requested")
    ERASURE_DONE = "personal_data.erased", _("personal data erased")
    TWO_FACTOR_ENROLLED = "two_factor.enrolled", _("second factor set up")
    SSO_ACCOUNT_CREATED = "sso.account_created", _("account created through Inserm single sign-on")
    SSO_STAFF_GRANTED = "sso.staff_granted", _("staff status granted from the identity provider's group")


register_actions(AccountAction)
