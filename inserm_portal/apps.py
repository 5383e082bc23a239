from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "inserm_portal"
    verbose_name = "Inserm portal"

    def ready(self):
        from . import metrics, observability  # noqa: F401 (metrics: the tasks' durations, from any worker)

        observability.install()  # every log record carries the request id (and Celery's tasks too)
        # accounts and notifications, both at the bottom, import each other in neither direction:
        # the wiring hands the outbox's personal-data section to accounts.
        from accounts.personal_data import register_section
        from notifications import personal_data as notifications_data

        register_section(
            "notifications", notifications_data.export, notifications_data.erase, models=notifications_data.MODELS
        )
