"""Staff sessions: a second factor when it is required, and an idle timeout."""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from .admin_site import second_factor_ok

# Pages a staff member without a verified second factor may still reach.
EXEMPT_URL_NAMES = {"two_factor", "two_factor_enrol", "logout", "login", "set_language", "javascript-catalog"}

# How often a staff session's idle expiry is pushed back (and the session written).
REFRESH_EVERY = timedelta(minutes=1)


class StaffSecondFactorMiddleware:
    """A staff member who has not confirmed their second factor is sent to confirm it (or to set it
    up) before any page, Django admin included. Staff sessions also end after
    STAFF_SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            self.refresh_idle_expiry(request.session)
            if not second_factor_ok(request) and not self.exempt(request):
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def refresh_idle_expiry(session):
        """Push the session's end to STAFF_SESSION_IDLE_TIMEOUT from now, writing the session at
        most once a minute (not on every request): the timeout is then exact to the minute and a
        page costs no session write."""
        target = timezone.now() + timedelta(seconds=settings.STAFF_SESSION_IDLE_TIMEOUT)
        if "_session_expiry" not in session or target - session.get_expiry_date() >= REFRESH_EVERY:
            session.set_expiry(target)

    @staticmethod
    def exempt(request):
        path = request.path_info
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        match = getattr(request, "resolver_match", None)
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(path)
            except Resolver404:
                return True
        return match.url_name in EXEMPT_URL_NAMES
