"""The administrative screening (issue 18): once a call has closed, staff check each submitted
application (complete, eligible per the report frozen at submission, signatures and letters
present) and find it admissible or inadmissible, with a reason from a list and their own words.

Only admissible applications are routed to reviewers (routing_adapter.routable). An inadmissible
one leaves the review: it gets a decision (outcome "inadmissible") whose letter waits in the outbox
with every other decision letter of the call, released from the same page; until then staff may
change their mind (the letter is cancelled, or replaced)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from applications.models import Application
from calls.models import Call
from notifications.services import cancel_pending, notify

from .. import notices
from ..actions import ReviewAction
from ..models import Decision, Screening
from .base import ReviewError, _require


def _outcome(value):
    try:
        return Screening.Outcome(value)
    except ValueError:
        raise ReviewError(_("Choose whether the application is admissible or inadmissible.")) from None


def _reason(outcome, value, details):
    if outcome == Screening.Outcome.ADMISSIBLE:
        return ""
    try:
        reason = Screening.Reason(value)
    except ValueError:
        raise ReviewError(_("Choose the reason why the application is inadmissible.")) from None
    if reason == Screening.Reason.OTHER and not details:
        raise ReviewError(_("Say in the details what the other reason is: the applicant reads it."))
    return reason


def _check_text(screening):
    try:
        screening.full_clean(exclude=["application", "screened_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ReviewError(*error.messages) from None


def call_closed(call, now):
    """The call takes no more applications at `now`: staff closed it, or its deadline passed."""
    return call.status not in (Call.Status.DRAFT, Call.Status.OPEN) or now >= call.closes_at


def screening_problems(application, now):
    """Why `application` cannot be screened at `now`, in words (empty: it can)."""
    call = application.call
    if not call_closed(call, now):
        closes = formats.date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")
        return [_("The call closes on %(date)s: its applications are screened once it has closed.") % {"date": closes}]
    if application.status == Application.Status.IN_REVIEW:
        return [_("This application is already with its reviewers: it was screened admissible.")]
    if application.status == Application.Status.DECIDED:
        return [_("This application is decided: its screening can no longer change.")]
    if application.status != Application.Status.SUBMITTED:
        return [
            _("An application that is %(status)s is not screened.")
            % {"status": application.get_status_display().lower()}
        ]
    return []


def _letter_context(locked, reason, details):
    context = {
        "reference": locked.reference or "",
        "application_title": locked.title,
        "outcome": Decision.Outcome.INADMISSIBLE.value,
        "amount": "",
        "url_path": f"/reviews/decisions/{locked.pk}/",
        "details": details,
    }
    for language in ("fr", "en"):
        with translation.override(language):
            context[f"reason_{language}"] = str(Screening.Reason(reason).label)
    return context


def screen_application(application, by_user, outcome, reason="", details="", now=None):
    """Record staff's screening of `application` (admissible, or inadmissible with a reason).

    Inadmissible: a decision "inadmissible" with its letter held in the outbox (the reason in the
    applicant's language, staff's details quoted). Screened again before the letters are released:
    the decision and its letter follow (admissible again: both are cancelled). Audited."""
    _require(by_user, "reviews.screen_applications")
    now = now or timezone.now()
    outcome = _outcome(outcome)
    details = (details or "").strip()
    reason = _reason(outcome, reason, details)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call", "applicant")
            .get(pk=application.pk)
        )
        problems = screening_problems(locked, now)
        if problems:
            raise ReviewError(*problems)
        screening = Screening.objects.select_for_update().filter(application=locked).first()
        previous = {"outcome": screening.outcome, "reason": screening.reason} if screening else None
        screening = screening or Screening(application=locked)
        screening.outcome, screening.reason, screening.details = outcome, reason, details
        screening.screened_by, screening.screened_at = by_user, now
        _check_text(screening)
        screening.save()
        record(
            by_user,
            ReviewAction.SCREENED,
            locked,
            outcome=outcome.value,
            reason=reason,
            previous=previous,
        )
        decision = Decision.objects.select_for_update().filter(application=locked).first()
        if decision is not None and decision.released_at is not None:
            raise ReviewError(_("The decision letter is already released: the screening can no longer change."))
        if decision is not None:
            cancel_pending(decision, kinds=[notices.DECISION])
        if outcome == Screening.Outcome.ADMISSIBLE:
            if decision is not None:
                decision.delete()
            return screening
        decision = decision or Decision(application=locked)
        decision.outcome, decision.amount = Decision.Outcome.INADMISSIBLE, None
        decision.decided_by, decision.decided_at = by_user, now
        decision.save()
        notify(locked.applicant, notices.DECISION, _letter_context(locked, reason, details), target=decision)
    return screening
