"""What every page needs to know about the security settings: staff see when 2FA is relaxed."""

from django.conf import settings


def security(request):
    user = getattr(request, "user", None)
    is_staff = bool(user is not None and user.is_authenticated and user.is_staff)
    return {"two_factor_relaxed": is_staff and not settings.STAFF_REQUIRE_2FA}
