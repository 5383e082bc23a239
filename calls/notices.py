"""The notifications calls send (declared with the outbox on import; see notifications/kinds.py)."""

from django.utils.translation import gettext_lazy as _

from notifications.kinds import declare

#: To the researchers subscribed to the call's instrument (notify_topic).
CALL_OPENED = declare(
    "call.opened",
    _("Call opened"),
    context=("call_title_fr", "call_title_en", "instrument_code", "closes_at", "url_path"),
)
