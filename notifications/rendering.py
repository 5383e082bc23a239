"""Turn a notification into the subject, plain text and HTML of its e-mail, in its language.

Templates live in the declaring app's templates/notifications/email/<kind>.<lang>.{subject.txt,txt,html}.
Text templates are rendered without HTML escaping. Missing context keys render as empty strings;
a few derived values (call_title, closes_at_display, due_date_display, amount_display,
outcome_display, url) are computed here so templates stay simple.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.template import Context, engines
from django.template.exceptions import TemplateDoesNotExist
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

OUTCOMES = {
    "funded": pgettext_lazy("decision on an application", "Funded"),
    "accepted": pgettext_lazy("decision on an application", "Funded"),
    "rejected": pgettext_lazy("decision on an application", "Not funded"),
    "declined": pgettext_lazy("decision on an application", "Not funded"),
    "waitlisted": _("On the waiting list"),
    "inadmissible": _("Inadmissible"),
}


@dataclass
class RenderedMessage:
    subject: str
    text: str
    html: str


def absolute_url(language, url_path):
    if not url_path:
        return ""
    return f"{settings.PORTAL_BASE_URL}/{language}/{str(url_path).lstrip('/')}"


def _display_datetime(value):
    if not value:
        return ""
    moment = parse_datetime(str(value))
    if moment is None:
        day = parse_date(str(value))
        return formats.date_format(day, "DATE_FORMAT") if day else str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _display_date(value):
    if not value:
        return ""
    day = parse_date(str(value)[:10])
    return formats.date_format(day, "DATE_FORMAT") if day else str(value)


def _display_amount(value):
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    # As the portal's pages show amounts (calls.templatetags.portal_format): cents only when any.
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{formats.number_format(amount, places, use_l10n=True, force_grouping=True)}\xa0€"


def template_context(notification, recipient=None):
    """Context for the templates; call inside translation.override(notification.language)."""
    data = dict(notification.context or {})
    language = notification.language
    other = "en" if language == "fr" else "fr"
    outcome = data.get("outcome") or ""
    # Every date of a context ("due_date", "start_date"...) also as the language shows it.
    data.update({f"{key}_display": _display_date(value) for key, value in list(data.items()) if key.endswith("_date")})
    data.update(
        {
            "portal_name": str(settings.PORTAL_NAME),
            "language": language,
            "url": absolute_url(language, data.get("url_path")),
            "call_title": data.get(f"call_title_{language}") or data.get(f"call_title_{other}") or "",
            "closes_at_display": _display_datetime(data.get("closes_at")),
            "due_date_display": _display_date(data.get("due_date")),
            "amount_display": _display_amount(data.get("amount")),
            "outcome_display": str(OUTCOMES.get(outcome, outcome)),
            # Someone without an account is named by the context ("recipient_name").
            "recipient_name": (
                (recipient.get_full_name() or recipient.email)
                if recipient is not None
                else data.get("recipient_name", "")
            ),
        }
    )
    return data


def _render(name, context, autoescape):
    engine = engines["django"].engine
    return engine.get_template(name).render(Context(context, autoescape=autoescape))


def _template_name(kind, language, suffix):
    name = f"notifications/email/{kind}.{language}.{suffix}"
    try:
        engines["django"].engine.get_template(name)
    except TemplateDoesNotExist:
        return f"notifications/email/{kind}.{settings.LANGUAGE_CODE}.{suffix}"
    return name


def _one_line(text):
    return " ".join(text.split())


def render_subject(notification, context=None):
    """The subject as it would be sent (overrides included); no database access."""
    if notification.subject_override:
        return _one_line(notification.subject_override)
    with translation.override(notification.language):
        if context is None:
            context = template_context(notification)
        return _one_line(
            _render(_template_name(notification.kind, notification.language, "subject.txt"), context, False)
        )


def render_message(notification):
    """Subject, text and HTML of the e-mail; staff overrides replace the template's subject and text."""
    with translation.override(notification.language):
        context = template_context(notification, recipient=notification.recipient)
        subject = render_subject(notification, context)
        if notification.body_override:
            text = notification.body_override
            html = _render("notifications/email/override.html", {**context, "body": text}, True)
        else:
            text = _render(_template_name(notification.kind, notification.language, "txt"), context, False)
            html = _render(_template_name(notification.kind, notification.language, "html"), context, True)
    return RenderedMessage(subject=subject, text=text.strip() + "\n", html=html)
