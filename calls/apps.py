from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls for projects")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import actions, notices, page_cache  # noqa: F401 (declare the calls' audit actions and notifications)

        # Every database connection reports its writes to the page cache (calls/page_cache.py).
        connection_created.connect(page_cache.install, dispatch_uid="calls.page_cache")
