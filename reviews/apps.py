from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Reviews and decisions")

    def ready(self):
        from applications.permissions import register_visibility_rule

        from . import actions, notices  # noqa: F401 (declare the reviews' audit actions and notifications)
        from .permissions import assigned_reviewer_sees_application

        register_visibility_rule(assigned_reviewer_sees_application)

        from applications.selectors import register_dashboard_extension

        from .selectors import annotate_dashboard_outcome, describe_dashboard_outcome

        register_dashboard_extension(annotate_dashboard_outcome, describe_dashboard_outcome)

        from applications.selectors import register_vocabulary

        from .selectors import expertise_vocabulary

        register_vocabulary(expertise_vocabulary)

        from accounts.personal_data import register_section

        from . import personal_data

        register_section("reviews", personal_data.export, personal_data.erase, models=personal_data.MODELS)
