"""The final evaluation: staff ask one reviewer without conflict once the final report is accepted,
the reviewer scores the project and recommends what comes next, and that closes the project.

Conflicts follow routing's rule (reviews.conflicts.conflict_kinds): the project stands for its
application, with its lead researcher as the applicant, the lead's Inserm unit, and every partner
team it had (current and former); conflicts declared on the application count too.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from applications.models import ResearcherProfile
from notifications.services import cancel_pending, notify
from reviews import conflicts
from reviews.models import ConflictOfInterest, ReviewerProfile

from .. import notices
from ..actions import ProjectAction
from ..models import Evaluation, Project, Report
from ..models.project import LONG_TEXT
from .base import ProjectError, lock, refuse_when_closed, require
from .lifecycle import close_project

SCORE_FIELDS = ("objectives_score", "partnership_score", "outputs_score")
LIVE = (Evaluation.Status.REQUESTED, Evaluation.Status.SUBMITTED)


# --- Who may evaluate ----------------------------------------------------------------------------


def project_facts(project):
    """The project as routing's rule sees an application (conflicts.ApplicationFacts)."""
    unit = ResearcherProfile.objects.filter(user=project.lead_id).values_list("unit_code", flat=True).first()
    partners = list(project.partners.values_list("email", "institution"))
    return conflicts.ApplicationFacts(
        application_id=project.application_id,
        applicant_id=project.lead_id,
        applicant_unit=unit or "",
        partner_emails=tuple(email for email, _institution in partners),
        partner_institutions=tuple(institution for _email, institution in partners),
    )


def _reviewer_facts(user, profile, declared):
    return conflicts.ReviewerFacts(
        user_id=user.pk,
        email=user.email,
        unit_code=profile.unit_code,
        institution=profile.institution,
        declared=declared,
    )


def _candidates():
    return (
        get_user_model()
        .objects.filter(is_active=True, is_reviewer=True, reviewer_profile__isnull=False)
        .select_related("reviewer_profile")
        .order_by("last_name", "first_name", "pk")
    )


def eligible_reviewers(project):
    """Active reviewers with a reviewer profile and no conflict with the project (never its lead
    researcher), by name; in four queries whatever the number of reviewers."""
    facts = project_facts(project)
    declared = {}
    for reviewer_id, kind in ConflictOfInterest.objects.filter(application=project.application_id).values_list(
        "reviewer_id", "kind"
    ):
        declared[reviewer_id] = {project.application_id: kind}
    return [
        user
        for user in _candidates().exclude(pk=project.lead_id)
        if not conflicts.conflict_kinds(_reviewer_facts(user, user.reviewer_profile, declared.get(user.pk, {})), facts)
    ]


def conflicts_with(project, reviewer):
    """The conflicts between `reviewer` and `project`, in words (empty when there is none)."""
    profile = ReviewerProfile.objects.filter(user=reviewer.pk).first() or ReviewerProfile()
    declared = dict(
        ConflictOfInterest.objects.filter(reviewer=reviewer.pk, application=project.application_id).values_list(
            "application_id", "kind"
        )
    )
    kinds = conflicts.conflict_kinds(_reviewer_facts(reviewer, profile, declared), project_facts(project))
    return [str(ConflictOfInterest.Kind(kind).label) for kind in kinds]


def final_report_accepted(project):
    """True when the project has a final report and every final report not waived is accepted."""
    statuses = set(project.reports.filter(kind=Report.Kind.FINAL).values_list("status", flat=True))
    statuses.discard(Report.Status.WAIVED)
    return statuses == {Report.Status.ACCEPTED}


def live_evaluation(project):
    return project.evaluations.filter(status__in=list(LIVE)).select_related("reviewer").first()


# --- Requesting, cancelling ----------------------------------------------------------------------


def _date(day):
    return formats.date_format(day, "DATE_FORMAT")


def _check_reviewer(project, reviewer):
    User = get_user_model()
    if not isinstance(reviewer, User) or not reviewer.pk:
        raise ProjectError(_("Choose the reviewer from the list."))
    if not (reviewer.is_active and reviewer.is_reviewer and ReviewerProfile.objects.filter(user=reviewer).exists()):
        raise ProjectError(_("%(name)s is not an active reviewer with a reviewer profile.") % {"name": reviewer})
    if reviewer.pk == project.lead_id:
        raise ProjectError(_("The lead researcher cannot evaluate their own project."))
    found = conflicts_with(project, reviewer)
    if found:
        raise ProjectError(
            _("%(name)s has a conflict of interest with project %(reference)s (%(conflicts)s): ask another reviewer.")
            % {"name": reviewer, "reference": project.reference, "conflicts": ", ".join(found).lower()}
        )


def request_evaluation(project, reviewer, due_on, by):
    """Staff ask `reviewer` for the project's final evaluation, due on `due_on` (in the future):
    only once its final report is accepted, never of a reviewer in conflict, one at a time (a
    request still open is cancelled first). The reviewer is told."""
    require(by, "projects.request_evaluations")
    if not isinstance(due_on, datetime.date) or isinstance(due_on, datetime.datetime):
        raise ProjectError(_("Give the evaluation's due date as a date."))
    if due_on <= timezone.localdate():
        raise ProjectError(_("The evaluation's due date must be in the future."))
    with transaction.atomic():
        project = lock(project)
        refuse_when_closed(project)
        if project.status == Project.Status.SUSPENDED:
            raise ProjectError(
                _("Project %(reference)s is suspended: resume it before asking for its evaluation.")
                % {"reference": project.reference}
            )
        if not final_report_accepted(project):
            raise ProjectError(
                _("The final report of project %(reference)s is not accepted yet: ask for the evaluation after.")
                % {"reference": project.reference}
            )
        live = live_evaluation(project)
        if live is not None:
            raise ProjectError(
                _("An evaluation is already asked of %(name)s: cancel it before asking another reviewer.")
                % {"name": live.reviewer}
            )
        _check_reviewer(project, reviewer)
        evaluation = Evaluation.objects.create(project=project, reviewer=reviewer, requested_by=by, due_on=due_on)
        record(
            by,
            ProjectAction.EVALUATION_STATUS,
            evaluation,
            status={"from": "", "to": Evaluation.Status.REQUESTED.value},
            project=project.pk,
            reviewer=reviewer.pk,
            due_on=due_on,
        )
        notify(
            reviewer,
            notices.EVALUATION_REQUEST,
            {
                "reference": project.reference,
                "project_title": project.title,
                "due_date": due_on.isoformat(),
                "url_path": evaluation.url_path,
            },
            target=evaluation,
            dedupe_key=f"evaluation_request:{evaluation.pk}",
        )
    return evaluation


def _locked_evaluation(evaluation):
    return Evaluation.objects.select_for_update(of=("self",)).select_related("reviewer").get(pk=evaluation.pk)


def cancel_evaluation(evaluation, by):
    """Staff cancel a request not yet answered (to ask another reviewer); the request's e-mail, if
    still waiting, is not sent."""
    require(by, "projects.request_evaluations")
    with transaction.atomic():
        locked = _locked_evaluation(evaluation)
        if locked.status != Evaluation.Status.REQUESTED:
            raise ProjectError(
                _("This evaluation is %(status)s: only a request not yet answered can be cancelled.")
                % {"status": locked.get_status_display().lower()}
            )
        locked.transition(Evaluation.Status.CANCELLED, by=by)
        cancel_pending(locked)
    return locked


# --- Submitting ----------------------------------------------------------------------------------


def _scores(values):
    problems, scores = [], {}
    labels = {name: Evaluation._meta.get_field(name).verbose_name for name in SCORE_FIELDS}
    for name, value in zip(SCORE_FIELDS, values, strict=True):
        try:
            score = int(value)
        except (TypeError, ValueError):
            score = None
        if score is None or isinstance(value, bool) or not (1 <= score <= 5) or str(score) != str(value).strip():
            problems.append(_("Score “%(criterion)s” from 1 to 5.") % {"criterion": labels[name]})
        else:
            scores[name] = score
    return problems, scores


def submit_evaluation(evaluation, by, objectives_score, partnership_score, outputs_score, recommendation, comments):
    """The reviewer's evaluation: three scores from 1 to 5, a recommendation, comments. Once in,
    it cannot change, and the project closes in the same transaction."""
    require(by, "projects.evaluate", evaluation)
    problems, scores = _scores((objectives_score, partnership_score, outputs_score))
    if recommendation not in Evaluation.Recommendation.values:
        problems.append(_("Choose a recommendation from the list."))
    comments = str(comments or "").strip()
    if not comments:
        problems.append(_("Write your comments on the project."))
    elif len(comments) > LONG_TEXT:
        problems.append(
            _("Your comments are too long: %(limit)s characters at most (%(length)s now).")
            % {"limit": LONG_TEXT, "length": len(comments)}
        )
    elif "\x00" in comments:
        problems.append(_("Your comments contain a null character: remove it and submit again."))
    if problems:
        raise ProjectError(*problems)
    with transaction.atomic():
        locked = _locked_evaluation(evaluation)
        if locked.reviewer_id != by.pk:
            raise ProjectError(_("Your account does not have the permission to do this: ask an administrator."))
        if locked.status == Evaluation.Status.SUBMITTED:
            raise ProjectError(_("This evaluation is already submitted: it can no longer be changed."))
        if locked.status != Evaluation.Status.REQUESTED:
            raise ProjectError(_("This evaluation was cancelled by the staff: it can no longer be submitted."))
        project = lock(locked.project)
        refuse_when_closed(project)
        if project.status not in (Project.Status.ACTIVE, Project.Status.FINAL_REPORT_DUE):
            raise ProjectError(
                _("Project %(reference)s is %(status)s: its evaluation cannot close it now.")
                % {"reference": project.reference, "status": project.get_status_display().lower()}
            )
        locked.transition(
            Evaluation.Status.SUBMITTED,
            by=by,
            submitted_at=timezone.now(),
            recommendation=recommendation,
            comments=comments,
            **scores,
        )
        if project.status == Project.Status.ACTIVE:
            # The final report came in before the end date: the project's reporting is over.
            project.transition(Project.Status.FINAL_REPORT_DUE, by=by)
        close_project(project, by)
    return locked


__all__ = [
    "cancel_evaluation",
    "conflicts_with",
    "eligible_reviewers",
    "final_report_accepted",
    "live_evaluation",
    "project_facts",
    "request_evaluation",
    "submit_evaluation",
]
