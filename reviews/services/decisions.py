"""Decisions: recorded by staff within the ceiling the rules give, held in the outbox, published
when their letters are released."""

from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from applications.models import Application
from applications.services import change_status_many
from calls import rules
from calls.models import Call
from calls.rules.base import Money
from calls.services import call_facts, mark_decided
from notifications.models import Notification
from notifications.services import cancel_pending, notify, release_held

from .. import notices
from ..actions import ReviewAction
from ..models import Decision, Review, Synthesis
from ..signals import decisions_published
from .base import DecisionRefused, ReviewError, _require

#: Decision.amount holds 12 digits with 2 decimals.
MAX_AMOUNT = Decimal("1e10")


def _as_amount(value):
    if value in (None, ""):
        return None
    text = str(value).strip()
    for space in (" ", "\u00a0", "\u202f"):  # "8 000" as French writes it
        text = text.replace(space, "")
    if "," in text and "." not in text:  # "8000,50": the French decimal comma
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
        if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
            raise InvalidOperation
        # Huge exponents overflow in abs() or quantize(): refused with the same message.
        return amount.quantize(Decimal("0.01"))
    except ArithmeticError:  # decimal.InvalidOperation, Overflow...
        raise DecisionRefused(_("Give the amount in euros, e.g. 8000 or 8000.50.")) from None


def ceiling_of(application):
    """The ceiling the rules give this application (None: no ceiling)."""
    countries = tuple(p.country.code for p in application.partners.all() if p.country)
    return rules.ceiling_for(call_facts(application.call), countries)


def decision_published(decision):
    from ..selectors import published_decisions

    return published_decisions().filter(pk=decision.pk).exists()


def record_decision(application, outcome, amount, by_user):
    """Staff decide on an application under review: funded (with an amount that never exceeds the
    ceiling the rules give it), rejected or waitlisted. The decision letter is created HELD in the
    outbox; the researcher sees the decision once staff release it. Until then it may be changed
    (the previous letter is cancelled)."""
    _require(by_user, "reviews.decide")
    try:
        outcome = Decision.Outcome(outcome)
    except ValueError:
        raise DecisionRefused(_("Choose an outcome: funded, not funded or waiting list.")) from None
    amount = _as_amount(amount)
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("call__instrument", "applicant")
            .get(pk=application.pk)
        )
        if locked.status != Application.Status.IN_REVIEW:
            raise DecisionRefused(
                _("Only an application under review can be decided; this one is %(status)s.")
                % {"status": locked.get_status_display()}
            )
        if outcome == Decision.Outcome.FUNDED:
            if amount is None or amount <= 0:
                raise DecisionRefused(_("A funded application needs an amount greater than zero."))
            ceiling = ceiling_of(locked)
            if ceiling is not None and amount > ceiling:
                raise DecisionRefused(
                    _(
                        "%(amount)s EUR exceed the ceiling of %(ceiling)s EUR that the rules give "
                        "application %(reference)s."
                    )
                    % {"amount": Money(amount), "ceiling": Money(ceiling), "reference": locked.reference or locked.pk}
                )
        elif amount:
            raise DecisionRefused(_("Only a funded application receives an amount."))
        else:
            amount = None
        decision = Decision.objects.select_for_update().filter(application=locked).first()
        if decision is not None and decision_published(decision):
            raise DecisionRefused(_("The decision letter is already released: the decision can no longer change."))
        previous = {"outcome": decision.outcome, "amount": decision.amount} if decision is not None else None
        if decision is None:
            decision = Decision(application=locked)
        decision.outcome = outcome
        decision.amount = amount
        decision.decided_by = by_user
        decision.decided_at = timezone.now()
        decision.save()
        record(
            by_user,
            ReviewAction.DECISION_RECORDED,
            decision,
            application=str(locked),
            outcome=str(outcome.value),
            amount=amount,
            previous=previous,
        )
        cancel_pending(decision, kinds=[notices.DECISION])
        notify(
            locked.applicant,
            notices.DECISION,
            {
                "reference": locked.reference or "",
                "application_title": locked.title,
                "outcome": str(outcome.value),
                "amount": str(amount) if amount is not None else "",
                "url_path": decision.url_path,
            },
            target=decision,
        )
    return decision


def held_letters(call):
    """The decision letters of `call` still held for staff to read and release, oldest first."""
    content_type = ContentType.objects.get_for_model(Decision)
    decision_ids = Decision.objects.filter(application__call=call, released_at__isnull=True).values("pk")
    return (
        Notification.objects.filter(
            kind=notices.DECISION,
            status=Notification.Status.HELD,
            content_type=content_type,
            object_id__in=decision_ids,
        )
        .select_related("recipient")
        .order_by("pk")
    )


def funded_totals(call):
    """The call's funded amounts against its envelope: {envelope, published, pending, total,
    remaining, over} (Decimals in euros; remaining and over are None without an envelope)."""
    funded = Decision.objects.filter(application__call=call, outcome=Decision.Outcome.FUNDED)
    sums = funded.aggregate(
        published=Sum("amount", filter=Q(released_at__isnull=False), default=Decimal("0")),
        pending=Sum("amount", filter=Q(released_at__isnull=True), default=Decimal("0")),
    )
    total = sums["published"] + sums["pending"]
    envelope = call.budget_envelope
    return {
        "envelope": envelope,
        "published": sums["published"],
        "pending": sums["pending"],
        "total": total,
        "remaining": None if envelope is None else envelope - total,
        "over": None if envelope is None else total > envelope,
    }


def applicant_feedback(application_ids):
    """{application id: [the submitted reviews' comments for the applicant]}, without any name."""
    feedback = {}
    rows = (
        Review.objects.filter(assignment__application__in=list(application_ids), status=Review.Status.SUBMITTED)
        .exclude(comment_for_applicant="")
        .order_by("assignment__application_id", "pk")
        .values_list("assignment__application_id", "comment_for_applicant")
    )
    for application_id, comment in rows:
        feedback.setdefault(application_id, []).append(comment)
    return feedback


def with_feedback(call, letters):
    """The held decision letters of `call` with the reviewers' comments for the applicant in their
    context ("feedback") when staff share them for this call, and without otherwise (in memory:
    the release saves them, the preview shows them), and the rapporteur's synthesis ("synthesis").
    Three queries, whatever the number of letters."""
    letters = list(letters)
    applications = dict(
        Decision.objects.filter(pk__in=[letter.object_id for letter in letters]).values_list("pk", "application_id")
    )
    shared = call.feedback_to_applicants
    feedback = applicant_feedback(applications.values()) if shared else {}
    syntheses = (
        {
            application_id: {"strengths": strengths, "weaknesses": weaknesses}
            for application_id, strengths, weaknesses in Synthesis.objects.filter(
                application__in=list(applications.values()), submitted_at__isnull=False
            ).values_list("application_id", "strengths", "weaknesses")
        }
        if shared
        else {}
    )
    for letter in letters:
        context = dict(letter.context or {})
        application_id = applications.get(letter.object_id)
        for key, value in (("feedback", feedback.get(application_id)), ("synthesis", syntheses.get(application_id))):
            if value:
                context[key] = value
            else:
                context.pop(key, None)
        letter.context = context
    return letters


def release_decisions(call, by_user, *, letter_ids=None, over_envelope_confirmed=False):
    """Staff release the held decision letters of `call` (all, or those of `letter_ids`): the
    decisions are published (released_at), their applications decided, the call decided once none
    is left pending, then the outbox sends the letters. Returns how many letters go out.

    Refused while the call's funded decisions total more than its budget envelope, unless staff
    confirm they publish above it (recorded in the audit trail)."""
    _require(by_user, "reviews.release_decisions")
    with transaction.atomic():
        Call.objects.select_for_update().filter(pk=call.pk).first()
        totals = funded_totals(call)
        if totals["over"] and not over_envelope_confirmed:
            raise ReviewError(
                _(
                    "The funded decisions total %(total)s €, above the call's envelope of %(envelope)s €: lower "
                    "amounts or fund fewer applications, or confirm that you publish above the envelope."
                )
                % {"total": Money(totals["total"]), "envelope": Money(totals["envelope"])}
            )
        letters = held_letters(call).select_for_update(of=("self",))
        if letter_ids is not None:
            letters = letters.filter(pk__in=list(letter_ids))
        ids = list(letters.values_list("pk", flat=True))
        if not ids:
            raise ReviewError(_("No decision letter is waiting to be released for this call."))
        decision_ids = list(letters.values_list("object_id", flat=True))
        Notification.objects.bulk_update(with_feedback(call, Notification.objects.filter(pk__in=ids)), ["context"])
        _publish(decision_ids, by_user)
        details = {"letters": len(ids), "funded_total": totals["total"]}
        if totals["over"]:
            details["above_envelope"] = totals["envelope"]
        record(by_user, ReviewAction.DECISIONS_RELEASED, call, **details)
        released = release_held(ids, by_owner=True)
    return released


def _publish(decision_ids, by_user):
    """Publish decisions in a constant number of queries, whatever their number: released_at set
    once (one UPDATE), their applications decided (one UPDATE, an audit event each), the calls
    decided when none of their applications waits any more."""
    now = timezone.now()
    decisions = Decision.objects.select_for_update(of=("self",)).filter(pk__in=list(decision_ids))
    rows = list(decisions.values_list("pk", "application_id", "application__call_id", "released_at"))
    published = [pk for pk, _application, _call, released_at in rows if released_at is None]
    Decision.objects.filter(pk__in=published).update(released_at=now)
    applications = list(Application.objects.filter(pk__in=[application for _pk, application, _call, _r in rows]))
    change_status_many(applications, Application.Status.DECIDED, by_user)
    calls = {call for _pk, _application, call, _r in rows}
    waiting = set(
        Application.objects.filter(
            call__in=calls,
            status__in=[Application.Status.SUBMITTED, Application.Status.IN_REVIEW, Application.Status.MORE_INFO],
        ).values_list("call_id", flat=True)
    )
    for call in Call.objects.filter(pk__in=calls - waiting, status=Call.Status.IN_REVIEW):
        mark_decided(call, by_user)
    if published:
        decisions_published.send(sender=Decision, decision_ids=published, by_user=by_user)
    return len(published)
