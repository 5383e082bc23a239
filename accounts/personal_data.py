"""A user's personal data: download it as JSON, ask for its erasure, and (staff) carry it out.

Accounts imports no other app of ours, so each app that holds personal data registers a section
(an exporter, optionally an eraser, and the models it accounts for) from its AppConfig.ready(), as
applications does for the profile, applications, partners, budget and files. Every model with a
foreign key to the user must be named by one section (a test compares the declarations with the
installed models, third-party ones included).

The account section is declared here, for the user model and for what Django and the third-party
apps hold about an account: groups and permissions, the audit trail and admin's log of what the
user did, their erasure requests, their second-factor devices (django-otp) and their login records
(django-axes, which keys them by e-mail address rather than by a foreign key). It is erased last,
once every app has erased its part: its login records and second-factor devices are deleted, its
groups and permissions removed, and the account anonymised. Kept: the audit trail and admin's log
(they name the account by its e-mail at the time of each action: who did what must stay
answerable) and the erasure requests (the proof that the erasure was carried out).
"""

from collections import namedtuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import AccountAction, record
from .models import ErasureRequest

Section = namedtuple("Section", "exporter eraser models")

_sections = {}


class ErasureError(Exception):
    pass


def register_section(name, exporter, eraser=None, *, models=()):
    """`exporter(user) -> JSON-able value` appears under `name` in the download; `eraser(user,
    by_user) -> str` erases what the app may erase and says what it kept (for the staff record);
    `models` names ("app_label.ModelName") the models whose rows about the user the section
    exports and erases or keeps on purpose."""
    _sections[name] = Section(exporter, eraser, tuple(models))


def covered_models():
    """{"app_label.ModelName": section name} for every model a section accounts for."""
    return {label: name for name, section in _sections.items() for label in section.models}


def _login_records(model, user):
    # django-axes keys its rows by the e-mail typed at login (lower-cased, accounts.backends).
    return model.objects.filter(username__iexact=user.email).order_by("attempt_time", "pk")


_ADMIN_ACTIONS = {1: "added", 2: "changed", 3: "deleted"}


def account_data(user):
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.admin.models import LogEntry
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import AuditEvent

    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "draft_reminders": user.draft_reminders,
        "roles": {"researcher": user.is_researcher, "reviewer": user.is_reviewer, "staff": user.is_staff},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app_label}.{codename}"
            for app_label, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "erasure_requests": [
            {
                "status": r.status,
                "reason": r.reason,
                "requested_at": r.requested_at,
                "handled_at": r.handled_at,
                "outcome": r.outcome,
            }
            for r in user.erasure_requests.order_by("requested_at", "pk")
        ],
        "two_factor_devices": [
            {"name": d.name, "confirmed": d.confirmed, "created_at": d.created_at, "last_used_at": d.last_used_at}
            for d in TOTPDevice.objects.filter(user=user).order_by("pk")
        ],
        "logins": [
            {"at": r.attempt_time, "logout_at": r.logout_time, "ip_address": r.ip_address, "user_agent": r.user_agent}
            for r in _login_records(AccessLog, user)
        ],
        "failed_logins": [
            {
                "at": r.attempt_time,
                "failures": r.failures_since_start,
                "ip_address": r.ip_address,
                "user_agent": r.user_agent,
            }
            for r in _login_records(AccessAttempt, user)
        ]
        + [
            {"at": r.attempt_time, "locked_out": r.locked_out, "ip_address": r.ip_address, "user_agent": r.user_agent}
            for r in _login_records(AccessFailureLog, user)
        ],
        "actions": [
            {"at": e.at, "action": e.action, "record": e.object_repr}
            for e in AuditEvent.objects.filter(actor=user).order_by("at", "pk")
        ],
        "admin_actions": [
            {"at": e.action_time, "action": _ADMIN_ACTIONS.get(e.action_flag, ""), "record": e.object_repr}
            for e in LogEntry.objects.filter(user=user).order_by("action_time", "pk")
        ],
    }


# The account's section; its eraser is anonymise_account(), which erase() runs after every other.
register_section(
    "account",
    account_data,
    models=[
        "accounts.User",
        "accounts.User_groups",
        "accounts.User_user_permissions",
        "accounts.AuditEvent",
        "accounts.ErasureRequest",
        "admin.LogEntry",
        "otp_totp.TOTPDevice",
        "axes.AccessAttempt",
        "axes.AccessFailureLog",
        "axes.AccessLog",
    ],
)


def export(user):
    """Everything the portal holds about `user`, as a JSON-able dict (dates as ISO strings once
    encoded with DjangoJSONEncoder)."""
    data = {"exported_at": timezone.now()}
    for name, section in sorted(_sections.items()):
        data[name] = section.exporter(user)
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
        record(user, AccountAction.ERASURE_REQUESTED, erasure)
    return erasure


def anonymise_account(user):
    """The account can no longer log in and no longer names anyone; its row stays, because the
    records kept (submitted applications, decisions) point to it. Its login records and
    second-factor devices go, and so do its groups and permissions."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        _login_records(model, user).delete()
    user.groups.clear()
    user.user_permissions.clear()
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
        for name, section in sorted(_sections.items()):
            if section.eraser is not None:
                outcomes.append(f"{name}: {section.eraser(user, by_user)}")
        anonymise_account(user)
        outcomes.append(
            "account: e-mail, names, password, groups, second-factor devices and login records removed; "
            "the account can no longer log in; its audit trail and this request kept."
        )
        locked.status = ErasureRequest.Status.DONE
        locked.handled_at = timezone.now()
        locked.handled_by = by_user
        locked.outcome = "\n".join(outcomes)
        locked.save(update_fields=["status", "handled_at", "handled_by", "outcome"])
        record(by_user, AccountAction.ERASURE_DONE, locked, outcome=locked.outcome)
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
