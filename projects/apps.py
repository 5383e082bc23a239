from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Funded projects")

    def ready(self):
        from . import (  # noqa: F401 (declare the audit actions, notifications, permissions)
            actions,
            notices,
            permissions,
            signals,  # noqa: F401 (a published funded decision creates its project)
        )
