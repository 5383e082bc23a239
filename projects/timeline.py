"""A project's life in one chronological list, for its page: the decision, the project's creation
and start, payments, reports (submitted, changes asked, accepted, waived, added, moved), change
requests (made, decided), the final evaluation, suspension, resumption, early end and closure;
then what is coming up (start, reports owed, the end date, an evaluation awaited).

Built from the project's rows and the audit events of the project and of its reports, change
requests and evaluations (whatever service wrote them: ``transition()`` records "<x>.status"),
in a constant number of queries: the project's reports, changes, evaluations and payments, and
one query for all their audit events.

Who did it: staff reading the page see the person's name (or the e-mail recorded at the time);
the lead researcher sees "You" for their own acts and "Inserm staff" for staff's, never a staff
member's name or address, nor the reviewer who evaluates the project (nothing is shown for a
reviewer or for the portal's own daily changes)."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import AuditEvent
from calls.rules.base import Money

from .actions import ProjectAction
from .models import ChangeRequest, Evaluation, Project, Report

Status = Project.Status


@dataclass
class Entry:
    moment: datetime.datetime  # aware, for the order
    day: datetime.date  # shown, in Paris time
    text: str
    detail: str = ""
    who: str = ""
    kind: str = ""
    overdue: bool = False
    tie: int = 0  # the audit event's id: facts of the same moment in the order they were recorded


def _when(value):
    """(moment for the order, day shown) of a date or an aware datetime, in the portal's zone."""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return local, local.date()
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min)), value


def _euros(amount):
    return f"{Money(amount)}\u00a0€"


def _day(value):
    day = parse_date(value) if isinstance(value, str) else value
    return date_format(day, "DATE_FORMAT") if isinstance(day, datetime.date) else ""


class _Builder:
    def __init__(self, project, viewer, today):
        self.project = project
        self.viewer_is_lead = viewer is not None and viewer.pk == project.lead_id
        self.today = today
        self.entries = []

    def who(self, user, recorded=""):
        if user is None:
            return "" if self.viewer_is_lead else recorded
        if self.viewer_is_lead:
            if user.pk == self.project.lead_id:
                return _("you")
            return _("Inserm staff") if user.is_staff else ""
        return user.get_full_name() or user.email

    def add(self, when, text, *, detail="", who="", kind="", note=False):
        """One entry at `when` (a date, a datetime or an audit event); `detail` (a reason, or a
        payment's `note`) is shown under it."""
        if when is None:
            return
        tie = 0
        if isinstance(when, AuditEvent):
            when, tie = when.at, when.pk
        moment, day = _when(when)
        if detail and isinstance(detail, str):
            detail = (_("Note: %(note)s") if note else _("Reason: %(reason)s")) % {"note": detail, "reason": detail}
        else:
            detail = ""
        self.entries.append(Entry(moment, day, str(text), detail=detail, who=who, kind=kind, tie=tie))


def _change_label(change):
    if change.kind == ChangeRequest.Kind.EXTENSION and change.months:
        return ngettext(
            "no-cost extension of %(months)s month", "no-cost extension of %(months)s months", change.months
        ) % {"months": change.months}
    if change.kind == ChangeRequest.Kind.BUDGET_TRANSFER and change.amount:
        return _("transfer of %(amount)s from %(from)s to %(to)s") % {
            "amount": _euros(change.amount),
            "from": change.get_from_category_display().lower(),
            "to": change.get_to_category_display().lower(),
        }
    if change.kind == ChangeRequest.Kind.PARTNER and change.new_institution:
        return _("new partner team, %(institution)s") % {"institution": change.new_institution}
    return change.get_kind_display().lower()


def _project_event(builder, event):
    changes = event.changes or {}
    who = builder.who(event.actor, event.actor_repr)
    reason = changes.get("reason", "") if isinstance(changes.get("reason"), str) else ""
    if event.action == ProjectAction.CREATED:
        builder.add(event, _("Project created from the decision"), who=who, kind="project")
        return True
    if event.action == ProjectAction.START_SET:
        start = (changes.get("start") or {}).get("to")
        builder.add(event, _("Start date set to %(date)s") % {"date": _day(start)}, who=who, kind="project")
    elif event.action == ProjectAction.STATUS:
        status = changes.get("status") or {}
        source, target = status.get("from"), status.get("to")
        if target == Status.SUSPENDED:
            text = _("Project suspended")
        elif source == Status.SUSPENDED:
            text = _("Project resumed")
        elif target == Status.TERMINATED:
            text = _("Project ended early")
        elif target == Status.CLOSED:
            text = _("Project closed")
        else:  # started, ended, extended: the dates and the change requests say it
            return False
        builder.add(event, text, detail=reason, who=who, kind="status")
    elif event.action != ProjectAction.PAYMENT:  # payments: from their rows (the date paid)
        builder.add(event, capfirst(event.get_action_display()), detail=reason, who=who, kind="project")
    return False


REPORT_TEXTS = {
    Report.Status.SUBMITTED: "submitted",
    Report.Status.CHANGES_REQUESTED: "changes",
    Report.Status.ACCEPTED: "accepted",
    Report.Status.WAIVED: "waived",
}


def _report_text(what, report, changes):
    name = str(report)
    if what == "submitted":
        return _("%(report)s submitted") % {"report": name}
    if what == "resubmitted":
        return _("%(report)s submitted again") % {"report": name}
    if what == "changes":
        return _("Changes asked: %(report)s") % {"report": name}
    if what == "accepted":
        return _("%(report)s accepted") % {"report": name}
    if what == "waived":
        return _("%(report)s waived") % {"report": name}
    if what == "added":
        return _("%(report)s added to the schedule") % {"report": name}
    moved = (changes.get("due_on") or {}).get("to") if isinstance(changes.get("due_on"), dict) else None
    if moved:
        return _("%(report)s now due on %(date)s") % {"report": name, "date": _day(moved)}
    return _("%(report)s due date moved") % {"report": name}


def _report_events(builder, report, events):
    waived = False
    for event in events:
        changes = event.changes or {}
        status = changes.get("status") or {}
        target = status.get("to")
        if target in REPORT_TEXTS:
            what = REPORT_TEXTS[target]
            if target == Report.Status.SUBMITTED and status.get("from") == Report.Status.CHANGES_REQUESTED:
                what = "resubmitted"
        elif event.action == ProjectAction.REPORT_WAIVED:
            what = "waived"
        elif event.action == ProjectAction.REPORT_ADDED:
            what = "added"
        elif event.action == ProjectAction.REPORT_MOVED:
            what = "moved"
        else:  # drafts saved, a draft started
            continue
        if what == "waived":
            if waived:
                continue
            waived = True
        detail = changes.get("reason") or (report.staff_reason if what in ("waived", "added", "moved") else "")
        builder.add(
            event,
            _report_text(what, report, changes),
            detail=detail if isinstance(detail, str) else "",
            who=builder.who(event.actor, event.actor_repr),
            kind="report",
        )
    if events:
        return
    # Rows written without a service (imported, or older than the audit): what the row says.
    who = builder.who(report.reviewed_by)
    if report.submitted_at:
        builder.add(report.submitted_at, _report_text("submitted", report, {}), kind="report")
    if report.status == Report.Status.ACCEPTED:
        builder.add(report.reviewed_at, _report_text("accepted", report, {}), who=who, kind="report")
    elif report.status == Report.Status.CHANGES_REQUESTED:
        builder.add(report.reviewed_at, _report_text("changes", report, {}), who=who, kind="report")
    elif report.status == Report.Status.WAIVED:
        builder.add(report.updated_at, _report_text("waived", report, {}), detail=report.staff_reason, kind="report")


CHANGE_TEXTS = {
    ChangeRequest.Status.APPROVED: lambda label: _("Change approved: %(change)s") % {"change": label},
    ChangeRequest.Status.REFUSED: lambda label: _("Change refused: %(change)s") % {"change": label},
    ChangeRequest.Status.WITHDRAWN: lambda label: _("Change request withdrawn: %(change)s") % {"change": label},
}


def _change_events(builder, change, events):
    label = _change_label(change)
    builder.add(
        change.requested_at,
        _("Change requested: %(change)s") % {"change": label},
        who=builder.who(change.requested_by),
        kind="change",
    )
    decided = False
    for event in events:
        target = ((event.changes or {}).get("status") or {}).get("to")
        if target in CHANGE_TEXTS:
            decided = True
            reason = (event.changes or {}).get("reason") or change.decision_reason
            builder.add(
                event,
                CHANGE_TEXTS[target](label),
                detail=reason if isinstance(reason, str) else "",
                who=builder.who(event.actor, event.actor_repr),
                kind="change",
                note=target == ChangeRequest.Status.APPROVED,
            )
    if not decided and change.status in CHANGE_TEXTS and change.decided_at:
        builder.add(
            change.decided_at,
            CHANGE_TEXTS[change.status](label),
            detail=change.decision_reason,
            who=builder.who(change.decided_by),
            kind="change",
            note=change.status == ChangeRequest.Status.APPROVED,
        )


def _evaluation_events(builder, evaluation, events):
    builder.add(
        evaluation.requested_at,
        _("Final evaluation requested"),
        who=builder.who(evaluation.requested_by),
        kind="evaluation",
    )
    seen = set()
    for event in events:
        target = ((event.changes or {}).get("status") or {}).get("to")
        if target == Evaluation.Status.SUBMITTED:
            builder.add(
                event,
                _("Final evaluation submitted"),
                who=builder.who(event.actor, event.actor_repr),
                kind="evaluation",
            )
        elif target == Evaluation.Status.CANCELLED:
            builder.add(
                event,
                _("Final evaluation request cancelled"),
                who=builder.who(event.actor, event.actor_repr),
                kind="evaluation",
            )
        seen.add(target)
    if evaluation.status == Evaluation.Status.SUBMITTED and evaluation.status not in seen:
        builder.add(evaluation.submitted_at, _("Final evaluation submitted"), kind="evaluation")


def _coming_up(project, reports, evaluations, today):
    if project.is_closed:
        return []
    upcoming = []
    if project.start_date > today:
        upcoming.append(Entry(*_when(project.start_date), _("Project starts"), kind="project"))
    for report in reports:
        if report.status in Report.OWED:
            entry = Entry(*_when(report.due_on), _("%(report)s due") % {"report": report}, kind="report")
            entry.overdue = report.due_on < today
            upcoming.append(entry)
    for evaluation in evaluations:
        if evaluation.status == Evaluation.Status.REQUESTED:
            upcoming.append(Entry(*_when(evaluation.due_on), _("Final evaluation due"), kind="evaluation"))
    if project.end_date >= today:
        upcoming.append(Entry(*_when(project.end_date), _("Project ends"), kind="project"))
    return sorted(upcoming, key=lambda entry: entry.moment)


def build(project, viewer, today=None):
    """([past entries, oldest first], [coming up, soonest first]) of `project` as `viewer` reads it."""
    today = today or timezone.localdate()
    builder = _Builder(project, viewer, today)
    reports = list(project.reports.select_related("reviewed_by").order_by("due_on", "id"))
    changes = list(project.changes.select_related("requested_by", "decided_by").order_by("requested_at", "id"))
    evaluations = list(project.evaluations.select_related("requested_by").order_by("requested_at", "id"))
    payments = list(project.payments.select_related("recorded_by").order_by("paid_on", "id"))
    types = ContentType.objects.get_for_models(Project, Report, ChangeRequest, Evaluation)
    wanted = Q(content_type=types[Project], object_id=str(project.pk))
    for model, rows in ((Report, reports), (ChangeRequest, changes), (Evaluation, evaluations)):
        if rows:
            wanted |= Q(content_type=types[model], object_id__in=[str(row.pk) for row in rows])
    events = list(AuditEvent.objects.filter(wanted).select_related("actor").order_by("at", "id"))
    by_target = {}
    for event in events:
        by_target.setdefault((event.content_type_id, event.object_id), []).append(event)

    decision = project.decision
    if decision.released_at:
        builder.add(
            decision.released_at,
            _("Decision published: %(amount)s awarded") % {"amount": _euros(project.awarded)},
            kind="decision",
        )
    created = False
    for event in by_target.get((types[Project].pk, str(project.pk)), []):
        created = _project_event(builder, event) or created
    if not created:
        builder.add(project.created_at, _("Project created from the decision"), kind="project")
    if project.start_date <= today:
        builder.add(project.start_date, _("Project started"), kind="project")
    ended_early = project.status == Status.TERMINATED
    if project.end_date < today and not ended_early:
        builder.add(project.end_date, _("Project period ended"), kind="project")
    for payment in payments:
        builder.add(
            # A date without an hour: after that day's other facts, never before the decision.
            timezone.make_aware(datetime.datetime.combine(payment.paid_on, datetime.time(23, 59))),
            _("Payment of %(amount)s recorded") % {"amount": _euros(payment.amount)},
            detail="" if builder.viewer_is_lead else payment.note,
            note=True,
            who=builder.who(payment.recorded_by),
            kind="payment",
        )
    for report in reports:
        _report_events(builder, report, by_target.get((types[Report].pk, str(report.pk)), []))
    for change in changes:
        _change_events(builder, change, by_target.get((types[ChangeRequest].pk, str(change.pk)), []))
    for evaluation in evaluations:
        _evaluation_events(builder, evaluation, by_target.get((types[Evaluation].pk, str(evaluation.pk)), []))

    history = sorted(builder.entries, key=lambda entry: (entry.moment, entry.tie))
    return history, _coming_up(project, reports, evaluations, today)
