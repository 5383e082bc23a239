"""Receivers of other apps' events (connected in ApplicationsConfig.ready)."""

from notifications.services import notify

from .notices import ACCOUNT_VERIFICATION, PASSWORD_RESET, SIGNUP_EXISTING_ACCOUNT


def queue_verification_email(sender, user, url_path, **kwargs):
    """A new researcher's verification link goes through the outbox, in their language."""
    notify(user, ACCOUNT_VERIFICATION, {"url_path": url_path}, language=user.language)


def queue_password_reset_email(sender, user, url_path, **kwargs):
    """A password reset link goes through the outbox, in the account's language."""
    notify(user, PASSWORD_RESET, {"url_path": url_path}, language=user.language)


def queue_existing_account_email(sender, user, url_path, **kwargs):
    """Someone signed up with the address of an active account: its owner hears of it through the
    outbox, in their language (the sign-up page said the same as for any address)."""
    notify(user, SIGNUP_EXISTING_ACCOUNT, {"url_path": url_path}, language=user.language)


def drafts_cut_off(call_ids):
    """Registered with calls.services: closing a call cuts off its drafts, which can no longer be
    submitted; staff read how many before they confirm."""
    from django.db.models import Count
    from django.utils.translation import ngettext

    from .models import Application

    counts = (
        Application.objects.filter(call__in=call_ids, status=Application.Status.DRAFT)
        .values("call")
        .annotate(n=Count("pk"))
        .values_list("call", "n")
    )
    return {
        call_id: [
            ngettext(
                "%(count)d draft will be cut off: its applicant can no longer submit it.",
                "%(count)d drafts will be cut off: their applicants can no longer submit them.",
                n,
            )
            % {"count": n}
        ]
        for call_id, n in counts
    }


def own_application(user, call):
    """Registered with calls.selectors: the researcher's current application to `call` (withdrawn
    ones aside), so the call's page offers it instead of "Apply" a second time."""
    from django.urls import reverse

    from .services import blocking_application, current_application

    application = current_application(user, call)
    if application is None:
        return None
    return {
        "title": application.title,
        "status": application.get_status_display(),
        "url": reverse("applications:detail", args=[application.pk]),
        "one_per_call": blocking_application(user, call) is not None,
    }
