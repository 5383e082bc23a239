from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Funded projects")

    def ready(self):
        from accounts.personal_data import register_section
        from applications.selectors import register_dashboard_section

        from . import (  # noqa: F401 (declare the audit actions, notifications, permissions)
            actions,
            notices,
            permissions,
            personal_data,
            signals,  # noqa: F401 (a published funded decision creates its project)
        )
        from .views.pages import MY_PROJECTS_TEMPLATE, my_projects

        # "My projects" on the researcher's dashboard (applications imports no app above it).
        register_dashboard_section(MY_PROJECTS_TEMPLATE, my_projects)
        # The projects' part of the personal-data download and erasure.
        register_section("projects", personal_data.export, personal_data.erase, models=personal_data.MODELS)
