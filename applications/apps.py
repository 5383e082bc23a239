from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Applications")

    def ready(self):
        from accounts.signals import password_reset_requested, signup_for_existing_account, verification_requested

        from . import actions, notices  # noqa: F401 (declare the applications' audit actions and notifications)
        from .signals import queue_existing_account_email, queue_password_reset_email, queue_verification_email

        verification_requested.connect(queue_verification_email, dispatch_uid="applications.verification_email")
        password_reset_requested.connect(queue_password_reset_email, dispatch_uid="applications.password_reset_email")
        signup_for_existing_account.connect(
            queue_existing_account_email, dispatch_uid="applications.existing_account_email"
        )

        from calls.services import register_closing_consequence

        from .signals import drafts_cut_off

        register_closing_consequence(drafts_cut_off)

        from calls.selectors import register_application_finder

        from .signals import own_application

        register_application_finder(own_application)

        from accounts.personal_data import register_section

        from . import personal_data

        register_section("applications", personal_data.export, personal_data.erase, models=personal_data.MODELS)

        from accounts.signals import sso_account_created

        from .sso import profile_from_claims

        sso_account_created.connect(profile_from_claims, dispatch_uid="applications.sso_profile")
