"""The projects' section of the personal-data download and of an erasure (accounts.personal_data).

Exported: the projects the user leads (dates, status, award, partner teams, payments received,
change requests) with each report's text, missions, co-publications, spending, attachments' names
and submitted versions; and the final evaluations the user was asked to write (as a reviewer),
with their scores, recommendation and comments.

Erasure, on the line of applications and reviews (applications.personal_data, reviews.personal_data):
- a funded project is a financial and scientific record of public funding the institute must
  keep: kept, with its reports, their submitted versions and attachments, payments and change
  requests, for the same retention period as the decided application it comes from; the account it
  points to is anonymised (accounts). The final evaluations a reviewer wrote (or that were
  cancelled) stay with the project they close, the same way.
- erasure waits while the user leads a running project (starting, active, final report due or
  suspended: reports are owed and payments made) or has a final evaluation still to submit: staff
  close or end the project, or cancel the evaluation request, then carry out the erasure.
- erased in the projects kept: what the lead researcher wrote in a report never submitted (the
  reports waived when a project ended early): its text, missions, co-publications, spending and
  attachments (files deleted once the transaction commits).

Staff appear in these models as the one who recorded a payment, reviewed a report, requested an
evaluation or decided a change: those columns are the audit of staff work (exported with the
account's audit trail); a staff account is closed by the administrators rather than erased here.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from accounts.personal_data import ErasureError

from .models import Evaluation, Project, Report

MODELS = [
    "projects.Project",
    "projects.Payment",
    "projects.Report",
    "projects.ReportVersion",
    "projects.ReportAttachment",
    "projects.Evaluation",
    "projects.ChangeRequest",
]

REPORT_TEXTS = (
    "scientific_progress",
    "partnership_outcome",
    "next_steps",
    "joint_grants",
    "students",
    "patents",
    "data_shared",
)


def _report(report):
    return {
        "report": str(report),
        "kind": report.kind,
        "year": report.sequence,
        "due_on": report.due_on,
        "status": report.status,
        **{name: getattr(report, name) for name in REPORT_TEXTS},
        "submitted_at": report.submitted_at,
        "reviewed_at": report.reviewed_at,
        "message_from_staff": report.staff_message,
        "missions": [
            {
                "who": m.traveller,
                "from": f"{m.from_city} ({m.from_country.code})",
                "to": f"{m.to_city} ({m.to_country.code})",
                "started_on": m.started_on,
                "ended_on": m.ended_on,
            }
            for m in report.missions.all()
        ],
        "publications": [{"doi": p.doi, "title": p.title, "year": p.year} for p in report.publications.all()],
        "spending": [{"budget_line": s.category, "spent": s.spent} for s in report.spending.all()],
        "attachments": [
            {"file_name": a.original_name, "size": a.size, "sha256": a.sha256, "uploaded_at": a.uploaded_at}
            for a in report.attachments.all()
        ],
        "submitted_versions": [{"version": v.number, "submitted_at": v.submitted_at} for v in report.versions.all()],
    }


def _project(project):
    return {
        "reference": project.reference,
        "title": project.title,
        "call": str(project.call),
        "instrument": project.instrument.code,
        "status": project.status,
        "awarded": project.awarded,
        "decided_on": project.decided_on,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "extension_months": project.extension_months,
        "closed_at": project.closed_at,
        "partners": [
            {
                "institution": p.institution,
                "city": p.city,
                "country": str(p.country),
                "team_leader": p.team_leader,
                "email": p.email,
                "joined_on": p.joined_on,
                "left_on": p.left_on,
            }
            for p in project.partners.all()
        ],
        "payments": [{"amount": p.amount, "paid_on": p.paid_on} for p in project.payments.all()],
        "reports": [_report(r) for r in project.reports.all()],
        "change_requests": [
            {
                "change": c.kind,
                "status": c.status,
                "justification": c.justification,
                "requested_at": c.requested_at,
                "months": c.months,
                "new_team": c.new_institution,
                "from_budget_line": c.from_category,
                "to_budget_line": c.to_category,
                "amount": c.amount,
                "decided_at": c.decided_at,
                "reason": c.decision_reason,
            }
            for c in project.changes.all()
        ],
    }


def export(user):
    reports = Report.objects.prefetch_related("missions", "publications", "spending", "attachments", "versions")
    projects = (
        Project.objects.filter(lead=user)
        .select_related("call", "instrument")
        .prefetch_related("partners", "payments", "changes", Prefetch("reports", queryset=reports))
        .order_by("start_date", "pk")
    )
    evaluations = Evaluation.objects.filter(reviewer=user).select_related("project").order_by("requested_at", "pk")
    return {
        "projects": [_project(p) for p in projects],
        "final_evaluations": [
            {
                "project": e.project.reference,
                "status": e.status,
                "requested_at": e.requested_at,
                "due_on": e.due_on,
                "achievement_of_objectives": e.objectives_score,
                "strength_of_the_partnership": e.partnership_score,
                "outputs": e.outputs_score,
                "recommendation": e.recommendation,
                "comments": e.comments,
                "submitted_at": e.submitted_at,
            }
            for e in evaluations
        ],
    }


def erase(user, by_user):
    # Staff cannot change these projects while the erasure decides what to keep.
    led = list(Project.objects.select_for_update(of=("self",)).filter(lead=user).values_list("reference", "status"))
    running = [reference for reference, status in led if status in Project.RUNNING]
    if running:
        raise ErasureError(
            _(
                "The researcher leads a funded project still running (%(references)s): close it or end it "
                "early, then carry out the erasure."
            )
            % {"references": ", ".join(running)}
        )
    if Evaluation.objects.filter(reviewer=user, status=Evaluation.Status.REQUESTED).exists():
        raise ErasureError(
            _(
                "The reviewer has a final evaluation of a project to submit: cancel the request or wait for "
                "the evaluation, then carry out the erasure."
            )
        )
    # Never submitted (a submitted report cannot be waived): what the researcher wrote goes.
    unsent = list(
        Report.objects.filter(project__lead=user, status__in=[*Report.OWED, Report.Status.WAIVED])
        .filter(versions__isnull=True)
        .prefetch_related("attachments")
    )
    files = [(a.file.storage, a.file.name) for report in unsent for a in report.attachments.all()]
    cleared = 0
    for report in unsent:
        written = any(getattr(report, name) for name in REPORT_TEXTS)
        deleted = sum(
            related.all().delete()[0]
            for related in (report.missions, report.publications, report.spending, report.attachments)
        )
        if written:
            Report.objects.filter(pk=report.pk).update(**{name: "" for name in REPORT_TEXTS})
        cleared += bool(written or deleted)
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    evaluations = Evaluation.objects.filter(reviewer=user).count()
    return (
        f"{cleared} report(s) never submitted emptied and {len(files)} file(s) deleted; {len(led)} funded project(s) "
        f"with their submitted reports, payments and change requests, and {evaluations} final evaluation(s), "
        "kept as grant records."
    )
