from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "inserm_portal"
    verbose_name = "Inserm portal"
