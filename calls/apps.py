from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls for projects")

    def ready(self):
        from . import actions, notices  # noqa: F401 (declare the calls' audit actions and notifications)
