"""Partner teams confirm their participation by a signed link (partner_links.py), with no account.

- invite_partner: the portal e-mails the team leader their link, in the language the applicant
  chose (drafting.add_partner calls it when a team is added, drafting.update_partner when its
  address changes);
- resend_partner_link: the applicant sends the link again; the older links die and the team is
  asked again (its answer goes back to waiting);
- answer_as_partner: the team leader confirms or declines, corrects their institution, city,
  country and e-mail, and may upload their letter of support (a PDF judged by its content);
- remind_partners: once, 7 days after the invitation, a team that has not answered is reminded
  (beat runs it; a dedupe key makes a second run send nothing).

Answers move waiting → confirmed or declined; a team may change its mind (confirmed ↔ declined)
while its link works; only a new link takes it back to waiting. Everything happens only while the
application is a draft and its call is open, on the server's clock.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from calls import rules
from notifications.services import cancel_pending, notify

from . import concurrency, documents
from .actions import ApplicationAction
from .models import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    ATTACHMENT_MAX_TOTAL_BYTES,
    Application,
    Attachment,
    PartnerAnswer,
    PartnerTeam,
)
from .notices import PARTNER_INVITATION, PARTNER_REMINDER
from .partner_links import answers_until, link_path, taking_answers
from .services import ApplicationError, check_editable

#: What a partner team's leader may correct through their link.
CORRECTABLE_FIELDS = ("institution", "city", "country", "email")
#: A team that has not answered this long after its invitation is reminded, once.
REMIND_AFTER = timedelta(days=7)

# The answers a team may give from each answer it has (the same answer again is harmless: a
# double click, or new corrections); back to waiting only by a new link (resend_partner_link).
ANSWER_TRANSITIONS = {
    PartnerAnswer.WAITING: {PartnerAnswer.CONFIRMED, PartnerAnswer.DECLINED},
    PartnerAnswer.CONFIRMED: {PartnerAnswer.CONFIRMED, PartnerAnswer.DECLINED},
    PartnerAnswer.DECLINED: {PartnerAnswer.DECLINED, PartnerAnswer.CONFIRMED},
}


class PartnerAnswerRefused(ApplicationError):
    """An answer the portal refuses; `error` keeps the ValidationError by field, so that the
    partner's form shows each message beside its field."""

    def __init__(self, error):
        self.error = error
        super().__init__(*error.messages)


def _check_open(application, now):
    if not taking_answers(application, now):
        raise ApplicationError(_("This application no longer takes answers from its partner teams."))


def _context(partner):
    application = partner.application
    call = application.call
    applicant = application.applicant
    return {
        "recipient_name": partner.team_leader,
        "institution": partner.institution,
        "applicant_name": applicant.get_full_name() or applicant.email,
        "application_title": application.title,
        "call_title_fr": call.title_fr,
        "call_title_en": call.title_en,
        # Until when the link works (the call's closing, or a request's deadline).
        "closes_at": (answers_until(application) or call.closes_at).isoformat(),
        "url_path": link_path(partner),
    }


def _send(partner, kind, dedupe_key=None):
    return notify(
        None,
        kind,
        _context(partner),
        target=partner,
        to_email=partner.email,
        language=partner.language,
        dedupe_key=dedupe_key,
    )


def _locked(partner, by_user, now):
    application = (
        Application.objects.select_for_update()
        .select_related("call__instrument", "applicant")
        .get(pk=partner.application_id)
    )
    check_editable(application, by_user, "partners")
    _check_open(application, now)
    stored = PartnerTeam.objects.select_for_update().get(pk=partner.pk, application=application)
    stored.application = application
    return stored


def _ask(stored, by_user, now, *, new_link):
    """Send `stored` its (new) link and ask it again; call under the application's lock."""
    if new_link:
        # The e-mails of the older link not sent yet would carry a dead link: they are not sent.
        withdraw_invitations(stored)
        stored.link_version += 1
    stored.answer = PartnerAnswer.WAITING
    stored.answered_at = None
    stored.invited_at = now
    stored.reminded_at = None
    stored.save(update_fields=["link_version", "answer", "answered_at", "invited_at", "reminded_at"])
    _send(stored, PARTNER_INVITATION)
    record(
        by_user,
        ApplicationAction.PARTNER_INVITED,
        stored.application,
        partner=stored.pk,
        email=stored.email,
        language=stored.language,
        link_version=stored.link_version,
    )
    return stored


def withdraw_invitations(partner):
    """Cancel the invitations and reminder of `partner` still waiting in the outbox (a new link
    replaces them, or the team is removed from the draft). Returns how many."""
    return cancel_pending(partner, kinds=[PARTNER_INVITATION, PARTNER_REMINDER])


def invite_partner(partner, by_user, now=None):
    """E-mail the team leader of `partner` their link (the applicant's own open draft only)."""
    now = now or timezone.now()
    with transaction.atomic():
        stored = _locked(partner, by_user, now)
        return _ask(stored, by_user, now, new_link=stored.invited_at is not None)


def resend_partner_link(partner, by_user, now=None):
    """The applicant sends the link again: a new version (every older link dies), the team asked
    again. Returns the partner team as saved."""
    now = now or timezone.now()
    with transaction.atomic():
        return _ask(_locked(partner, by_user, now), by_user, now, new_link=True)


# --- The partner's answer ------------------------------------------------------------------------


def _corrections(stored, corrections):
    """Apply `corrections` to `stored` and judge them; returns {field: (before, after)} changed."""
    unknown = sorted(set(corrections) - set(CORRECTABLE_FIELDS))
    if unknown:
        raise TypeError(f"not fields a partner corrects: {', '.join(unknown)}")
    changed = {}
    for name, value in corrections.items():
        value = value.strip() if isinstance(value, str) else value
        if name == "country" and isinstance(value, str):
            value = value.upper()
        before = getattr(stored, name)
        before = before.code if name == "country" else before
        if value != before:
            setattr(stored, name, value)
            changed[name] = (before, value)
    errors = {}
    exclude = [f.name for f in PartnerTeam._meta.concrete_fields if f.name not in changed]
    try:
        stored.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if "country" in changed and "country" not in errors:
        facts = rules.ProposalFacts(partner_countries=(stored.country.code,), amount=Decimal("0"))
        for finding in (rules.check_partner_countries(facts), rules.check_partner_abroad(facts)):
            if finding is not None and not finding.passed:
                errors.setdefault("country", []).append(str(finding.message))
    return changed, errors


def _store_letter(stored, pdf, name):
    application = stored.application
    totals = (
        Attachment.objects.filter(application=application)
        .exclude(partner=stored)
        .aggregate(count=Count("pk"), size=Sum("size"))
    )
    if totals["count"] >= ATTACHMENT_MAX_COUNT or (totals["size"] or 0) + pdf.size > ATTACHMENT_MAX_TOTAL_BYTES:
        raise PartnerAnswerRefused(
            ValidationError(
                {
                    "letter": _(
                        "The application holds as many documents as it may: send your letter to the applicant, "
                        "who will add it."
                    )
                }
            )
        )
    previous = list(Attachment.objects.filter(partner=stored))
    letter = Attachment(
        application=application,
        partner=stored,
        kind=Attachment.Kind.LETTER,
        original_name=documents.pdf_file_name(name),
        size=pdf.size,
        sha256=pdf.sha256,
        uploaded_by=None,
    )
    letter.file.save("letter.pdf", ContentFile(pdf.content), save=False)
    letter.save()
    # The new letter replaces the team's previous one, whose file goes once the change is committed.
    for old in previous:
        storage, file_name = old.file.storage, old.file.name
        old.delete()
        transaction.on_commit(lambda storage=storage, file_name=file_name: storage.delete(file_name))
    return letter


def answer_as_partner(partner, answer, corrections=None, letter=None, now=None):
    """The team leader of `partner` (who opened its link) confirms or declines, with corrections
    of CORRECTABLE_FIELDS and, with a confirmation, an optional letter of support (a PDF).

    All or nothing: every value is judged first, and PartnerAnswerRefused names each refusal by
    field ("answer", a corrected field, "letter"). Audited (the actor is the partner: no user).
    Returns the partner team as saved.
    """
    now = now or timezone.now()
    corrections = dict(corrections or {})
    errors = {}
    if answer not in (PartnerAnswer.CONFIRMED, PartnerAnswer.DECLINED):
        errors["answer"] = [_("Choose whether your team takes part.")]
    pdf = None
    if letter is not None:
        if answer != PartnerAnswer.CONFIRMED:
            errors["letter"] = [_("A letter of support comes with a confirmation only.")]
        else:
            try:
                pdf = documents.inspect_pdf(letter, max_bytes=ATTACHMENT_MAX_BYTES)
            except ValidationError as error:
                errors["letter"] = error.messages
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("call__instrument", "applicant")
            .get(pk=partner.application_id)
        )
        _check_open(application, now)
        stored = PartnerTeam.objects.select_for_update().get(pk=partner.pk, application=application)
        stored.application = application
        if not errors and answer not in ANSWER_TRANSITIONS[stored.answer]:
            errors["answer"] = [_("This answer cannot be given now.")]
        changed, field_errors = _corrections(stored, corrections)
        for name, messages in field_errors.items():
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise PartnerAnswerRefused(ValidationError(errors))
        stored.answer = answer
        stored.answered_at = now
        stored.save(update_fields=["answer", "answered_at", *changed])
        if changed:
            # The team's corrections change the partners step: a form filled before them is stale.
            concurrency.bump(application, None, "partners", by_name=stored.team_leader)
        stored_letter = _store_letter(stored, pdf, getattr(letter, "name", None)) if pdf is not None else None
        record(
            None,
            ApplicationAction.PARTNER_ANSWERED,
            application,
            partner=stored.pk,
            answer=str(answer),
            corrections={name: [str(before), str(after)] for name, (before, after) in changed.items()},
            letter=stored_letter.pk if stored_letter else None,
        )
    return stored


# --- The one reminder ----------------------------------------------------------------------------


def remind_partners(now=None):
    """Remind, once, every team still waiting REMIND_AFTER after its invitation, on an open
    draft. Returns how many were reminded; run again, it reminds none of them twice (reminded_at
    and a dedupe key by team and link)."""
    now = now or timezone.now()
    due = (
        PartnerTeam.objects.filter(
            answer=PartnerAnswer.WAITING,
            invited_at__lte=now - REMIND_AFTER,
            reminded_at__isnull=True,
            application__status=Application.Status.DRAFT,
            application__call__status="open",
            application__call__opens_at__lte=now,
            application__call__closes_at__gt=now,
        )
        .select_related("application__call", "application__applicant")
        .order_by("pk")
    )
    count = 0
    for partner in due.iterator(chunk_size=200):
        with transaction.atomic():
            locked = PartnerTeam.objects.select_for_update().filter(pk=partner.pk, reminded_at__isnull=True).first()
            if locked is None or locked.answer != PartnerAnswer.WAITING:
                continue
            locked.application = partner.application
            _send(locked, PARTNER_REMINDER, dedupe_key=f"partner.reminder:{locked.pk}:{locked.link_version}")
            locked.reminded_at = now
            locked.save(update_fields=["reminded_at"])
            count += 1
    return count
