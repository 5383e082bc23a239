"""Routing proposals (computed, adjusted by staff, confirmed or discarded) and the assignments
they create, with their notices."""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from applications.models import Application
from applications.services import change_status_many
from calls.models import Call
from calls.services import start_review
from notifications.services import Message, cancel_pending, notify_many

from .. import notices, routing_adapter
from ..actions import ReviewAction
from ..models import ProposedAssignment, ReviewAssignment, RoutingProposal
from .base import ReviewError, _require
from .invitations import check_assignable, ensure_profile

logger = logging.getLogger(__name__)

#: Calls with fewer applications are routed inline by the admin action, larger ones by Celery.
INLINE_ROUTING_MAX_APPLICATIONS = getattr(settings, "REVIEWS_INLINE_ROUTING_MAX_APPLICATIONS", 200)
ROUTABLE_CALL_STATUSES = (Call.Status.CLOSED, Call.Status.IN_REVIEW)
#: The Celery task (reviews.tasks.compute_routing) that computes a large call's proposal.
COMPUTE_ROUTING_TASK = "reviews.compute_routing"


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
            ReviewAction.ROUTING_LAUNCHED,
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
        # Queued by the task's name: reviews.tasks imports these services, they do not import it back.
        transaction.on_commit(lambda: current_app.send_task(COMPUTE_ROUTING_TASK, args=(proposal.pk,)))
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
        if not proposal.can_become(RoutingProposal.Status.COMPUTING):
            return proposal
        proposal.transition(RoutingProposal.Status.COMPUTING, by=None, progress=5, error="")
    try:
        solution = routing_adapter.compute(proposal, progress=lambda value: _set_progress(proposal_id, value))
        with transaction.atomic():
            routing_adapter.store(proposal, solution)  # sets total_affinity, shortfalls, stats
            proposal.transition(
                RoutingProposal.Status.DRAFT,
                by=None,
                progress=100,
                total_affinity=proposal.total_affinity,
                shortfalls=proposal.shortfalls,
                stats=proposal.stats,
            )
    except Exception as error:
        logger.exception("Routing proposal %s failed", proposal_id)
        # Staff see the error on the proposal page and may compute it again; nothing half-written stays.
        RoutingProposal.transition_rows(
            RoutingProposal.objects.filter(pk=proposal_id),
            [RoutingProposal.Status.COMPUTING],
            RoutingProposal.Status.FAILED,
            by=None,
            error=str(error),
        )
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
            ReviewAction.ROUTING_CHANGED,
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
            ReviewAction.ROUTING_CHANGED,
            locked,
            removed={"application": str(pair.application), "reviewer": str(pair.reviewer)},
        )
        pair.delete()


def discard_routing(proposal, by_user):
    _require(by_user, "reviews.discard_proposal")
    with transaction.atomic():
        locked = RoutingProposal.objects.select_for_update().get(pk=proposal.pk)
        if not locked.can_become(RoutingProposal.Status.DISCARDED):
            raise ReviewError(_("This proposal can no longer be discarded."))
        locked.transition(RoutingProposal.Status.DISCARDED, by=by_user, action=ReviewAction.ROUTING_DISCARDED)
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
            notices.ASSIGNMENT,
            {**context, "application_title": application.title},
            target=assignment,
            dedupe_key=f"assignment:{assignment.pk}",
        )
    ]
    if assignment.reminder_at > now:
        messages.append(
            Message(
                assignment.reviewer,
                notices.REVIEW_REMINDER,
                context,
                target=assignment,
                not_before=assignment.reminder_at,
                dedupe_key=f"review_reminder:{assignment.pk}",
            )
        )
    messages.append(
        Message(
            assignment.reviewer,
            notices.REVIEW_OVERDUE,
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
        if not locked.can_become(RoutingProposal.Status.CONFIRMED):
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
            [a for a in applications if a.can_become(Application.Status.IN_REVIEW)],
            Application.Status.IN_REVIEW,
            by_user,
        )
        if call.can_become(Call.Status.IN_REVIEW):
            start_review(call, by_user)
        queue_assignment_notifications(created)
        locked.transition(
            RoutingProposal.Status.CONFIRMED,
            by=by_user,
            action=ReviewAction.ROUTING_CONFIRMED,
            details={
                "assignments": [{"application": str(a.application), "reviewer": str(a.reviewer)} for a in created]
            },
            confirmed_by=by_user,
            confirmed_at=timezone.now(),
        )
    proposal.status = locked.status
    return created


def _end_assignment(assignment, status, reason, by_user, action=None):
    """End a (locked) active assignment: recused or removed, with its reason, audited."""
    assignment.transition(
        status,
        by=by_user,
        action=action,
        details={"reason": str(reason)},
        ended_at=timezone.now(),
        end_reason=reason,
    )
    cancel_pending(assignment, kinds=[notices.ASSIGNMENT, *notices.REMINDER_KINDS])


def remove_assignment(assignment, by_user, reason=""):
    """Staff end an assignment (its pending reminders are cancelled)."""
    _require(by_user, "reviews.end_assignment")
    with transaction.atomic():
        locked = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        if not locked.can_become(ReviewAssignment.Status.REMOVED):
            return locked
        _end_assignment(locked, ReviewAssignment.Status.REMOVED, reason, by_user, ReviewAction.ASSIGNMENT_REMOVED)
    return locked
