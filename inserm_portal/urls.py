"""Root URLs: the public and user pages under /fr/ and /en/, Django admin at /admin/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from . import health, metrics
from .converters import DatabaseIdConverter

# Registered before the apps' URL modules are included: they write ids as <id:pk>.
register_converter(DatabaseIdConverter, "id")

admin.site.site_header = _("Inserm international cooperation — staff")
admin.site.site_title = _("Inserm portal admin")
admin.site.index_title = _("Calls, applications, reviews and notifications")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # For load balancers (issue 20): the process answers; the database, broker and storage answer.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    # The open API (issue 19): read-only, versioned, not translated (its data carry both languages).
    path("api/v1/", include("cooperation.api.urls")),
    # Single sign-on's start and callback (a 404 while it is off): one address for the provider.
    path("oidc/", include("accounts.oidc_views")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("reviews/", include("reviews.urls")),
    path("projects/", include("projects.urls")),
    path("international/", include("cooperation.urls")),
    path("", include("applications.urls")),
    path("", include("calls.urls")),
    prefix_default_language=True,
)
