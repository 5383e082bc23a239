"""Staff ask for more information on a submitted application; the lead completes and resubmits.

    submitted ─┐                                   ┌─▶ submitted  (the status it had)
               ├─request_information─▶ more_info ──┤
    in_review ─┘                       (resubmit)  └─▶ in_review

Who asks: active staff holding ``applications.change_application``, through the portal
permission ``applications.request_information`` (declared in permissions.py). They write a
message, name the sections (the application's steps) that open again for changes, and a deadline:
a day, meaning the end of that day in Paris. The lead and the co-applicants who accepted are told
in their language; only those sections may change (permissions.editable_steps).

The lead resubmits: the same completeness and rules as the first submission (services.judged),
except the call's opening, judged at the first submission (services.as_answer: the call has
usually closed since, and an answer to staff is no late submission). A resubmission after the
deadline is still accepted while the request is open: staff were told the deadline passed
(tell_staff_of_lapsed_requests) and decide what the lateness means; refusing it would only leave
them with no answer at all.
Each resubmission freezes a new SubmittedVersion; the earlier ones stay as they were.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import rules
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from calls.models import Instrument
from notifications.services import Message, notify_many

from .actions import ApplicationAction
from .models import Application, InformationRequest
from .notices import INFORMATION_LAPSED, INFORMATION_REQUESTED, INFORMATION_RESUBMITTED, RESUBMISSION_RECEIPT
from .services import SubmissionRefused, _prefetched, budget_total, freeze_version, frozen_report, judged

#: Declared in permissions.py: active staff holding applications.change_application.
PERMISSION = "applications.request_information"

#: The statuses staff may ask for more information in.
REQUESTABLE = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)
MESSAGE_MAX_CHARS = 5000
PARIS = ZoneInfo("Europe/Paris")

#: The application's steps, in the pages' order, with their names (as completeness names them).
STEP_NAMES = {
    "general": _("General information"),
    "partners": _("Partner teams"),
    "budget": _("Budget"),
    "declarations": _("Declarations"),
    "attachments": _("Attachments"),
}


def steps_of(application):
    """The slugs of `application`'s steps (declarations: Tremplins only)."""
    tremplin = application.call.instrument.code == Instrument.Code.TREMPLIN
    return [slug for slug in STEP_NAMES if slug != "declarations" or tremplin]


def section_names(sections, language=None):
    """The sections' names in words (in `language` when given), in the pages' order."""
    ordered = [slug for slug in STEP_NAMES if slug in set(sections)]
    if language is None:
        return [str(STEP_NAMES[slug]) for slug in ordered]
    with translation.override(language):
        return [str(STEP_NAMES[slug]) for slug in ordered]


def end_of_day(day):
    """The deadline a day means: the last second of that day in Paris."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=PARIS)


def open_request(application):
    """The request waiting for an answer on `application`, or None."""
    return application.information_requests.filter(answered_at__isnull=True).first()


def request_problems(application, message, sections, deadline, now):
    """Why staff cannot ask this: {field: [messages]} ("message", "sections", "deadline", or None
    for the application itself); empty when they can."""
    problems = {}
    if application.status not in REQUESTABLE:
        problems[None] = [
            _(
                "More information can be asked only of a submitted application or one in review "
                "(this one is %(status)s)."
            )
            % {"status": application.get_status_display()}
        ]
    message = (message or "").strip()
    if not message:
        problems["message"] = [_("Write what the applicant should complete.")]
    elif len(message) > MESSAGE_MAX_CHARS or "\x00" in message:
        problems["message"] = [
            _("Write the message in at most %(max)s characters, without control characters.")
            % {"max": MESSAGE_MAX_CHARS}
        ]
    allowed = steps_of(application)
    if not isinstance(sections, list | tuple) or not sections:
        problems["sections"] = [_("Choose at least one section to open.")]
    elif not all(isinstance(slug, str) and slug in allowed for slug in sections):
        problems["sections"] = [_("Choose sections of this application only.")]
    if not isinstance(deadline, dt.datetime) or timezone.is_naive(deadline):
        problems["deadline"] = [_("Give the deadline.")]
    elif deadline <= now:
        problems["deadline"] = [_("The deadline must be in the future.")]
    elif deadline > now + dt.timedelta(days=366):
        problems["deadline"] = [_("The deadline must be within a year.")]
    return problems


def _people(application):
    """The lead and the co-applicants who accepted: who is asked and told."""
    people = [application.applicant]
    co_applicants = application.co_applicants.filter(accepted_at__isnull=False, user__isnull=False)
    people += [row.user for row in co_applicants.select_related("user") if row.user_id != application.applicant_id]
    return people


def _context(application, request):
    call = application.call
    return {
        "reference": application.reference or "",
        "application_title": application.title,
        "call_title_fr": call.title_fr,
        "call_title_en": call.title_en,
        "message": request.message,
        "sections_fr": section_names(request.sections, "fr"),
        "sections_en": section_names(request.sections, "en"),
        "deadline_date": request.deadline.astimezone(PARIS).date().isoformat(),
        "url_path": application.url_path,
    }


def request_information(application, by_user, message, sections, deadline, now=None):
    """Ask the lead of `application` for more information (see the module's docstring), under the
    application's row lock. Raises PermissionError for a user without the permission and
    ValidationError ({"message": ..., "sections": ..., "deadline": ...} or the application's own)
    for the rest. Returns the InformationRequest."""
    now = now or timezone.now()
    if by_user is None or not rules.has_perm(PERMISSION, by_user):
        raise PermissionError("Only staff allowed to change applications may ask for more information.")
    message = (message or "").strip()
    with transaction.atomic():
        locked = Application.objects.select_for_update(of=("self",)).select_related("call__instrument", "applicant")
        locked = locked.get(pk=application.pk)
        problems = request_problems(locked, message, sections, deadline, now)
        if problems:
            raise ValidationError({key or "__all__": messages for key, messages in problems.items()})
        ordered = [slug for slug in STEP_NAMES if slug in set(sections)]
        request = InformationRequest.objects.create(
            application=locked,
            message=message,
            sections=ordered,
            deadline=deadline,
            previous_status=locked.status,
            requested_by=by_user,
            requested_at=now,
        )
        locked.transition(
            Application.Status.MORE_INFO,
            by=by_user,
            action=ApplicationAction.INFORMATION_REQUESTED,
            details={"sections": ordered, "deadline": deadline.isoformat(), "message": message},
        )
        context = _context(locked, request)
        notify_many(
            Message(person, INFORMATION_REQUESTED, context, locked, dedupe_key=f"information:{request.pk}:{person.pk}")
            for person in _people(locked)
        )
    application.status = locked.status
    return request


def resubmission_problems(application, by_user):
    """Why `by_user` may not resubmit `application` now (not the rules: judged() says those)."""
    if application.applicant_id != getattr(by_user, "pk", None):
        return [str(_("Only the lead may resubmit this application."))]
    if application.status != Application.Status.MORE_INFO:
        return [
            str(
                _("An application that is %(status)s cannot be resubmitted.")
                % {"status": application.get_status_display()}
            )
        ]
    return []


def resubmit(application, by_user, now=None):
    """The lead sends the application again in answer to the open request: judged as at the first
    submission (services.judged), a new SubmittedVersion frozen, the request answered, the
    application back to the status it had; staff who asked are told, the lead gets a receipt.

    Idempotent: under the row lock, an application no longer waiting for an answer whose last
    version answers the latest request is returned unchanged (a double click: one version)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.applicant_id == by_user.pk and locked.status != Application.Status.MORE_INFO:
            latest = locked.information_requests.order_by("-requested_at", "-id").first()
            if latest is not None and latest.answered_at is not None and locked.status == latest.previous_status:
                return locked
        problems = resubmission_problems(locked, by_user)
        if problems:
            raise SubmissionRefused(*problems)
        request = InformationRequest.objects.select_for_update().get(application=locked, answered_at__isnull=True)
        locked = _prefetched(locked.pk)
        findings, problems = judged(locked, now)
        if problems:
            raise SubmissionRefused(*problems)
        requested = budget_total(locked)
        version = freeze_version(locked, by_user, now, findings, requested, information_request=request)
        request.answered_at = now
        request.save(update_fields=["answered_at"])
        locked.transition(
            request.previous_status,
            by=by_user,
            action=ApplicationAction.RESUBMITTED,
            details={"version": version.number, "requested_amount": requested},
            eligibility_report=frozen_report(findings),
            eligible=version.eligible,
            requested_amount=requested,
        )
        context = {**_context(locked, request), "version": version.number, "late": now > request.deadline}
        staff = [request.requested_by] if _still_staff(request.requested_by) else list(_staff_who_may_ask())
        messages = [Message(user, INFORMATION_RESUBMITTED, _staff_context(context, locked), locked) for user in staff]
        messages.append(
            Message(locked.applicant, RESUBMISSION_RECEIPT, context, locked, dedupe_key=f"resubmission:{version.pk}")
        )
        notify_many(messages)
    return locked


def _staff_context(context, application):
    """Staff follow the application in admin (/admin/, with no language prefix): its absolute
    address instead of the researcher's page."""
    admin_path = reverse("admin:applications_application_change", args=[application.pk])
    return {**context, "url_path": "", "admin_url": f"{settings.PORTAL_BASE_URL}{admin_path}"}


def _still_staff(user):
    return user is not None and user.is_active and rules.has_perm(PERMISSION, user)


def _staff_who_may_ask():
    """Active staff holding the permission (directly, by a group, or superusers)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(
                user_permissions__codename="change_application",
                user_permissions__content_type__app_label="applications",
            )
            | Q(
                groups__permissions__codename="change_application",
                groups__permissions__content_type__app_label="applications",
            )
        )
    )
    return users.distinct().order_by("pk")


def tell_staff_of_lapsed_requests(now=None):
    """Beat's hourly pass: each open request whose deadline passed unanswered is told, once, to the
    staff who asked (or, gone, to every staff who may ask). Returns how many were told."""
    now = now or timezone.now()
    told = 0
    # An application withdrawn meanwhile waits for nothing.
    due = InformationRequest.objects.filter(
        answered_at__isnull=True,
        lapsed_at__isnull=True,
        deadline__lt=now,
        application__status=Application.Status.MORE_INFO,
    )
    for request_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            request = (
                InformationRequest.objects.select_for_update(of=("self",))
                .select_related("application__call", "requested_by")
                .filter(pk=request_id, answered_at__isnull=True, lapsed_at__isnull=True)
                .filter(application__status=Application.Status.MORE_INFO)
                .first()
            )
            if request is None:
                continue
            application = request.application
            staff = [request.requested_by] if _still_staff(request.requested_by) else list(_staff_who_may_ask())
            context = _staff_context(_context(application, request), application)
            notify_many(
                Message(
                    user,
                    INFORMATION_LAPSED,
                    context,
                    application,
                    dedupe_key=f"information_lapsed:{request.pk}:{user.pk}",
                )
                for user in staff
            )
            request.lapsed_at = now
            request.save(update_fields=["lapsed_at"])
            told += 1
    return told


def page_context(application, user):
    """What the application's pages show of a request for more information: the open request, its
    sections with their steps' addresses, whether `user` may resubmit, and the frozen copies."""
    request = open_request(application) if application.is_more_info else None
    sections = []
    if request is not None:
        sections = [
            (slug, name, reverse("applications:step", args=[application.pk, slug]))
            for slug, name in zip(
                [slug for slug in STEP_NAMES if slug in set(request.sections)],
                section_names(request.sections),
                strict=True,
            )
        ]
    return {
        "information_request": request,
        "open_sections": sections,
        "can_resubmit": request is not None and application.applicant_id == getattr(user, "pk", None),
        "has_versions": application.status != Application.Status.DRAFT and application.versions.exists(),
    }
