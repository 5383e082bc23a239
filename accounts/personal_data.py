"""A user's personal data: download it as JSON, ask for its erasure, and (staff) carry it out.

Accounts imports no other app of ours, so each app that holds personal data registers a section
(an exporter, and optionally an eraser) from its AppConfig.ready(), as applications does for the
profile, applications, partners, budget and e-mails. The account itself is handled here.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import record
from .models import AuditEvent, ErasureRequest

_sections = {}


class ErasureError(Exception):
    pass


def register_section(name, exporter, eraser=None):
    """`exporter(user) -> JSON-able value` appears under `name` in the download; `eraser(user,
    by_user) -> str` erases what the app may erase and says what it kept (for the staff record)."""
    _sections[name] = (exporter, eraser)


def account_data(user):
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "roles": {"researcher": user.is_researcher, "reviewer": user.is_reviewer, "staff": user.is_staff},
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "erasure_requests": [
            {"status": r.status, "requested_at": r.requested_at, "handled_at": r.handled_at}
            for r in user.erasure_requests.all()
        ],
    }


def export(user):
    """Everything the portal holds about `user`, as a JSON-able dict (dates as ISO strings once
    encoded with DjangoJSONEncoder)."""
    data = {"exported_at": timezone.now(), "account": account_data(user)}
    for name, (exporter, _eraser) in sorted(_sections.items()):
        data[name] = exporter(user)
    return data


def pending_request(user):
    return ErasureRequest.objects.filter(user=user, status=ErasureRequest.Status.PENDING).first()


def request_erasure(user, reason=""):
    """Record the user's request (once: asking again while one is pending returns it)."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().get(pk=user.pk)
        existing = pending_request(user)
        if existing is not None:
            return existing
        erasure = ErasureRequest.objects.create(user=user, user_repr=user.email, reason=(reason or "")[:2000])
        record(user, AuditEvent.Action.ERASURE_REQUESTED, erasure)
    return erasure


def anonymise_account(user):
    """The account can no longer log in and no longer names anyone; its row stays, because the
    records kept (submitted applications, decisions) point to it."""
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_researcher = False
    user.is_reviewer = False
    user.set_unusable_password()
    user.save()
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()


def erase(erasure, by_user):
    """Staff carry out a pending request: each app erases what it may, the account is anonymised,
    and what was done is written on the request and in the audit trail."""
    if not (by_user is not None and by_user.is_authenticated and by_user.is_staff):
        raise ErasureError(_("Only staff may do this."))
    with transaction.atomic():
        locked = ErasureRequest.objects.select_for_update(of=("self",)).select_related("user").get(pk=erasure.pk)
        if locked.status != ErasureRequest.Status.PENDING:
            raise ErasureError(_("This request was already handled."))
        user = locked.user
        if user is None:
            raise ErasureError(_("This account no longer exists."))
        if user.is_staff:
            raise ErasureError(_("A staff account is closed by the administrators, not erased here."))
        outcomes = []
        for name, (_exporter, eraser) in sorted(_sections.items()):
            if eraser is not None:
                outcomes.append(f"{name}: {eraser(user, by_user)}")
        anonymise_account(user)
        outcomes.append("account: e-mail, names and password removed; the account can no longer log in.")
        locked.status = ErasureRequest.Status.DONE
        locked.handled_at = timezone.now()
        locked.handled_by = by_user
        locked.outcome = "\n".join(outcomes)
        locked.save(update_fields=["status", "handled_at", "handled_by", "outcome"])
        record(by_user, AuditEvent.Action.ERASURE_DONE, locked, outcome=locked.outcome)
    return locked


def refuse(erasure, by_user, reason):
    if not (by_user is not None and by_user.is_authenticated and by_user.is_staff):
        raise ErasureError(_("Only staff may do this."))
    with transaction.atomic():
        locked = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
        if locked.status != ErasureRequest.Status.PENDING:
            raise ErasureError(_("This request was already handled."))
        locked.status = ErasureRequest.Status.REFUSED
        locked.handled_at = timezone.now()
        locked.handled_by = by_user
        locked.outcome = reason
        locked.save(update_fields=["status", "handled_at", "handled_by", "outcome"])
    return locked
