from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "cooperation"
    verbose_name = _("Inserm in the world")

    def ready(self):
        from accounts.personal_data import register_section

        from . import actions, permissions, personal_data, signals  # noqa: F401 (audit actions; permissions; projects and PIC feed the register)

        register_section("cooperation", personal_data.export, personal_data.erase, models=personal_data.MODELS)
