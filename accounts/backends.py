"""Login throttling with django-axes."""

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' backend, which refuses a locked-out e-mail and IP address before any password
    check. A login without a request (the test client's ``login()``, a shell) is not an HTTP
    attempt and has no IP address to throttle: it is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials):
    """The e-mail address as the lockout key, without case (Jane@Inserm.fr is jane@inserm.fr)."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    # Stored by django-axes in a 255-character column: longer input (no e-mail is that long) is cut,
    # and still counts against the same address.
    return (value or "").strip().lower()[:254] or None


def lockout_response(request, original_response=None, credentials=None):
    """The translated lockout page (HTTP 429), with how long the lock lasts."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
