from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import page_cache
        from .third_party_labels import label_third_party_models

        label_third_party_models()
        # Every database connection reports its writes to the page cache (page_cache.py).
        connection_created.connect(page_cache.install, dispatch_uid="accounts.page_cache")
        # The outbox's stamp, dropped once a request or a task is over (page_cache.DEFERRED_STAMPS).
        from celery.signals import task_postrun
        from django.core.signals import request_finished

        request_finished.connect(page_cache.drop_deferred, dispatch_uid="accounts.page_cache.request")
        task_postrun.connect(page_cache.drop_deferred, weak=False, dispatch_uid="accounts.page_cache.task")


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin with the portal's site (second factor for staff when it is required); listed
    in INSTALLED_APPS instead of django.contrib.admin."""

    default = False
    default_site = "accounts.admin_site.PortalAdminSite"
