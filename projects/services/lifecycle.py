"""A project's life: created from its published decision, started, suspended, resumed, ended,
closed; its schedule of instalments and reports kept in step with its dates."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from notifications.services import notify
from reviews.models import Decision

from .. import notices, schedule
from ..actions import ProjectAction
from ..models import ChangeRequest, Evaluation, Instalment, Project, ProjectBudgetLine, ProjectPartner, Report
from .base import ProjectError, lock, refuse_when_closed, require


def _published_funded():
    return Decision.objects.filter(outcome=Decision.Outcome.FUNDED, released_at__isnull=False)


def create_project_for_decision(decision, by_user=None):
    """The project of a published funded decision, created once: a second call (a retried task,
    a second release, the demo loaded twice) returns the same project. None for a decision that
    is not funded or not yet published."""
    with transaction.atomic():
        decision = (
            _published_funded()
            .select_for_update(of=("self",))
            .select_related("application__call__instrument", "application__applicant")
            .filter(pk=decision.pk)
            .first()
        )
        if decision is None:
            return None
        existing = Project.objects.filter(decision=decision).first()
        if existing is not None:
            return existing
        application = decision.application
        call = application.call
        decided_on = timezone.localdate(decision.decided_at)
        plan = schedule.plan_for(call.instrument.code, application.duration_months or call.duration_months)
        start = schedule.default_start(decided_on)
        project = Project.objects.create(
            decision=decision,
            application=application,
            reference=application.reference or f"P-{application.pk}",
            title=application.title or str(application),
            call=call,
            instrument=call.instrument,
            lead=application.applicant,
            awarded=decision.amount,
            decided_on=decided_on,
            start_date=start,
            duration_months=plan.months,
            end_date=schedule.end_date(start, plan.months),
        )
        ProjectPartner.objects.bulk_create(
            ProjectPartner(
                project=project,
                institution=p.institution,
                city=p.city,
                country=p.country,
                team_leader=p.team_leader,
                email=p.email,
            )
            for p in application.partners.all()
        )
        planned = {}
        for line in application.budget_lines.all():
            planned[line.category] = planned.get(line.category, 0) + line.amount
        ProjectBudgetLine.objects.bulk_create(
            ProjectBudgetLine(project=project, category=category, planned=amount)
            for category, amount in sorted(planned.items())
        )
        sync_schedule(project)
        record(by_user, ProjectAction.CREATED, project, decision=decision.pk, awarded=project.awarded, start=start)
        notify(
            project.lead,
            notices.PROJECT_CREATED,
            {
                "reference": project.reference,
                "project_title": project.title,
                "start_date": project.start_date.isoformat(),
                "end_date": project.end_date.isoformat(),
                "url_path": project.url_path,
            },
            target=project,
        )
    return project


def create_projects_for_decisions(decision_ids, by_user=None):
    """Projects for the funded decisions among `decision_ids` (the others are skipped)."""
    decisions = _published_funded().filter(pk__in=list(decision_ids)).order_by("pk")
    return [create_project_for_decision(d, by_user) for d in decisions]


def create_missing_projects(by_user=None):
    """Projects for every published funded decision that has none yet (e.g. decisions published
    before this app existed); idempotent."""
    missing = _published_funded().filter(project__isnull=True).order_by("pk")
    return [create_project_for_decision(d, by_user) for d in missing]


def sync_schedule(project):
    """Bring the project's end date, instalments and scheduled reports in step with its start date
    and length (after creation, a new start date, an approved extension). Reports already
    submitted, and reports staff moved or added, keep their dates; a scheduled report the new
    plan no longer holds is waived if nothing was written in it yet."""
    months = project.total_months
    plan = project.plan
    project.end_date = schedule.end_date(project.start_date, months)
    project.save(update_fields=["end_date", "updated_at"])

    existing = {(i.sequence): i for i in project.instalments.all()}
    due = schedule.instalments(plan, project.start_date, project.duration_months, project.awarded)
    for entry in due:
        instalment = existing.pop(entry.sequence, None)
        if instalment is None:
            Instalment.objects.create(
                project=project, sequence=entry.sequence, due_on=entry.due_on, amount=entry.amount
            )
        elif (instalment.due_on, instalment.amount) != (entry.due_on, entry.amount):
            instalment.due_on, instalment.amount = entry.due_on, entry.amount
            instalment.save(update_fields=["due_on", "amount"])

    reports = {(r.kind, r.sequence): r for r in project.reports.filter(scheduled=True)}
    wanted = schedule.reports(plan, project.start_date, months)
    for entry in wanted:
        report = reports.pop((entry.kind, entry.sequence), None)
        if report is None:
            Report.objects.create(project=project, kind=entry.kind, sequence=entry.sequence, due_on=entry.due_on)
        elif report.status in Report.EDITABLE and not report.staff_reason and report.due_on != entry.due_on:
            report.due_on = entry.due_on
            report.save(update_fields=["due_on", "updated_at"])
    for report in reports.values():
        if report.status == Report.Status.PLANNED:
            report.status = Report.Status.WAIVED
            report.staff_reason = str(_("No longer in the project's schedule."))
            report.save(update_fields=["status", "staff_reason", "updated_at"])


def set_start_date(project, start, by_user):
    """Staff set the project's start date (by default the first day of the month after the
    decision): never before the decision, and only before any report is submitted or payment
    made, since both are dated from it. Moves the end date, the instalments and the reports."""
    require(by_user, "projects.manage_projects")
    if not isinstance(start, datetime.date):
        raise ProjectError(_("Give the start date as a date."))
    with transaction.atomic():
        project = lock(project)
        refuse_when_closed(project)
        if start < project.decided_on:
            raise ProjectError(
                _("The project cannot start before its decision, on %(date)s.") % {"date": _date(project.decided_on)}
            )
        submitted = project.reports.exclude(
            status__in=[Report.Status.PLANNED, Report.Status.DRAFT, Report.Status.WAIVED]
        )
        if submitted.exists() or project.payments.exists():
            raise ProjectError(_("A report was submitted or a payment recorded: the start date can no longer change."))
        previous = project.start_date
        project.start_date = start
        project.save(update_fields=["start_date", "updated_at"])
        sync_schedule(project)
        record(by_user, ProjectAction.START_SET, project, start={"from": previous, "to": start})
        follow_calendar(project, by_user=by_user)
    return project


def _date(day):
    return formats.date_format(day, "DATE_FORMAT")


def follow_calendar(project, today=None, by_user=None):
    """Move a (locked) project's status with its dates: active from its start date, final report
    due once its end date has passed, active again when an extension moves the end date back into
    the future. Suspended, closed and terminated projects stay as they are."""
    today = today or timezone.localdate()
    Status = Project.Status
    target = None
    if project.status == Status.STARTING and project.start_date <= today:
        target = Status.ACTIVE if project.end_date >= today else Status.FINAL_REPORT_DUE
        if target == Status.FINAL_REPORT_DUE:
            project.transition(Status.ACTIVE, by=by_user)
    elif project.status == Status.ACTIVE and project.end_date < today:
        target = Status.FINAL_REPORT_DUE
    elif project.status == Status.FINAL_REPORT_DUE and project.end_date >= today:
        target = Status.ACTIVE
    if target is not None:
        project.transition(target, by=by_user)
    return project


def advance_projects(today=None):
    """The daily pass (Celery beat): every running project's status follows its dates. Returns
    how many projects changed."""
    today = today or timezone.localdate()
    Status = Project.Status
    due = Project.objects.filter(
        Q(status=Status.STARTING, start_date__lte=today)
        | Q(status=Status.ACTIVE, end_date__lt=today)
        | Q(status=Status.FINAL_REPORT_DUE, end_date__gte=today)
    ).values_list("pk", flat=True)
    changed = 0
    for pk in list(due):
        with transaction.atomic():
            project = lock(Project(pk=pk))
            before = project.status
            follow_calendar(project, today)
            changed += project.status != before
    return changed


def _change_status(project, target, by_user, reason=""):
    require(by_user, "projects.manage_projects")
    reason = (reason or "").strip()
    with transaction.atomic():
        project = lock(project)
        refuse_when_closed(project)
        if not project.can_become(target):
            raise ProjectError(
                _("Project %(reference)s is %(status)s: it cannot become %(target)s.")
                % {
                    "reference": project.reference,
                    "status": project.get_status_display().lower(),
                    "target": Project.Status(target).label.lower(),
                }
            )
        project.transition(target, by=by_user, details={"reason": reason} if reason else None)
    return project


def suspend_project(project, by_user, reason):
    """Staff suspend a running project (reports and payments wait), with a reason."""
    if not (reason or "").strip():
        raise ProjectError(_("Say why the project is suspended."))
    return _change_status(project, Project.Status.SUSPENDED, by_user, reason)


def resume_project(project, by_user):
    """Staff resume a suspended project: back to the status its dates give it."""
    require(by_user, "projects.manage_projects")
    with transaction.atomic():
        locked = lock(project)
        if locked.status != Project.Status.SUSPENDED:
            raise ProjectError(_("Only a suspended project can be resumed."))
        today = timezone.localdate()
        if locked.start_date > today:
            target = Project.Status.STARTING
        elif locked.end_date >= today:
            target = Project.Status.ACTIVE
        else:
            target = Project.Status.FINAL_REPORT_DUE
        locked.transition(target, by=by_user)
    return locked


def terminate_project(project, by_user, reason):
    """Staff end a project early, with a reason: its reports not yet submitted are waived, the
    changes still awaiting a decision refused (nothing is left pending on a project that can
    change no more) and an evaluation not yet answered cancelled."""
    if not (reason or "").strip():
        raise ProjectError(_("Say why the project ends early."))
    with transaction.atomic():
        project = _change_status(project, Project.Status.TERMINATED, by_user, reason)
        project.closed_at = timezone.now()
        project.save(update_fields=["closed_at", "updated_at"])
        Report.transition_rows(
            project.reports.all(),
            list(Report.OWED),
            Report.Status.WAIVED,
            by=by_user,
            staff_reason=str(_("The project ended early.")),
        )
        ChangeRequest.transition_rows(
            project.changes.all(),
            ChangeRequest.Status.PENDING,
            ChangeRequest.Status.REFUSED,
            by=by_user,
            decided_by=by_user,
            decided_at=timezone.now(),
            decision_reason=str(_("The project ended early.")),
        )
        Evaluation.transition_rows(
            project.evaluations.all(), Evaluation.Status.REQUESTED, Evaluation.Status.CANCELLED, by=by_user
        )
    return project


def close_project(project, by_user):
    """Close a (locked) project whose final evaluation is in (services.evaluation calls it)."""
    project.transition(Project.Status.CLOSED, by=by_user, closed_at=timezone.now())
    return project


__all__ = [
    "advance_projects",
    "close_project",
    "create_missing_projects",
    "create_project_for_decision",
    "create_projects_for_decisions",
    "follow_calendar",
    "resume_project",
    "set_start_date",
    "suspend_project",
    "sync_schedule",
    "terminate_project",
]
