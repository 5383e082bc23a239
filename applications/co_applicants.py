"""Co-applicants: other Inserm researchers the lead invites by e-mail to work on the application.

- invite_co_applicant: the lead names an address and a role; the portal e-mails a signed link
  (read_link) to the account holding that address, in its language, or to the bare address in the
  lead's language;
- resend_invitation: a new link (the older ones die, their e-mails not sent yet are cancelled);
- accept_invitation: the researcher who opened the link, logged in with the invited address,
  becomes a co-applicant (sees and edits the application while it is open for changes);
- remove_co_applicant: the lead removes a co-applicant, or a co-applicant leaves; the row is
  deleted, so access ends at once (permissions ask the database at every request).

Submitting and withdrawing stay the lead's (permissions "applications.act_as_applicant").
The link is signed with a salt of its own, names the co-applicant and the version of its link, and
expires when the call closes (to the second, in the payload).
"""

from datetime import UTC, datetime
from enum import StrEnum

import rules
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from accounts.permissions import is_researcher
from notifications.services import cancel_pending, notify

from . import permissions
from .actions import ApplicationAction
from .models import Application, CoApplicant, ResearcherProfile
from .notices import CO_APPLICANT_ACCEPTED, CO_APPLICANT_INVITATION, CO_APPLICANT_REMOVED
from .services import ApplicationError

SALT = "applications.co_applicant_links"
#: An application has at most this many co-applicants (invited or accepted).
MAX_CO_APPLICANTS = 5


class InvitationRefused(ApplicationError):
    """An invitation the portal refuses; `error` keeps the ValidationError by field ("email",
    "role" or none), so that the form shows it beside its field."""

    def __init__(self, error):
        self.error = error
        super().__init__(*error.messages)


class LinkRefused(StrEnum):
    """Why an invitation's link does not open; the page explains each in words."""

    TAMPERED = "tampered"
    EXPIRED = "expired"
    REPLACED = "replaced"
    REMOVED = "removed"
    CLOSED = "closed"


class WrongAccount(ApplicationError):
    """The link was opened by an account whose address is not the invited one."""


class ProfileNeeded(ApplicationError):
    """The invited researcher has no researcher profile yet (their unit counts in the conflicts)."""


# --- The signed link -------------------------------------------------------------------------------


def make_token(co_applicant_id, version, expires_at):
    payload = {"c": int(co_applicant_id), "v": int(version), "e": int(expires_at.timestamp())}
    return signing.dumps(payload, salt=SALT, compress=False)


def link_path(co_applicant):
    """The invitation's page, without the language prefix (notifications add it)."""
    token = make_token(co_applicant.pk, co_applicant.link_version, co_applicant.application.call.closes_at)
    return f"/applications/invitations/{token}/"


def _payload(token):
    try:
        payload = signing.loads(str(token), salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not all(isinstance(payload.get(key), int) for key in ("c", "v", "e")):
        return None
    return payload


def read_link(token, now):
    """(co_applicant, None) for a link that opens the invitation at `now`, else (None, reason)."""
    payload = _payload(token)
    if payload is None:
        return None, LinkRefused.TAMPERED
    if int(now.timestamp()) >= payload["e"]:
        return None, LinkRefused.EXPIRED
    co_applicant = (
        CoApplicant.objects.select_related("application__call__instrument", "application__applicant")
        .filter(pk=payload["c"])
        .first()
    )
    if co_applicant is None:
        # Signed by the portal, so it existed: the lead removed this co-applicant.
        return None, LinkRefused.REMOVED
    if co_applicant.link_version != payload["v"]:
        return None, LinkRefused.REPLACED
    if not permissions.is_open_for_changes(None, co_applicant.application):
        return None, LinkRefused.CLOSED
    return co_applicant, None


# --- The lead's side -------------------------------------------------------------------------------


def _name(user):
    return user.get_full_name() or user.email


def _context(co_applicant, **extra):
    application = co_applicant.application
    call = application.call
    return {
        "recipient_name": co_applicant.email,
        "lead_name": _name(application.applicant),
        "application_title": application.title,
        "call_title_fr": call.title_fr,
        "call_title_en": call.title_en,
        "closes_at": call.closes_at.isoformat(),
        "role": co_applicant.role,
        "url_path": "",
        **extra,
    }


def _account(email):
    return get_user_model().objects.filter(email__iexact=email).first()


def _tell(co_applicant, kind, context):
    """E-mail the person behind `co_applicant`: their account in its language, else the bare
    address in the lead's language."""
    account = co_applicant.user or _account(co_applicant.email)
    if account is not None:
        return notify(account, kind, context, target=co_applicant)
    language = co_applicant.application.applicant.language
    return notify(None, kind, context, target=co_applicant, to_email=co_applicant.email, language=language)


def _locked(application_pk):
    return (
        Application.objects.select_for_update().select_related("call__instrument", "applicant").get(pk=application_pk)
    )


def _check_lead_may_invite(application, by_user, now):
    if not permissions.is_owner(by_user, application):
        raise ApplicationError(_("Only the lead of the application invites co-applicants."))
    if not permissions.is_open_for_changes(by_user, application) or now >= application.call.closes_at:
        raise ApplicationError(_("Co-applicants are invited while the application is open for changes."))


def _send_invitation(co_applicant, by_user, now):
    cancel_pending(co_applicant, kinds=[CO_APPLICANT_INVITATION])
    _tell(co_applicant, CO_APPLICANT_INVITATION, _context(co_applicant, url_path=link_path(co_applicant)))
    record(
        by_user,
        ApplicationAction.CO_APPLICANT_INVITED,
        co_applicant.application,
        co_applicant=co_applicant.pk,
        email=co_applicant.email,
        role=co_applicant.role,
        link_version=co_applicant.link_version,
    )


def _judged_address(email, application):
    email = (email or "").strip()
    errors = {}
    probe = CoApplicant(application=application, email=email, role=CoApplicant.Role.CO_INVESTIGATOR)
    try:
        probe.full_clean(exclude=["application", "user", "invited_by", "role"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    return email.lower(), errors


def invite_co_applicant(application, by_user, email, role, now=None):
    """The lead invites `email` as a co-applicant with `role`; all or nothing (InvitationRefused
    names each refusal by field). Returns the co-applicant as saved."""
    now = now or timezone.now()
    email, errors = _judged_address(email, application)
    if role not in CoApplicant.Role.values:
        errors.setdefault("role", []).append(str(_("Choose a role.")))
    with transaction.atomic():
        locked = _locked(application.pk)
        _check_lead_may_invite(locked, by_user, now)
        if not errors:
            if email == locked.applicant.email.lower():
                errors["email"] = [str(_("This is your own address: you are the lead of the application."))]
            elif CoApplicant.objects.filter(application=locked, email__iexact=email).exists():
                errors["email"] = [str(_("This address is already invited to this application."))]
            elif CoApplicant.objects.filter(application=locked).count() >= MAX_CO_APPLICANTS:
                errors[None] = [
                    str(
                        _("An application has at most %(max)s co-applicants: remove one before inviting another.")
                        % {"max": MAX_CO_APPLICANTS}
                    )
                ]
        if errors:
            raise InvitationRefused(ValidationError({k or "__all__": v for k, v in errors.items()}))
        co_applicant = CoApplicant.objects.create(
            application=locked, email=email, role=role, invited_by=by_user, invited_at=now
        )
        co_applicant.application = locked
        _send_invitation(co_applicant, by_user, now)
    return co_applicant


def resend_invitation(co_applicant, by_user, now=None):
    """A new link for an invitation not yet accepted: the older links die."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(co_applicant.application_id)
        _check_lead_may_invite(locked, by_user, now)
        stored = CoApplicant.objects.select_for_update().get(pk=co_applicant.pk, application=locked)
        if stored.accepted:
            raise ApplicationError(_("This co-applicant has already accepted: no new link is needed."))
        stored.link_version += 1
        stored.invited_at = now
        stored.save(update_fields=["link_version", "invited_at"])
        stored.application = locked
        _send_invitation(stored, by_user, now)
    return stored


def remove_co_applicant(co_applicant, by_user):
    """The lead removes a co-applicant (invited or accepted), or a co-applicant leaves. Access
    ends at once; the person is told (unless they left themselves)."""
    with transaction.atomic():
        locked = _locked(co_applicant.application_id)
        stored = CoApplicant.objects.select_for_update().filter(pk=co_applicant.pk, application=locked).first()
        if stored is None:
            return None
        leaving = stored.user_id is not None and by_user is not None and stored.user_id == by_user.pk
        if not (leaving or permissions.is_owner(by_user, locked)):
            raise ApplicationError(_("Only the lead of the application removes co-applicants."))
        stored.application = locked
        cancel_pending(stored, kinds=[CO_APPLICANT_INVITATION])
        if not leaving:
            _tell(stored, CO_APPLICANT_REMOVED, _context(stored))
        record(
            by_user,
            ApplicationAction.CO_APPLICANT_LEFT if leaving else ApplicationAction.CO_APPLICANT_REMOVED,
            locked,
            co_applicant=stored.pk,
            email=stored.email,
            user=stored.user_id,
        )
        stored.delete()
    return stored


# --- The invited researcher's side -----------------------------------------------------------------


def check_account(co_applicant, user):
    """Raise WrongAccount or ProfileNeeded unless `user` may accept `co_applicant`'s invitation."""
    if (user.email or "").strip().lower() != co_applicant.email.lower():
        raise WrongAccount(_("This invitation was sent to another address: log in with the invited address."))
    if not is_researcher(user) or user.is_staff or co_applicant.application.applicant_id == user.pk:
        raise WrongAccount(_("This account cannot be a co-applicant: only researchers' accounts can."))
    if not ResearcherProfile.objects.filter(user=user).exists():
        raise ProfileNeeded(_("Fill in your researcher profile first: your unit counts in the review."))


def accept_invitation(token, user, now=None):
    """`user` accepts the invitation of the link `token`. Idempotent (accepting twice changes
    nothing). Raises ApplicationError (LinkRefused in .reasons), WrongAccount or ProfileNeeded."""
    now = now or timezone.now()
    co_applicant, refusal = read_link(token, now)
    if refusal is not None:
        raise ApplicationError(refusal)
    check_account(co_applicant, user)
    with transaction.atomic():
        locked = _locked(co_applicant.application_id)
        stored = CoApplicant.objects.select_for_update().filter(pk=co_applicant.pk, application=locked).first()
        if stored is None or stored.link_version != co_applicant.link_version:
            raise ApplicationError(LinkRefused.REPLACED if stored else LinkRefused.REMOVED)
        stored.application = locked
        if stored.accepted:
            return stored
        stored.user = user
        stored.accepted_at = now
        try:
            with transaction.atomic():
                stored.save(update_fields=["user", "accepted_at"])
        except IntegrityError:
            raise ApplicationError(_("You are already a co-applicant of this application.")) from None
        cancel_pending(stored, kinds=[CO_APPLICANT_INVITATION])
        notify(
            locked.applicant,
            CO_APPLICANT_ACCEPTED,
            _context(stored, co_applicant_name=_name(user), url_path=f"/applications/{locked.pk}/"),
            target=stored,
        )
        record(user, ApplicationAction.CO_APPLICANT_ACCEPTED, locked, co_applicant=stored.pk, email=stored.email)
    return stored


def expires_at(token):
    payload = _payload(token)
    return datetime.fromtimestamp(payload["e"], tz=UTC) if payload else None


# --- The application's page ------------------------------------------------------------------------


def team_context(application, user, form=None):
    """What the application's page shows of its co-applicants (one query): the lead sees every
    invitation, a co-applicant those accepted."""
    from .forms import CoApplicantForm

    is_lead = rules.has_perm("applications.act_as_applicant", user, application)
    team = list(application.co_applicants.select_related("user").order_by("invited_at", "pk"))
    if not is_lead:
        team = [member for member in team if member.accepted]
    may_invite = (
        is_lead and permissions.is_open_for_changes(user, application) and application.call.closes_at > timezone.now()
    )
    return {
        "is_lead": is_lead,
        "lead_name": _name(application.applicant),
        "co_applicant_list": team,
        "own_co_applicant": next((m for m in team if m.user_id == user.pk), None),
        "may_invite": may_invite,
        "invite_form": form or CoApplicantForm(),
        "max_co_applicants": MAX_CO_APPLICANTS,
    }
