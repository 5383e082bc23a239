"""The state changes of the review process, one function each, in one transaction, with who did it.

Invitations, conflicts of interest, routing proposals and their confirmation, scoring, recusal,
decisions. A conflicted reviewer is refused here (``check_assignable``, ``_working_assignment``)
as well as hidden by the querysets (selectors.conflict_filter).
"""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from accounts.models import AuditEvent
from applications.models import Application
from applications.services import change_status, change_status_many
from calls import rules
from calls.models import Call, ReviewCriterion
from calls.rules.base import Money
from calls.services import call_facts, mark_decided, start_review
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.services import Message, cancel_pending, notify, notify_many, release_held

from . import routing_adapter
from .models import (
    SCORE_MAX,
    SCORE_MIN,
    ConflictOfInterest,
    CriterionScore,
    Decision,
    ProposedAssignment,
    Recommendation,
    Review,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    RoutingProposal,
)
from .selectors import has_conflict

logger = logging.getLogger(__name__)

#: Calls with fewer applications are routed inline by the admin action, larger ones by Celery.
INLINE_ROUTING_MAX_APPLICATIONS = getattr(settings, "REVIEWS_INLINE_ROUTING_MAX_APPLICATIONS", 200)
REMINDER_KINDS = (Kind.REVIEW_REMINDER, Kind.REVIEW_OVERDUE)
ROUTABLE_CALL_STATUSES = (Call.Status.CLOSED, Call.Status.IN_REVIEW)


class ReviewError(Exception):
    """A change the portal refuses; `reasons` are messages for the reader (lazy or str)."""

    def __init__(self, *reasons):
        self.reasons = [str(reason) for reason in reasons]
        super().__init__("; ".join(self.reasons))


class DecisionRefused(ReviewError):
    pass


def _require(user, permission):
    """Services check the portal permission themselves (see permissions.STAFF_PERMISSIONS): a view
    is one caller among several (admin actions, commands, Celery)."""
    if not (user is not None and user.is_authenticated and user.has_perm(permission)):
        raise ReviewError(_("Your account does not have the permission to do this: ask an administrator."))


def _staff_recipients():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("pk")


# --- Reviewers and invitations ------------------------------------------------------------------


def ensure_profile(user):
    profile, _created = ReviewerProfile.objects.get_or_create(user=user)
    return profile


def invite_reviewer(call, reviewer, by_user):
    """Invite `reviewer` to review the call's applications (the user becomes a reviewer); the
    invitation e-mail is queued. Inviting again someone who has not answered changes nothing."""
    _require(by_user, "reviews.invite_reviewers")
    with transaction.atomic():
        if not reviewer.is_reviewer:
            reviewer.is_reviewer = True
            reviewer.save(update_fields=["is_reviewer"])
        ensure_profile(reviewer)
        invitation, created = ReviewerInvitation.objects.get_or_create(
            call=call, reviewer=reviewer, defaults={"invited_by": by_user}
        )
        if created:
            notify(
                reviewer,
                Kind.REVIEWER_INVITATION,
                {"call_title_fr": call.title_fr, "call_title_en": call.title_en, "url_path": invitation.url_path},
                target=invitation,
                dedupe_key=f"reviewer_invitation:{invitation.pk}",
            )
    return invitation


def answer_invitation(invitation, accept, by_user):
    with transaction.atomic():
        locked = ReviewerInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.reviewer_id != by_user.pk:
            raise ReviewError(_("This invitation is not yours."))
        target = ReviewerInvitation.Status.ACCEPTED if accept else ReviewerInvitation.Status.DECLINED
        if locked.status == target:
            return locked
        if target not in ReviewerInvitation.TRANSITIONS[ReviewerInvitation.Status(locked.status)]:
            raise ReviewError(_("This invitation can no longer be answered."))
        locked.status = target
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        if accept:
            ensure_profile(by_user)
    return locked


# --- Conflicts of interest -----------------------------------------------------------------------


def check_assignable(application, reviewer):
    """Raise ReviewError when `reviewer` may not review `application` (conflict, not a reviewer)."""
    if not (reviewer.is_active and reviewer.is_reviewer):
        raise ReviewError(_("%(name)s is not an active reviewer.") % {"name": reviewer})
    if has_conflict(reviewer, application):
        raise ReviewError(
            _("%(name)s has a conflict of interest with %(application)s.")
            % {"name": reviewer, "application": application}
        )


def declare_conflict(reviewer, application, kind, reason, by_user):
    """Record a conflict (by the reviewer on their page, or by staff). An active assignment on the
    application ends at once; when the reviewer declares it, staff are told and a replacement is
    proposed, as for a recusal."""
    kind = ConflictOfInterest.Kind(kind)
    by_reviewer = by_user.pk == reviewer.pk
    if not by_reviewer:
        _require(by_user, "reviews.record_conflicts")
    with transaction.atomic():
        conflict, _created = ConflictOfInterest.objects.update_or_create(
            reviewer=reviewer,
            application=application,
            defaults={
                "kind": kind,
                "reason": reason,
                "source": ConflictOfInterest.Source.REVIEWER if by_reviewer else ConflictOfInterest.Source.STAFF,
                "recorded_by": by_user,
            },
        )
        assignment = (
            ReviewAssignment.objects.select_for_update()
            .active()
            .filter(reviewer=reviewer, application=application)
            .first()
        )
        if assignment is not None:
            status = ReviewAssignment.Status.RECUSED if by_reviewer else ReviewAssignment.Status.REMOVED
            _end_assignment(assignment, status, reason or str(kind.label))
            if by_reviewer:
                _after_recusal(assignment, reason or str(kind.label))
    return conflict


# --- Routing ---------------------------------------------------------------------------------------


def _default_due_date():
    return timezone.localdate() + timedelta(days=30)


def launch_routing(call, by_user, *, reviewers_per_application=3, due_date=None, application=None, inline=None):
    """Create a routing proposal for the call (or for one application) and compute it: inline for
    a small call, in the Celery task ``reviews.compute_routing`` otherwise (progress on the page)."""
    _require(by_user, "reviews.route_applications")
    due_date = due_date or _default_due_date()
    if call.status not in ROUTABLE_CALL_STATUSES:
        raise ReviewError(_("Close the call before routing its applications."))
    if due_date <= timezone.localdate():
        raise ReviewError(_("The reviews' due date must be in the future."))
    with transaction.atomic():
        proposal = RoutingProposal.objects.create(
            call=call,
            application=application,
            reviewers_per_application=reviewers_per_application,
            due_date=due_date,
            created_by=by_user,
        )
        record(
            by_user,
            AuditEvent.Action.ROUTING_LAUNCHED,
            proposal,
            call=str(call),
            reviewers_per_application=reviewers_per_application,
            due_date=due_date,
        )
    if inline is None:
        count = len(routing_adapter.applications_to_route(call, application))
        inline = count < INLINE_ROUTING_MAX_APPLICATIONS
    if inline:
        run_routing(proposal.pk)
        proposal.refresh_from_db()
    else:
        from .tasks import compute_routing

        transaction.on_commit(lambda: compute_routing.delay(proposal.pk))
    return proposal


def _set_progress(proposal_id, value):
    RoutingProposal.objects.filter(pk=proposal_id).update(progress=value)


def run_routing(proposal_id):
    """Compute a queued (or failed, or draft) proposal: computing -> draft, progress 0..100."""
    with transaction.atomic():
        proposal = (
            RoutingProposal.objects.select_for_update(of=("self",))
            .select_related("call", "application")
            .get(pk=proposal_id)
        )
        if not proposal.can_move_to(RoutingProposal.Status.COMPUTING):
            return proposal
        proposal.status = RoutingProposal.Status.COMPUTING
        proposal.progress = 5
        proposal.error = ""
        proposal.save(update_fields=["status", "progress", "error"])
    try:
        solution = routing_adapter.compute(proposal, progress=lambda value: _set_progress(proposal_id, value))
        with transaction.atomic():
            routing_adapter.store(proposal, solution)
            proposal.status = RoutingProposal.Status.DRAFT
            proposal.progress = 100
            proposal.save(update_fields=["status", "progress", "total_affinity", "shortfalls", "stats"])
    except Exception as error:
        logger.exception("Routing proposal %s failed", proposal_id)
        # Staff see the error on the proposal page and may compute it again; nothing half-written stays.
        RoutingProposal.objects.filter(pk=proposal_id).update(status=RoutingProposal.Status.FAILED, error=str(error))
        proposal.refresh_from_db()
    return proposal


def _editable_proposal(proposal):
    locked = RoutingProposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_editable:
        raise ReviewError(_("Only a draft proposal can be changed."))
    return locked


def add_proposed_pair(proposal, application, reviewer, by_user):
    """Staff add a reviewer to a draft proposal; conflicts are checked again."""
    _require(by_user, "reviews.route_applications")
    with transaction.atomic():
        locked = _editable_proposal(proposal)
        if application.call_id != locked.call_id:
            raise ReviewError(_("This application is not in the proposal's call."))
        check_assignable(application, reviewer)
        if ReviewAssignment.objects.active().filter(application=application, reviewer=reviewer).exists():
            raise ReviewError(_("%(name)s already reviews this application.") % {"name": reviewer})
        pair, _created = ProposedAssignment.objects.get_or_create(
            proposal=locked,
            application=application,
            reviewer=reviewer,
            defaults={"source": ProposedAssignment.Source.STAFF},
        )
        record(
            by_user,
            AuditEvent.Action.ROUTING_CHANGED,
            locked,
            added={"application": str(application), "reviewer": str(reviewer)},
        )
    return pair


def remove_proposed_pair(pair, by_user):
    _require(by_user, "reviews.route_applications")
    with transaction.atomic():
        locked = _editable_proposal(pair.proposal)
        record(
            by_user,
            AuditEvent.Action.ROUTING_CHANGED,
            locked,
            removed={"application": str(pair.application), "reviewer": str(pair.reviewer)},
        )
        pair.delete()


def discard_routing(proposal, by_user):
    _require(by_user, "reviews.discard_proposal")
    with transaction.atomic():
        locked = RoutingProposal.objects.select_for_update().get(pk=proposal.pk)
        if not locked.can_move_to(RoutingProposal.Status.DISCARDED):
            raise ReviewError(_("This proposal can no longer be discarded."))
        locked.status = RoutingProposal.Status.DISCARDED
        locked.save(update_fields=["status"])
        record(by_user, AuditEvent.Action.ROUTING_DISCARDED, locked)
    return locked


def _assignment_messages(assignment):
    """The assignment notice, the reminder (unless its moment has passed) and the overdue notice."""
    application = assignment.application
    context = {
        "reference": application.reference or "",
        "due_date": assignment.due_date.isoformat(),
        "url_path": assignment.url_path,
    }
    now = timezone.now()
    messages = [
        Message(
            assignment.reviewer,
            Kind.ASSIGNMENT,
            {**context, "application_title": application.title},
            target=assignment,
            dedupe_key=f"assignment:{assignment.pk}",
        )
    ]
    if assignment.reminder_at > now:
        messages.append(
            Message(
                assignment.reviewer,
                Kind.REVIEW_REMINDER,
                context,
                target=assignment,
                not_before=assignment.reminder_at,
                dedupe_key=f"review_reminder:{assignment.pk}",
            )
        )
    messages.append(
        Message(
            assignment.reviewer,
            Kind.REVIEW_OVERDUE,
            context,
            target=assignment,
            not_before=max(assignment.overdue_at, now),
            dedupe_key=f"review_overdue:{assignment.pk}",
        )
    )
    return messages


def queue_assignment_notifications(assignments):
    """The three notices of each assignment, in a constant number of queries; a retry creates
    nothing new (each notice has its dedupe key)."""
    return notify_many(message for assignment in assignments for message in _assignment_messages(assignment))


def confirm_routing(proposal, by_user):
    """Turn a draft proposal into assignments: conflicts checked again, applications moved to
    in_review, the call's review started if it is closed, assignment notifications and the
    reminders (3 days before the due date) and overdue notices (the day after) queued."""
    _require(by_user, "reviews.confirm_proposal")
    with transaction.atomic():
        locked = RoutingProposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
        if locked.status != RoutingProposal.Status.DRAFT:
            raise ReviewError(_("Only a draft proposal can be confirmed."))
        call = Call.objects.select_for_update().get(pk=locked.call_id)
        if call.status not in ROUTABLE_CALL_STATUSES:
            raise ReviewError(_("Close the call before routing its applications."))
        pairs = list(locked.pairs.select_related("application", "reviewer__reviewer_profile"))
        applications = list({p.application_id: p.application for p in pairs}.values())
        reviewers = list({p.reviewer_id: p.reviewer for p in pairs}.values())
        for reviewer in reviewers:
            if not hasattr(reviewer, "reviewer_profile"):
                reviewer.reviewer_profile = ensure_profile(reviewer)
        conflicts = routing_adapter.conflict_pairs(applications, reviewers)
        conflicted = {(applications[i].pk, reviewers[j].pk) for i, j in conflicts}
        active = set(
            ReviewAssignment.objects.active()
            .filter(application__in=[a.pk for a in applications])
            .values_list("application_id", "reviewer_id")
        )
        refused = []
        to_create = []
        for pair in pairs:
            key = (pair.application_id, pair.reviewer_id)
            if key in active:
                continue
            if key in conflicted or not (pair.reviewer.is_active and pair.reviewer.is_reviewer):
                refused.append(pair)
                continue
            if pair.application.status not in routing_adapter.ROUTED_STATUSES:
                continue
            to_create.append(
                ReviewAssignment(
                    application=pair.application,
                    call=call,
                    reviewer=pair.reviewer,
                    due_date=locked.due_date,
                    proposal=locked,
                    assigned_by=by_user,
                )
            )
        if refused:
            raise ReviewError(
                *[
                    _("%(name)s has a conflict of interest with %(application)s.")
                    % {"name": p.reviewer, "application": p.application}
                    for p in refused
                ]
            )
        created = ReviewAssignment.objects.bulk_create(to_create)
        change_status_many(
            [a for a in applications if a.status == Application.Status.SUBMITTED], Application.Status.IN_REVIEW, by_user
        )
        if call.status == Call.Status.CLOSED:
            start_review(call, by_user)
        queue_assignment_notifications(created)
        locked.status = RoutingProposal.Status.CONFIRMED
        locked.confirmed_by = by_user
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record(
            by_user,
            AuditEvent.Action.ROUTING_CONFIRMED,
            locked,
            assignments=[{"application": str(a.application), "reviewer": str(a.reviewer)} for a in created],
        )
    proposal.status = locked.status
    return created


def _end_assignment(assignment, status, reason):
    assignment.status = status
    assignment.ended_at = timezone.now()
    assignment.end_reason = reason
    assignment.save(update_fields=["status", "ended_at", "end_reason"])
    cancel_pending(assignment, kinds=[Kind.ASSIGNMENT, *REMINDER_KINDS])


def remove_assignment(assignment, by_user, reason=""):
    """Staff end an assignment (its pending reminders are cancelled)."""
    _require(by_user, "reviews.end_assignment")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.status != ReviewAssignment.Status.ACTIVE:
            return locked
        _end_assignment(locked, ReviewAssignment.Status.REMOVED, reason)
        record(by_user, AuditEvent.Action.ASSIGNMENT_REMOVED, locked, reason=str(reason))
    return locked


# --- Scoring ---------------------------------------------------------------------------------------


def _working_assignment(assignment, by_user):
    """The locked assignment, if `by_user` is its reviewer, it is active and no conflict exists."""
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application", "call")
        .get(pk=assignment.pk)
    )
    if (
        locked.reviewer_id != by_user.pk
        or locked.status != ReviewAssignment.Status.ACTIVE
        or has_conflict(by_user, locked.application)
    ):
        raise ReviewError(_("You are not assigned to this application."))
    return locked


def _plain_text(value):
    """A comment as the database can store it (PostgreSQL refuses the NUL character)."""
    text = str(value or "")
    if "\x00" in text:
        raise ReviewError(_("A comment contains a null character: remove it and save again."))
    return text


def save_review(assignment, by_user, *, scores, recommendation="", general_comment="", submit=False):
    """Save the reviewer's scores ({criterion id: (score or None, comment)}) as a draft, or submit
    them: every criterion scored and a recommendation given; the review is then locked and the
    pending reminders cancelled."""
    with transaction.atomic():
        locked = _working_assignment(assignment, by_user)
        review, _created = Review.objects.select_for_update().get_or_create(assignment=locked)
        if review.is_locked:
            raise ReviewError(_("This review is submitted: ask the staff to reopen it to change it."))
        criteria = list(ReviewCriterion.objects.filter(call=locked.call_id).order_by("position", "id"))
        if recommendation and recommendation not in Recommendation.values:
            raise ReviewError(_("Choose a recommendation from the list."))
        values = {}
        for criterion in criteria:
            score, comment = scores.get(criterion.pk, (None, ""))
            if score is not None:
                try:
                    score = int(score)
                except (TypeError, ValueError):
                    raise ReviewError(_("A score is between 1 and 5.")) from None
                if not (SCORE_MIN <= score <= SCORE_MAX):
                    raise ReviewError(_("A score is between 1 and 5."))
            values[criterion.pk] = (score, _plain_text(comment))
        if submit:
            missing = [c.name for c in criteria if values[c.pk][0] is None]
            problems = [_("Score the criterion “%(name)s”.") % {"name": name} for name in missing]
            if not recommendation:
                problems.append(_("Give an overall recommendation."))
            if problems:
                raise ReviewError(*problems)
        existing = {s.criterion_id: s for s in CriterionScore.objects.filter(review=review)}
        for criterion in criteria:
            score, comment = values[criterion.pk]
            row = existing.get(criterion.pk)
            if row is None:
                CriterionScore.objects.create(review=review, criterion=criterion, score=score, comment=comment)
            elif (row.score, row.comment) != (score, comment):
                row.score, row.comment = score, comment
                row.save(update_fields=["score", "comment"])
        review.recommendation = recommendation or ""
        review.general_comment = _plain_text(general_comment)
        fields = ["recommendation", "general_comment", "updated_at"]
        if submit:
            review.status = Review.Status.SUBMITTED
            review.submitted_at = timezone.now()
            fields += ["status", "submitted_at"]
            cancel_pending(locked, kinds=REMINDER_KINDS)
        review.save(update_fields=fields)
    return review


def reopen_review(review, by_user):
    """Staff unlock a submitted review so its reviewer may change it."""
    _require(by_user, "reviews.reopen_review")
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.status != Review.Status.SUBMITTED:
            return locked
        locked.status = Review.Status.DRAFT
        locked.reopened_at = timezone.now()
        locked.reopened_by = by_user
        locked.save(update_fields=["status", "reopened_at", "reopened_by", "updated_at"])
        record(by_user, AuditEvent.Action.REVIEW_REOPENED, locked)
    return locked


# --- Recusal and replacement ---------------------------------------------------------------------


def propose_replacement(application, by_user=None):
    """A one-application routing proposal: the router picks one more reviewer, the current ones
    kept (a reviewer who left the application is never proposed again). Computed inline."""
    active_count = ReviewAssignment.objects.active().filter(application=application).count()
    due = (
        ReviewAssignment.objects.filter(application=application)
        .order_by("-due_date")
        .values_list("due_date", flat=True)
        .first()
    )
    due = max(due or _default_due_date(), timezone.localdate() + timedelta(days=14))
    proposal = RoutingProposal.objects.create(
        call_id=application.call_id,
        application=application,
        reviewers_per_application=active_count + 1,
        due_date=due,
        created_by=by_user,
    )
    run_routing(proposal.pk)
    proposal.refresh_from_db()
    return proposal


def _after_recusal(assignment, reason):
    proposal = propose_replacement(assignment.application)
    reviewer = assignment.reviewer
    for staff in _staff_recipients():
        notify(
            staff,
            Kind.RECUSAL,
            {
                "reviewer_name": str(reviewer),
                "reference": assignment.application.reference or "",
                "reason": reason,
                "url_path": f"/reviews/staff/proposals/{proposal.pk}/",
            },
            target=assignment,
            dedupe_key=f"recusal:{assignment.pk}:{staff.pk}",
        )
    return proposal


def recuse(assignment, by_user, reason, *, conflict_kind=None):
    """The reviewer steps down with a reason (optionally declaring a conflict of interest): the
    assignment ends, its reminders are cancelled, staff are told, a replacement is proposed."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give the reason why you step down."))
    with transaction.atomic():
        locked = (
            ReviewAssignment.objects.select_for_update().select_related("application", "reviewer").get(pk=assignment.pk)
        )
        if locked.reviewer_id != by_user.pk or locked.status != ReviewAssignment.Status.ACTIVE:
            raise ReviewError(_("You are not assigned to this application."))
        if conflict_kind:
            ConflictOfInterest.objects.update_or_create(
                reviewer=by_user,
                application=locked.application,
                defaults={
                    "kind": ConflictOfInterest.Kind(conflict_kind),
                    "reason": reason,
                    "source": ConflictOfInterest.Source.REVIEWER,
                    "recorded_by": by_user,
                },
            )
        _end_assignment(locked, ReviewAssignment.Status.RECUSED, reason)
        proposal = _after_recusal(locked, reason)
    return proposal


# --- Decisions -------------------------------------------------------------------------------------


#: Decision.amount holds 12 digits with 2 decimals.
MAX_AMOUNT = Decimal("1e10")


def _as_amount(value):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
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
    from .selectors import published_decisions

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
            AuditEvent.Action.DECISION_RECORDED,
            decision,
            application=str(locked),
            outcome=str(outcome.value),
            amount=amount,
            previous=previous,
        )
        cancel_pending(decision, kinds=[Kind.DECISION])
        notify(
            locked.applicant,
            Kind.DECISION,
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
            kind=Kind.DECISION,
            status=Notification.Status.HELD,
            content_type=content_type,
            object_id__in=decision_ids,
        )
        .select_related("recipient")
        .order_by("pk")
    )


def release_decisions(call, by_user, *, letter_ids=None):
    """Staff release the held decision letters of `call` (all, or those of `letter_ids`): the
    decisions are published (released_at), their applications decided, the call decided once none
    is left pending, then the outbox sends the letters. Returns how many letters go out."""
    _require(by_user, "reviews.release_decisions")
    with transaction.atomic():
        letters = held_letters(call).select_for_update(of=("self",))
        if letter_ids is not None:
            letters = letters.filter(pk__in=list(letter_ids))
        ids = list(letters.values_list("pk", flat=True))
        if not ids:
            raise ReviewError(_("No decision letter is waiting to be released for this call."))
        decision_ids = list(letters.values_list("object_id", flat=True))
        _publish(decision_ids, by_user)
        record(by_user, AuditEvent.Action.DECISIONS_RELEASED, call, letters=len(ids))
        released = release_held(ids)
    return released


def _publish(decision_ids, by_user):
    """Publish decisions: released_at set once, applications decided, calls decided when done."""
    now = timezone.now()
    calls = set()
    count = 0
    for decision in (
        Decision.objects.select_for_update().filter(pk__in=decision_ids).select_related("application").order_by("pk")
    ):
        if decision.released_at is None:
            decision.released_at = now
            decision.save(update_fields=["released_at"])
            count += 1
        if decision.application.status == Application.Status.IN_REVIEW:
            change_status(decision.application, Application.Status.DECIDED, by_user)
        calls.add(decision.application.call_id)
    for call in Call.objects.filter(pk__in=calls, status=Call.Status.IN_REVIEW):
        pending = Application.objects.filter(
            call=call, status__in=[Application.Status.SUBMITTED, Application.Status.IN_REVIEW]
        ).exists()
        if not pending:
            mark_decided(call, by_user)
    return count


def publish_released_decisions(sender=None, notification_ids=(), **kwargs):
    """Receiver of notifications_released (letters released from the outbox's admin): their
    decisions are published as release_decisions() does (already done when it released them)."""
    content_type = ContentType.objects.get_for_model(Decision)
    decision_ids = list(
        Notification.objects.filter(
            pk__in=list(notification_ids), kind=Kind.DECISION, content_type=content_type
        ).values_list("object_id", flat=True)
    )
    if not decision_ids:
        return 0
    with transaction.atomic():
        return _publish(decision_ids, None)
