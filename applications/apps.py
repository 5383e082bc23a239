from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from accounts.signals import password_reset_requested, verification_requested

        from .signals import queue_password_reset_email, queue_verification_email

        verification_requested.connect(queue_verification_email, dispatch_uid="applications.verification_email")
        password_reset_requested.connect(queue_password_reset_email, dispatch_uid="applications.password_reset_email")

        from accounts.personal_data import register_section

        from . import personal_data

        register_section("applications", personal_data.export, personal_data.erase)
