"""Changes during a project: the lead researcher asks for a no-cost extension, a change of partner
team or a budget transfer between lines; staff approve (the change is applied in the same
transaction) or refuse with a reason; the lead may withdraw a request still awaiting a decision.

One request of each kind awaits a decision at a time. Every request and decision is audited
(``change.status``) and the lead is told of the decision (notices.CHANGE_DECIDED)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries

from accounts.audit import record
from applications.models import BudgetLine
from calls.rules import is_france
from notifications.services import notify

from .. import notices, schedule
from ..actions import ProjectAction
from ..models import ChangeRequest, Project, ProjectBudgetLine, ProjectPartner
from .base import ProjectError, lock, refuse_when_closed, require
from .lifecycle import follow_calendar, sync_schedule
from .money import euros, parse_amount

Kind = ChangeRequest.Kind
Status = ChangeRequest.Status


def _text(value, field_name, model=ChangeRequest):
    """`value` stripped and checked against the model field's validators and length."""
    field = model._meta.get_field(field_name)
    value = (value or "").strip()
    if field.max_length and len(value) > field.max_length:
        raise ProjectError(
            _("%(field)s is at most %(max)s characters long (it has %(count)s).")
            % {"field": str(field.verbose_name).capitalize(), "max": field.max_length, "count": len(value)}
        )
    try:
        field.run_validators(value)
    except ValidationError as error:
        raise ProjectError(*error.messages) from None
    return value


def _justification(value):
    value = _text(value, "justification")
    if not value:
        raise ProjectError(_("Say why the change is needed: the justification is required."))
    return value


def _open_for_requests(project, by):
    """The locked project, if `by` leads it and it is running."""
    locked = lock(project)
    require(by, "projects.lead_project", locked)
    if not locked.is_running:
        raise ProjectError(
            _("Project %(reference)s is %(status)s: changes can no longer be asked for.")
            % {"reference": locked.reference, "status": locked.get_status_display().lower()}
        )
    return locked


def _one_pending(project, kind):
    if project.changes.filter(kind=kind, status=Status.PENDING).exists():
        raise ProjectError(
            _("A request for a %(kind)s already awaits a decision: withdraw it or wait for the decision.")
            % {"kind": Kind(kind).label.lower()}
        )


def _create(project, kind, by, justification, **fields):
    change = ChangeRequest.objects.create(
        project=project, kind=kind, requested_by=by, justification=justification, **fields
    )
    record(by, ProjectAction.CHANGE_STATUS, change, status={"from": "", "to": str(Status.PENDING)}, kind=str(kind))
    return change


def extension_room(project):
    """How many months an extension may still add to `project`: approved extensions and a
    pending one counted."""
    pending = sum(
        c.months or 0 for c in project.changes.filter(kind=Kind.EXTENSION, status=Status.PENDING).only("months")
    )
    return schedule.MAX_EXTENSION_MONTHS - project.extension_months - pending


def _refuse_over_cap(remaining):
    most = schedule.MAX_EXTENSION_MONTHS
    if remaining <= 0:
        raise ProjectError(
            _("An extension may add at most %(max)s months over the project's life, and the project has them all.")
            % {"max": most}
        )
    raise ProjectError(
        ngettext(
            "An extension may add at most %(max)s months over the project's life; %(remaining)s remains.",
            "An extension may add at most %(max)s months over the project's life; %(remaining)s remain.",
            remaining,
        )
        % {"max": most, "remaining": remaining}
    )


def _months(value):
    most = schedule.MAX_EXTENSION_MONTHS
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        raise ProjectError(_("Give the extension in whole months, from 1 to %(max)s.") % {"max": most}) from None
    if not 1 <= months <= most:
        raise ProjectError(_("An extension is from 1 to %(max)s months.") % {"max": most})
    return months


def request_extension(project, months, justification, by):
    """The lead asks for a no-cost extension of `months` (1 to 12; approved and pending
    extensions together never more than 12 over the project's life)."""
    months = _months(months)
    justification = _justification(justification)
    with transaction.atomic():
        locked = _open_for_requests(project, by)
        _one_pending(locked, Kind.EXTENSION)
        remaining = extension_room(locked)
        if months > remaining:
            _refuse_over_cap(remaining)
        return _create(locked, Kind.EXTENSION, by, justification, months=months)


@dataclass(frozen=True)
class NewTeam:
    institution: str
    city: str
    country: str
    team_leader: str
    email: str


def _new_team(institution, city, country, team_leader, email):
    team = NewTeam(
        institution=_text(institution, "new_institution"),
        city=_text(city, "new_city"),
        country=(str(getattr(country, "code", country) or "")).strip().upper(),
        team_leader=_text(team_leader, "new_team_leader"),
        email=_text(email, "new_email"),
    )
    missing = [
        label
        for label, value in (
            (_("the institution"), team.institution),
            (_("the city"), team.city),
            (_("the country"), team.country),
            (_("the team leader"), team.team_leader),
            (_("the team leader's e-mail"), team.email),
        )
        if not value
    ]
    if missing:
        raise ProjectError(
            _("Describe the new partner team: %(missing)s missing.") % {"missing": ", ".join(str(m) for m in missing)}
        )
    if team.country not in countries:
        raise ProjectError(_("Choose the new team's country from the list."))
    if is_france(team.country):
        raise ProjectError(_("A partner team works abroad: the new team's country cannot be France."))
    return team


def request_partner_change(project, leaving_partner, institution, city, country, team_leader, email, justification, by):
    """The lead asks to replace one of the project's current partner teams by a new one (abroad)."""
    team = _new_team(institution, city, country, team_leader, email)
    justification = _justification(justification)
    with transaction.atomic():
        locked = _open_for_requests(project, by)
        _one_pending(locked, Kind.PARTNER)
        partner_id = getattr(leaving_partner, "pk", leaving_partner)
        leaving = (
            locked.partners.filter(pk=partner_id, left_on__isnull=True).first() if partner_id is not None else None
        )
        if leaving is None:
            raise ProjectError(_("Choose the team that leaves among the project's current partner teams."))
        return _create(
            locked,
            Kind.PARTNER,
            by,
            justification,
            partner_leaving=leaving,
            new_institution=team.institution,
            new_city=team.city,
            new_country=team.country,
            new_team_leader=team.team_leader,
            new_email=team.email,
        )


def _category(value, message):
    try:
        return BudgetLine.Category(value)
    except ValueError:
        raise ProjectError(message) from None


def request_budget_transfer(project, from_category, to_category, amount, justification, by):
    """The lead asks to move `amount` of the planned budget from one line of the project to
    another (any budget line may receive; it is created when the transfer is approved)."""
    source = _category(from_category, _("Choose the budget line the money comes from."))
    target = _category(to_category, _("Choose the budget line the money goes to."))
    if source == target:
        raise ProjectError(_("Choose two different budget lines."))
    amount = parse_amount(amount, what=_("The amount transferred"))
    justification = _justification(justification)
    with transaction.atomic():
        locked = _open_for_requests(project, by)
        _one_pending(locked, Kind.BUDGET_TRANSFER)
        line = locked.budget_lines.filter(category=source).first()
        if line is None:
            raise ProjectError(_("The project has no planned budget on the line “%(line)s”.") % {"line": source.label})
        _refuse_over_planned(line, amount)
        return _create(
            locked,
            Kind.BUDGET_TRANSFER,
            by,
            justification,
            from_category=source,
            to_category=target,
            amount=amount,
        )


def _refuse_over_planned(line, amount):
    if amount > line.planned:
        raise ProjectError(
            _("The line “%(line)s” has %(planned)s € planned: a transfer of %(amount)s € is more than that.")
            % {"line": line.get_category_display(), "planned": euros(line.planned), "amount": euros(amount)}
        )


def _locked_change(change, project=None):
    query = ChangeRequest.objects.select_for_update(of=("self",)).select_related("partner_leaving")
    if project is not None:
        query = query.filter(project=project)
    locked = query.filter(pk=change.pk).first()
    if locked is None:
        raise ProjectError(_("This change request does not exist."))
    return locked


def _refuse_unless_pending(change):
    if change.status != Status.PENDING:
        raise ProjectError(
            _("This request is %(status)s: it no longer awaits a decision.")
            % {"status": change.get_status_display().lower()}
        )


def withdraw_change(change, by):
    """The lead withdraws a request still awaiting a decision."""
    with transaction.atomic():
        locked = _locked_change(change)
        project = Project.objects.get(pk=locked.project_id)
        require(by, "projects.lead_project", project)
        _refuse_unless_pending(locked)
        locked.transition(Status.WITHDRAWN, by=by)
    return locked


def _decider(by, project):
    require(by, "projects.decide_changes")
    if project.lead_id == by.pk:
        raise ProjectError(_("You cannot decide on a change to your own project: another member of staff decides."))


def _notify(project, change, outcome, reason):
    notify(
        project.lead,
        notices.CHANGE_DECIDED,
        {
            "reference": project.reference,
            "change": str(change.kind),
            "outcome": outcome,
            "reason": reason,
            "url_path": project.url_path,
        },
        target=change,
    )


def _apply_extension(project, change, by):
    remaining = schedule.MAX_EXTENSION_MONTHS - project.extension_months
    if change.months > remaining:
        _refuse_over_cap(remaining)
    before = project.end_date
    project.extension_months += change.months
    project.save(update_fields=["extension_months", "updated_at"])
    sync_schedule(project)
    follow_calendar(project, by_user=by)
    return {"end_date": {"from": before, "to": project.end_date}, "months": change.months}


def _apply_partner_change(project, change, today):
    leaving = change.partner_leaving
    if leaving is not None:
        leaving = ProjectPartner.objects.select_for_update().filter(pk=leaving.pk, project=project).first()
    if leaving is None or leaving.left_on is not None:
        raise ProjectError(_("The team that was to leave is no longer a partner of the project: refuse this request."))
    leaving.left_on = today
    leaving.save(update_fields=["left_on"])
    joining = ProjectPartner.objects.create(
        project=project,
        institution=change.new_institution,
        city=change.new_city,
        country=change.new_country,
        team_leader=change.new_team_leader,
        email=change.new_email,
        joined_on=today,
    )
    return {"partner_left": leaving.pk, "partner_joined": joining.pk}


def _apply_budget_transfer(project, change):
    lines = {
        line.category: line
        for line in ProjectBudgetLine.objects.select_for_update().filter(
            project=project, category__in=[change.from_category, change.to_category]
        )
    }
    source = lines.get(change.from_category)
    if source is None:
        raise ProjectError(
            _("The project has no planned budget on the line “%(line)s”.")
            % {"line": BudgetLine.Category(change.from_category).label}
        )
    _refuse_over_planned(source, change.amount)
    target = lines.get(change.to_category) or ProjectBudgetLine(project=project, category=change.to_category, planned=0)
    planned = {"from": source.planned, "to": target.planned}
    source.planned -= change.amount
    target.planned += change.amount
    source.save(update_fields=["planned"])
    target.save()
    return {"planned_before": planned, "amount": change.amount}


def approve_change(change, by, note=""):
    """Staff approve a pending request: the change is applied in the same transaction (the
    extension moves the end date and the final report, and brings a project whose final report
    was due back to active; the partner team leaves and the new one joins today; the budget
    moves between the lines), the request is approved and the lead told."""
    note = _text(note, "decision_reason")
    with transaction.atomic():
        project = lock(change.project)
        _decider(by, project)
        refuse_when_closed(project)
        locked = _locked_change(change, project)
        _refuse_unless_pending(locked)
        if locked.kind == Kind.EXTENSION:
            applied = _apply_extension(project, locked, by)
        elif locked.kind == Kind.PARTNER:
            applied = _apply_partner_change(project, locked, timezone.localdate())
        else:
            applied = _apply_budget_transfer(project, locked)
        locked.transition(
            Status.APPROVED,
            by=by,
            details=applied,
            decided_by=by,
            decided_at=timezone.now(),
            decision_reason=note,
        )
        _notify(project, locked, "approved", note)
    return locked


def refuse_change(change, reason, by):
    """Staff refuse a pending request, saying why; nothing in the project changes."""
    reason = _text(reason, "decision_reason")
    if not reason:
        raise ProjectError(_("Say why the change is refused: the researcher reads the reason."))
    with transaction.atomic():
        project = lock(change.project)
        _decider(by, project)
        locked = _locked_change(change, project)
        _refuse_unless_pending(locked)
        locked.transition(Status.REFUSED, by=by, decided_by=by, decided_at=timezone.now(), decision_reason=reason)
        _notify(project, locked, "refused", reason)
    return locked


def approval_preview(project, change):
    """What approving `change` would do, for the decide page (no write): the new end date and
    final report for an extension, the lines before and after for a transfer."""
    if change.kind == Kind.EXTENSION:
        months = project.total_months + (change.months or 0)
        return {
            "end_date": schedule.end_date(project.start_date, months),
            "final_report_due": schedule.add_months(project.start_date, months),
            "current_final_report_due": schedule.add_months(project.start_date, project.total_months),
        }
    if change.kind == Kind.BUDGET_TRANSFER:
        rows = []
        planned = {line.category: line.planned for line in project.budget_lines.all()}
        for category in dict.fromkeys([*planned, change.to_category]):
            before = planned.get(category, 0)
            after = before
            if category == change.from_category:
                after = before - (change.amount or 0)
            elif category == change.to_category:
                after = before + (change.amount or 0)
            rows.append(
                {
                    "label": BudgetLine.Category(category).label,
                    "before": before,
                    "after": after,
                    "moved": before != after,
                }
            )
        return {"lines": rows}
    return {}


__all__ = [
    "approval_preview",
    "approve_change",
    "extension_room",
    "refuse_change",
    "request_budget_transfer",
    "request_extension",
    "request_partner_change",
    "withdraw_change",
]
