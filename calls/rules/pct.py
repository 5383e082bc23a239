"""Programmes de coordination thématique (Integrate): a few partners around a priority theme."""

from django.utils.translation import gettext_noop

from .base import failed, passed, text, to_do

PCT_PARTNER_CODE = "pct.partner_count"


def check_pct_theme(call, proposal):
    """Source: "autour d'une thématique identifiée comme prioritaire par la Direction générale":
    the theme of a PCT is one of the call's priority themes."""
    code = "pct.theme_not_priority"
    if not proposal.theme:
        return to_do(code, text(gettext_noop("Choose one of this call's priority themes.")), "theme")
    if proposal.theme not in call.priority_themes:
        return failed(code, text(gettext_noop("The chosen theme is not one of this call's priority themes.")), "theme")
    return passed(code, text(gettext_noop("The chosen theme is one of this call's priority themes.")))
