"""Login: throttling with django-axes, and the password check that knows unverified accounts."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

UserModel = get_user_model()


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


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend that also notes, on the request, an account whose password is right
    but whose e-mail address awaits verification, so the login page can say so and offer a new
    link (instead of "wrong password"). One password check, as for any other attempt: the page
    takes as long whatever the account's state, and django-axes counts the failure as usual."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(UserModel.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = UserModel._default_manager.get_by_natural_key(username)
        except UserModel.DoesNotExist:
            UserModel().set_password(password)  # the same work as for a real account
            return None
        if not user.check_password(password):
            return None
        if self.user_can_authenticate(user):
            return user
        if request is not None and not user.is_active and user.last_login is None:
            request.awaiting_verification = user
        return None
