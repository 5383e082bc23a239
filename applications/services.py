"""The state changes of applications, one function each; and the facts the eligibility rules judge.

Every function here takes the decision on the server's clock, writes in one transaction and locks
the rows where two requests could race (a double click, a retry, two tabs).
"""

import dataclasses
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from accounts.states import InvalidTransition
from calls import rules
from calls.models import Call, Instrument
from calls.services import call_facts
from notifications.services import notify

from . import concurrency, documents, permissions, stored_files
from .actions import ApplicationAction
from .completeness import completeness
from .models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    ATTACHMENT_MAX_TOTAL_BYTES,
    Application,
    Attachment,
    DraftSnapshot,
    ReferenceCounter,
    ResearcherProfile,
    SubmittedVersion,
)
from .notices import SUBMISSION_RECEIPT
from .versions import content_of


class ApplicationError(Exception):
    """A change the portal refuses; `reasons` are messages for the researcher (lazy or str)."""

    def __init__(self, *reasons):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__("; ".join(self.reasons))


class SubmissionRefused(ApplicationError):
    pass


def check_editable(application, by_user, step=None):
    """Refuse a change to anything but an application open for changes to `by_user`
    (permissions.can_edit, asked under the lock); with `step`, that step must be open too (while
    staff asked for more information, only the sections they named are)."""
    if not permissions.can_edit(by_user, application):
        raise ApplicationError(_("This application can no longer be changed."))
    if step is not None and not permissions.may_edit_step(by_user, application, step):
        raise ApplicationError(_("This part of the application is not open for changes."))


# --- Facts for the rules --------------------------------------------------------------------------


def applicant_facts(user):
    profile = ResearcherProfile.objects.filter(user=user).first() if user is not None else None
    return profile_facts(profile)


def profile_facts(profile):
    if profile is None:
        return rules.ApplicantFacts(grade=None, recruited_on=None, atip_avenir_year=None, erc_starting_grant_year=None)
    return rules.ApplicantFacts(
        grade=profile.grade or None,
        recruited_on=profile.recruited_on,
        atip_avenir_year=profile.atip_avenir_year,
        erc_starting_grant_year=profile.erc_starting_grant_year,
    )


def budget_total(application):
    return sum((line.amount for line in application.budget_lines.all()), Decimal("0"))


def proposal_facts(application):
    return rules.ProposalFacts(
        partner_countries=tuple(p.country.code for p in application.partners.all() if p.country),
        amount=budget_total(application),
        duration_months=application.duration_months,
        theme=application.theme or None,
        collaboration_is_new=application.collaboration_is_new,
        partner_answers=tuple(p.answer for p in application.partners.all()),
    )


def eligibility(application, now=None, *, profile=None):
    """The live checklist: every finding of the rules for this application, passes included."""
    applicant = profile_facts(profile) if profile is not None else applicant_facts(application.applicant)
    findings = rules.check_application(
        applicant, call_facts(application.call), proposal_facts(application), now or timezone.now()
    )
    return as_answer(application, findings)


def as_answer(application, findings):
    """An application staff asked for more information was sent on time: the call's opening is
    judged at its first submission (the call has usually closed since; answering staff is no late
    submission). Other applications' findings are returned as they are."""
    if application.status != Application.Status.MORE_INFO or application.submitted_at is None:
        return findings
    opened = rules.check_call_is_open(call_facts(application.call), application.submitted_at)
    return [opened if finding.code == opened.code else finding for finding in findings]


def typed_proposal_facts(application, step, data):
    """The proposal as the researcher is typing it: the saved application, with the values of the
    step being edited (`data`, that step's form as posted, read leniently: a half-typed amount
    counts as nothing yet). The live checklist asks the rules about this, before any save."""
    facts = proposal_facts(application)
    changes = {}
    if step == "general" and "theme" in data:
        changes["theme"] = (data.get("theme") or "").strip() or None
    elif step == "partners":
        countries = []
        for row in _typed_rows(data, "partners"):
            code = (row.get("country") or "").strip().upper()
            if len(code) == 2 and code.isalpha():
                countries.append(code)
        changes["partner_countries"] = tuple(countries)
    elif step == "budget":
        total = Decimal("0")
        for row in _typed_rows(data, "budget"):
            total += _typed_amount(row.get("amount"))
        changes["amount"] = total
    elif step == "declarations" and "collaboration_is_new" in data:
        changes["collaboration_is_new"] = {"True": True, "False": False}.get(data.get("collaboration_is_new"))
    return dataclasses.replace(facts, **changes)


def _typed_rows(data, prefix, limit=100):
    """The rows of a posted formset that are not marked for removal, as {field: value}."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), limit)
    except (TypeError, ValueError):
        return
    for index in range(max(total, 0)):
        start = f"{prefix}-{index}-"
        row = {key[len(start) :]: data.get(key) for key in data if key.startswith(start)}
        if row and not row.get("DELETE"):
            yield row


def _typed_amount(value):
    text = (value or "").replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return Decimal("0")
    return amount if amount.is_finite() and abs(amount) < Decimal("1e11") else Decimal("0")


def live_eligibility(application, step, data, now=None):
    """The checklist for what is on the screen now (see typed_proposal_facts)."""
    findings = rules.check_application(
        applicant_facts(application.applicant),
        call_facts(application.call),
        typed_proposal_facts(application, step, data),
        now or timezone.now(),
    )
    return as_answer(application, findings)


# --- Unsaved changes (autosave of the steps that are formsets) ------------------------------------

SNAPSHOT_STEPS = ("partners", "budget", "declarations")
SNAPSHOT_MAX_BYTES = 200_000


def keep_snapshot(application, step, data, by_user):
    """Keep what is typed on a step, unsaved, so that leaving the page loses nothing (the step
    gives it back at the next visit). Only the applicant, only on a draft, within a size cap."""
    if step not in SNAPSHOT_STEPS:
        raise ApplicationError(_("This step keeps no unsaved changes."))
    if sum(len(str(key)) + sum(len(str(v)) for v in values) for key, values in data.items()) > SNAPSHOT_MAX_BYTES:
        raise ApplicationError(_("Too much text to keep unsaved: save the step."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_editable(locked, by_user, step)
        snapshot, _created = DraftSnapshot.objects.update_or_create(
            application=locked, step=step, defaults={"data": data, "saved_at": timezone.now()}
        )
    return snapshot


def take_snapshot(application, step):
    """The unsaved changes kept for this step (removed: they are given back once), or None."""
    with transaction.atomic():
        snapshot = DraftSnapshot.objects.select_for_update().filter(application=application, step=step).first()
        if snapshot is not None:
            snapshot.delete()
    return snapshot


def drop_snapshot(application, step):
    DraftSnapshot.objects.filter(application=application, step=step).delete()


def _prefetched(application_id):
    return (
        Application.objects.select_related("call__instrument", "applicant")
        .prefetch_related("partners", "budget_lines", "attachments", "call__zones", "call__priority_themes")
        .get(pk=application_id)
    )


# --- State changes --------------------------------------------------------------------------------


def current_application(researcher, call):
    """The researcher's latest application to `call` that is not withdrawn, or None."""
    return (
        Application.objects.filter(call=call, applicant=researcher)
        .exclude(status=Application.Status.WITHDRAWN)
        .order_by("-created_at", "-id")
        .first()
    )


def blocking_application(researcher, call):
    """Source (Tremplins): one application per researcher and call, a withdrawn one aside. The
    application that stops another one from starting, or None (other instruments: never)."""
    if call.instrument.code != Instrument.Code.TREMPLIN:
        return None
    return current_application(researcher, call)


def create_draft(researcher, call, now=None):
    """Start a draft on an open call. One Tremplin application per researcher and call (a withdrawn
    one does not count): the call row is locked so two tabs cannot both create one."""
    now = now or timezone.now()
    if not (researcher.is_authenticated and researcher.is_researcher):
        raise ApplicationError(_("Only researchers may apply to a call."))
    with transaction.atomic():
        call = Call.objects.select_for_update().select_related("instrument").get(pk=call.pk)
        opening = rules.check_call_is_open(call_facts(call), now)
        if not opening.passed:
            raise ApplicationError(opening.message)
        existing = blocking_application(researcher, call)
        if existing is not None:
            raise ApplicationError(
                _(
                    "You already have an application to this call (%(name)s): a researcher may submit only "
                    "one Tremplin application per call."
                )
                % {"name": existing}
            )
        application = Application.objects.create(
            call=call,
            applicant=researcher,
            duration_months=call.duration_months,
            created_at=now,
        )
        record(researcher, ApplicationAction.CREATED, application)
    return application


def next_reference(instrument_code, year):
    """Take the next number of the instrument's sequence for `year`; call inside a transaction."""
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(instrument_code=instrument_code, year=year)], ignore_conflicts=True
    )
    counter = ReferenceCounter.objects.select_for_update().get(instrument_code=instrument_code, year=year)
    counter.last_number = F("last_number") + 1
    counter.save(update_fields=["last_number"])
    counter.refresh_from_db(fields=["last_number"])
    return f"{instrument_code}-{year}-{counter.last_number:04d}"


def frozen_report(findings):
    """The findings as plain JSON, with each message in French and in English."""
    report = []
    for finding in findings:
        entry = {"code": finding.code, "outcome": str(finding.outcome), "subject": finding.subject}
        for language in ("fr", "en"):
            with translation.override(language):
                entry[f"message_{language}"] = str(finding.message)
        report.append(entry)
    return report


def submission_problems(application, findings):
    """Why the application cannot be submitted now: missing parts and failed rules."""
    problems = [str(message) for step in completeness(application) for message in step.missing]
    problems += [str(finding.message) for finding in findings if finding.outcome == rules.Outcome.FAIL]
    return problems


def judged(application, now):
    """(findings, problems): what the rules find of `application` at `now` (eligibility) and why
    it could not be sent now (submission_problems): one judgement for submitting and resubmitting."""
    findings = eligibility(application, now)
    return findings, submission_problems(application, findings)


def freeze_version(application, by_user, now, findings, requested, information_request=None):
    """Write the frozen copy of this submission (the next number); call under the row lock."""
    last = SubmittedVersion.objects.filter(application=application).aggregate(last=Max("number"))["last"]
    return SubmittedVersion.objects.create(
        application=application,
        number=(last or 0) + 1,
        submitted_at=now,
        submitted_by=by_user,
        content=content_of(application),
        eligibility_report=frozen_report(findings),
        eligible=rules.is_eligible(findings),
        requested_amount=requested,
        information_request=information_request,
    )


def submit_application(application, by_user, now=None):
    """Submit a draft: the call is open on the server's clock, the application is complete and
    every rule passes. Freezes the eligibility report and the first SubmittedVersion, takes a
    reference number and queues the receipt in the same transaction.

    Idempotent: the application row is locked, and an application already submitted is returned
    unchanged (no second reference, no second receipt) — a double click, a retry or a second tab
    all end with one submission.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.applicant_id != by_user.pk:
            raise SubmissionRefused(_("Only the applicant may submit this application."))
        if locked.status == Application.Status.SUBMITTED:
            return locked
        if locked.status != Application.Status.DRAFT:
            raise SubmissionRefused(
                _("An application that is %(status)s cannot be submitted.") % {"status": locked.get_status_display()}
            )
        locked = _prefetched(locked.pk)
        findings, problems = judged(locked, now)
        if problems:
            raise SubmissionRefused(*problems)
        call = locked.call
        requested = budget_total(locked)
        locked.transition(
            Application.Status.SUBMITTED,
            by=by_user,
            action=ApplicationAction.SUBMITTED,
            details={"requested_amount": requested},
            reference=next_reference(call.instrument.code, call.year),
            submitted_at=now,
            submitted_by=by_user,
            eligibility_report=frozen_report(findings),
            eligible=rules.is_eligible(findings),
            requested_amount=requested,
        )
        freeze_version(locked, by_user, now, findings, requested)
        notify(
            locked.applicant,
            SUBMISSION_RECEIPT,
            {
                "reference": locked.reference,
                "application_title": locked.title,
                "call_title_fr": call.title_fr,
                "call_title_en": call.title_en,
                "url_path": locked.url_path,
            },
            target=locked,
            dedupe_key=f"submission_receipt:{locked.pk}",
        )
    return locked


def withdrawal_problems(application, by_user, now=None):
    """Why withdraw_application would refuse `by_user` to withdraw `application` now, in words
    (empty: it would withdraw it). The pages ask it before offering to withdraw."""
    now = now or timezone.now()
    if not permissions.is_owner(by_user, application):
        return [str(_("Only the applicant may withdraw this application."))]
    if not application.can_become(Application.Status.WITHDRAWN):
        message = _("An application that is %(status)s cannot be withdrawn.")
        return [str(message % {"status": application.get_status_display()})]
    if now >= application.call.closes_at:
        return [str(_("The call has closed: the application can no longer be withdrawn."))]
    return []


def withdraw_application(application, by_user, now=None):
    """The applicant withdraws a draft or a submitted application, until the call closes."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("call").get(pk=application.pk)
        if locked.status == Application.Status.WITHDRAWN and permissions.is_owner(by_user, locked):
            return locked
        problems = withdrawal_problems(locked, by_user, now)
        if problems:
            raise ApplicationError(*problems)
        locked.transition(
            Application.Status.WITHDRAWN, by=by_user, action=ApplicationAction.WITHDRAWN, withdrawn_at=now
        )
    return locked


def change_status(application, target, by_user=None):
    """Move a submitted application on (in_review, decided) for the reviews app; the transition
    must be allowed by Application.TRANSITIONS. Submission and withdrawal have their own functions."""
    target = Application.Status(target)
    if target in (Application.Status.SUBMITTED, Application.Status.WITHDRAWN):
        raise ApplicationError(_("Use submit_application or withdraw_application for this change."))
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status == target:
            return locked
        try:
            locked.transition(target, by=by_user)
        except InvalidTransition as refusal:
            raise ApplicationError(str(refusal)) from None
    application.status = locked.status
    return locked


def change_status_many(applications, target, by_user=None):
    """change_status() for many applications in a constant number of queries (routing
    confirmation moves a whole call to in_review). Applications that may not become `target`
    are left as they are. Returns the ids that changed."""
    target = Application.Status(target)
    if target in (Application.Status.SUBMITTED, Application.Status.WITHDRAWN):
        raise ApplicationError(_("Use submit_application or withdraw_application for this change."))
    sources = [source for source, targets in Application.TRANSITIONS.items() if target in targets]
    ids = [application.pk for application in applications]
    changed = Application.transition_rows(Application.objects.filter(pk__in=ids), sources, target, by=by_user)
    changed_set = set(changed)
    for application in applications:
        if application.pk in changed_set:
            application.status = target
    return changed


class AttachmentRefused(ApplicationError):
    """An upload the portal refuses; `error` keeps the ValidationError (with its code) so that a
    form can show it beside its file field."""

    def __init__(self, error):
        self.error = error
        super().__init__(*error.messages)


def add_attachment(application, uploaded_file, kind, by_user):
    """Store a PDF under the application's own folder, after judging its bytes here: whoever calls
    (the upload form, the admin, a command, a demo loader) may have checked nothing. The file is
    read and inspected once, outside the lock, and the very bytes inspected are stored, under a
    cleaned .pdf name; the caps on the number and total size of documents are checked under the
    application's row lock, so two uploads at once cannot both take the last place."""
    if kind not in Attachment.Kind.values:
        raise ApplicationError(_("This kind of document is not known."))
    check_editable(application, by_user, "attachments")  # again under the lock; spares inspecting the file
    try:
        pdf = documents.inspect_pdf(uploaded_file, max_bytes=ATTACHMENT_MAX_BYTES)
    except ValidationError as error:
        raise AttachmentRefused(error) from error
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        check_editable(locked, by_user, "attachments")
        stored = Attachment.objects.filter(application=locked).aggregate(count=Count("pk"), size=Sum("size"))
        if stored["count"] >= ATTACHMENT_MAX_COUNT:
            raise AttachmentRefused(
                ValidationError(
                    _("An application holds at most %(count)s documents: remove one before adding another."),
                    code="too_many_attachments",
                    params={"count": ATTACHMENT_MAX_COUNT},
                )
            )
        if (stored["size"] or 0) + pdf.size > ATTACHMENT_MAX_TOTAL_BYTES:
            raise AttachmentRefused(
                ValidationError(
                    _(
                        "The documents of an application may weigh %(limit)s MB in all; with this file they "
                        "would weigh %(total)s: remove or reduce a document first."
                    ),
                    code="attachments_too_large",
                    params={
                        "limit": ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024),
                        "total": filesizeformat((stored["size"] or 0) + pdf.size),
                    },
                )
            )
        attachment = Attachment(
            application=locked,
            kind=kind,
            original_name=documents.pdf_file_name(getattr(uploaded_file, "name", None)),
            size=pdf.size,
            sha256=pdf.sha256,
            uploaded_by=by_user,
        )
        try:
            stored_files.save_file(attachment.file, "document.pdf", ContentFile(pdf.content))
        except stored_files.StorageUnavailable as error:
            raise AttachmentRefused(ValidationError(error.message, code="storage_unavailable")) from error
        attachment.save()
        concurrency.bump(locked, by_user, "attachments")
    return attachment


def delete_attachment(attachment, by_user):
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=attachment.application_id)
        check_editable(locked, by_user, "attachments")
        storage, name = attachment.file.storage, attachment.file.name
        attachment.delete()
        concurrency.bump(locked, by_user, "attachments")
        transaction.on_commit(lambda: storage.delete(name))
