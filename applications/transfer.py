"""Staff hand an application to another researcher (the lead left the unit): the transfer of lead.

Who may: active staff holding ``applications.change_application`` (the permission admin asks to
change an application), through the portal permission ``applications.transfer_application``.

What may be transferred: a draft, a submitted application or one in review. A withdrawn
application is over; a decided one is followed as a funded project (the projects app), which has
its own lead: moving the application alone would leave the project's lead and the application's
applicant apart, so it is refused too.

The new lead is an active researcher with a researcher profile (the eligibility rules read it),
not the current lead, and, for a Tremplin, without an application of their own to the same call
(one per researcher and call). A reason is required. The change is audited (who, from whom, to
whom, why) and both leads are told through the outbox, in their own language. The reviewers'
conflicts of interest follow by themselves: they are computed from the application's applicant.
"""

import rules
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from notifications.services import Message, notify_many

from .actions import ApplicationAction
from .models import Application, CoApplicant, ResearcherProfile
from .notices import APPLICATION_TRANSFERRED
from .services import blocking_application

#: Declared in permissions.py: active staff holding applications.change_application.
PERMISSION = "applications.transfer_application"

#: The statuses an application may be transferred in.
TRANSFERABLE = (Application.Status.DRAFT, Application.Status.SUBMITTED, Application.Status.IN_REVIEW)
REASON_MAX_CHARS = 1000


def person(user):
    """How a lead is named in the audit trail and the e-mails: their name and address."""
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else user.email


def transfer_problems(application, new_lead, reason):
    """Why `application` cannot go to `new_lead` for `reason`: {field: [messages]} ("new_lead",
    "reason", or None for the application itself); empty when it can."""
    problems = {}
    if application.status not in TRANSFERABLE:
        if application.status == Application.Status.DECIDED:
            message = _(
                "A decided application is followed as a project, which has its own lead: it cannot be transferred."
            )
        elif application.status == Application.Status.WITHDRAWN:
            message = _("A withdrawn application cannot be transferred.")
        else:
            message = _("An application that is %(status)s cannot be transferred.") % {
                "status": application.get_status_display()
            }
        problems[None] = [message]
    lead_problems = []
    if new_lead is None:
        lead_problems.append(_("Give the new lead."))
    elif not (new_lead.is_active and new_lead.is_researcher):
        lead_problems.append(_("The new lead must be an active researcher account."))
    elif new_lead.pk == application.applicant_id:
        lead_problems.append(_("This researcher already leads the application."))
    elif not ResearcherProfile.objects.filter(user=new_lead).exists():
        lead_problems.append(_("The new lead has no researcher profile yet: they must fill it in first."))
    elif blocking_application(new_lead, application.call) not in (None, application):
        lead_problems.append(
            _("The new lead already has an application to this call (one Tremplin application per researcher).")
        )
    if lead_problems:
        problems["new_lead"] = lead_problems
    reason = (reason or "").strip()
    if not reason:
        problems["reason"] = [_("Give the reason for the transfer.")]
    elif len(reason) > REASON_MAX_CHARS or "\x00" in reason:
        problems["reason"] = [
            _("Write the reason in at most %(max)s characters, without control characters.") % {"max": REASON_MAX_CHARS}
        ]
    return problems


def transfer_application(application, new_lead, reason, by_user):
    """Make `new_lead` the applicant of `application` (see the module's docstring), under the
    application's row lock. Raises PermissionError for a user without the permission and
    ValidationError ({"new_lead": ..., "reason": ...} or the application's own) for the rest."""
    if by_user is None or not rules.has_perm(PERMISSION, by_user):
        raise PermissionError("Only staff allowed to change applications may transfer them.")
    reason = (reason or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("call__instrument", "applicant")
        locked = locked.get(pk=application.pk)
        problems = transfer_problems(locked, new_lead, reason)
        if problems:
            raise ValidationError({key or "__all__": messages for key, messages in problems.items()})
        former = locked.applicant
        locked.applicant = new_lead
        locked.save(update_fields=["applicant"])
        # A co-applicant who becomes the lead is no longer one of the co-applicants (one role each).
        CoApplicant.objects.filter(application=locked, email__iexact=new_lead.email).delete()
        record(
            by_user,
            ApplicationAction.TRANSFERRED,
            locked,
            applicant={"from": person(former), "to": person(new_lead)},
            reason=reason,
        )
        context = {
            "reference": locked.reference or "",
            "application_title": locked.title,
            "call_title_fr": locked.call.title_fr,
            "call_title_en": locked.call.title_en,
            "former_lead": person(former),
            "new_lead": person(new_lead),
            "reason": reason,
        }
        # The former lead no longer sees the application: their e-mail has no link.
        notify_many(
            [
                Message(former, APPLICATION_TRANSFERRED, {**context, "is_new_lead": False, "url_path": ""}, locked),
                Message(
                    new_lead,
                    APPLICATION_TRANSFERRED,
                    {**context, "is_new_lead": True, "url_path": locked.url_path},
                    locked,
                ),
            ]
        )
    application.applicant = new_lead
    return locked
