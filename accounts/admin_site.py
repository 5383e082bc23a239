"""The admin site: staff only, and with a verified second factor when STAFF_REQUIRE_2FA is on.

The setting is read at each request, so tests (and an operator) may switch it without a restart of
the URL configuration. Logging in always goes through the portal's login page (throttled by
django-axes), then through the second-factor page: the admin has no login form of its own.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _


def second_factor_ok(request):
    user = request.user
    if not settings.STAFF_REQUIRE_2FA:
        return True
    is_verified = getattr(user, "is_verified", None)
    if is_verified and is_verified():
        return True
    # Logged in through the identity provider, which asserted multi-factor authentication
    # (accounts.oidc): the provider's second factor stands for the portal's.
    from .oidc import IDP_MFA_SESSION_KEY

    session = getattr(request, "session", None)
    return bool(user.is_authenticated and session is not None and session.get(IDP_MFA_SESSION_KEY) == str(user.pk))


def _cached_list(changelist_view):
    from functools import wraps

    from . import page_cache

    table = changelist_view.__self__.model._meta.db_table
    stamps = ("data", page_cache.OWN_STAMP_TABLES[table]) if table in page_cache.OWN_STAMP_TABLES else ("data",)
    name = f"admin:{changelist_view.__self__.model._meta.label_lower}"

    @wraps(changelist_view)
    def view(request, *args, **kwargs):
        return page_cache.response(request, name, lambda: changelist_view(request, *args, **kwargs), stamps=stamps)

    return view


class PortalAdminSite(admin.AdminSite):
    site_header = _("Inserm international cooperation — staff")
    site_title = _("Inserm portal admin")
    index_title = _("Calls, applications, reviews and notifications")

    def has_permission(self, request):
        return super().has_permission(request) and second_factor_ok(request)

    def admin_view(self, view, cacheable=False):
        """Every list (a changelist) is kept per reader and URL until the data change
        (page_cache.response): at a year's scale Django draws its 50 rows cell by cell. The
        site's own checks (staff, second factor) run first, on every request; a permission
        taken away is a write, which drops the stamp."""
        if getattr(view, "__name__", "") == "changelist_view" and hasattr(view, "__self__"):
            view = _cached_list(view)
        return super().admin_view(view, cacheable)

    def each_context(self, request):
        """Every admin page's context, with the list of models for the side menu built only when
        a template reads it: the menu is kept a minute in the cache (templates/admin/base_site.html),
        and building it checks four permissions of each of the 40 models (an eighth of a short
        changelist's time)."""
        request._portal_lazy_app_list = True
        try:
            return super().each_context(request)
        finally:
            del request._portal_lazy_app_list

    def get_app_list(self, request, app_label=None):
        if getattr(request, "_portal_lazy_app_list", False):
            return SimpleLazyObject(lambda: super(PortalAdminSite, self).get_app_list(request, app_label))
        return super().get_app_list(request, app_label)

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return redirect(target)
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff and not second_factor_ok(request):
            return redirect(f"{reverse('two_factor')}?{urlencode({'next': target})}")
        if user.is_authenticated:
            # Sending a logged-in researcher to the login page would send them straight back here
            # (a redirect loop): say why instead.
            raise PermissionDenied(
                _(
                    "Staff administration is for the staff of the international relations offices: "
                    "your account is not a staff account. Your own pages are in the menu above."
                )
            )
        return redirect_to_login(target)
