"""Reports: staff's edits of the schedule (add, move, waive), the lead researcher's draft
(texts, missions, co-publications, spending, attachments), its submission as a frozen version,
and staff's review (accept, or ask for changes).

Every function checks who asks, locks the project's row (then the report's), judges what it is
given, writes in one transaction and records who did it. The lead researcher is asked with
``rules.has_perm("projects.lead_project", user, project)``: a superuser is not every project's lead.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from applications import documents, stored_files
from applications.models import ATTACHMENT_MAX_BYTES
from applications.validators import text_validators
from notifications.services import notify

from .. import notices
from ..actions import ProjectAction
from ..models import Mission, Publication, Report, ReportAttachment, ReportVersion, Spending
from .base import ProjectError, lock, refuse_when_closed, require
from .report_checks import (
    FIRST_PUBLICATION_YEAR,
    MISSION_FIELDS,
    PUBLICATION_FIELDS,
    REQUIRED_TEXT,
    TEXT_FIELDS,
    ReportRefused,
    clean_missions,
    clean_publications,
    clean_spending,
    clean_texts,
    date_text,
    doi_error,
    last_publication_year,
    normalize_doi,
)

#: Staff may set a report's due date up to two years after the project's end.
DUE_DAYS_AFTER_END = 2 * 366
REASON_MAX = 500
MESSAGE_MAX = 5000
ATTACHMENT_MAX_COUNT = 10
ATTACHMENT_MAX_TOTAL_BYTES = 40 * 1024 * 1024


# --- Looking things up ---------------------------------------------------------------------------


def _lock_report(report, *, by=None, lead=False):
    """The project's row, then the report's, locked; the report carries its locked project."""
    project = lock(report.project)
    if lead:
        require(by, "projects.lead_project", project)
    locked = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
    locked.project = project
    return locked


def _clean_reason(reason, what):
    reason = str(reason or "").strip()
    if not reason:
        raise ProjectError(what)
    if len(reason) > REASON_MAX:
        raise ProjectError(_("Keep the reason within %(max)s characters.") % {"max": REASON_MAX})
    if "\x00" in reason:
        raise ProjectError(_("The reason holds a character that cannot be stored."))
    return reason


def _as_date(value, what):
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ProjectError(_("Give %(what)s as a date.") % {"what": what})
    return value


def _check_due_date(project, due_on):
    _as_date(due_on, _("the due date"))
    latest = project.end_date + datetime.timedelta(days=DUE_DAYS_AFTER_END)
    if not project.start_date <= due_on <= latest:
        raise ProjectError(
            _("A report of this project is due between %(start)s and %(end)s.")
            % {"start": date_text(project.start_date), "end": date_text(latest)}
        )


def _progress_year(project, due_on):
    months = (due_on.year - project.start_date.year) * 12 + due_on.month - project.start_date.month
    return max(1, (months + 11) // 12)


# --- Staff edit the schedule ----------------------------------------------------------------------


def add_report(project, kind, due_on, reason, by):
    """Staff add a report the plan does not hold (a mid-term report, a report a change asks for),
    with a reason. A project owes one final report: a second one is refused while the first is
    not waived."""
    require(by, "projects.manage_reports")
    if kind not in Report.Kind.values:
        raise ProjectError(_("Choose the kind of report: a progress report or a final report."))
    reason = _clean_reason(reason, _("Say why this report is added."))
    with transaction.atomic():
        project = lock(project)
        refuse_when_closed(project)
        _check_due_date(project, due_on)
        if (
            kind == Report.Kind.FINAL
            and project.reports.filter(kind=kind).exclude(status=Report.Status.WAIVED).exists()
        ):
            raise ProjectError(_("This project already has a final report: move it instead of adding another."))
        report = Report.objects.create(
            project=project,
            kind=kind,
            sequence=_progress_year(project, due_on) if kind == Report.Kind.PROGRESS else 0,
            due_on=due_on,
            scheduled=False,
            staff_reason=reason,
        )
        record(by, ProjectAction.REPORT_ADDED, report, project=project.reference, due_on=due_on, reason=reason)
    return report


def move_report(report, due_on, reason, by):
    """Staff move the due date of a report the researcher may still edit, with a reason; the
    reason also keeps the new date when the schedule is computed again (sync_schedule)."""
    require(by, "projects.manage_reports")
    reason = _clean_reason(reason, _("Say why the report's due date moves."))
    with transaction.atomic():
        report = _lock_report(report)
        refuse_when_closed(report.project)
        if not report.is_editable:
            raise ProjectError(
                _("This report is %(status)s: its due date can no longer move.")
                % {"status": report.get_status_display().lower()}
            )
        _check_due_date(report.project, due_on)
        if due_on == report.due_on:
            raise ProjectError(_("The report is already due on %(date)s.") % {"date": date_text(due_on)})
        previous = report.due_on
        report.due_on = due_on
        report.staff_reason = reason
        report.save(update_fields=["due_on", "staff_reason", "updated_at"])
        record(
            by,
            ProjectAction.REPORT_MOVED,
            report,
            project=report.project.reference,
            due_on={"from": previous, "to": due_on},
            reason=reason,
        )
    return report


def waive_report(report, reason, by):
    """Staff waive a report not yet submitted (not started or in draft), with a reason."""
    require(by, "projects.manage_reports")
    reason = _clean_reason(reason, _("Say why the report is waived."))
    with transaction.atomic():
        report = _lock_report(report)
        refuse_when_closed(report.project)
        if report.status not in Report.OWED:
            raise ProjectError(
                _("This report is %(status)s: only a report not yet submitted can be waived.")
                % {"status": report.get_status_display().lower()}
            )
        report.transition(
            Report.Status.WAIVED,
            by=by,
            action=ProjectAction.REPORT_WAIVED,
            details={"project": report.project.reference, "reason": reason},
            staff_reason=reason,
        )
    return report


# --- The lead researcher writes ---------------------------------------------------------------------


def _check_editable(report):
    refuse_when_closed(report.project)
    if not report.is_editable:
        raise ProjectError(
            _("This report is %(status)s: it can no longer be changed.")
            % {"status": report.get_status_display().lower()}
        )


def save_report(report, by, fields=None, missions=(), publications=(), spending=None):
    """The lead researcher saves the draft: the texts given in `fields` (name → text), and the
    report's missions, co-publications and spending replaced by those given (lists of dicts of
    the models' fields; spending: budget line → amount or None). A report not started becomes a
    draft; one sent back with changes asked stays so until it is submitted again. Refused, with
    where each problem is (ReportRefused), when anything is wrong: nothing is saved then."""
    with transaction.atomic():
        report = _lock_report(report, by=by, lead=True)
        project = report.project
        _check_editable(report)
        located = []
        texts = clean_texts(fields, located)
        mission_rows = clean_missions(project, report, missions, located)
        publication_rows = clean_publications(project, report, publications, located)
        spending_rows = clean_spending(project, report, spending, located)
        if located:
            raise ReportRefused(located)
        report.missions.all().delete()
        report.publications.all().delete()
        report.spending.all().delete()
        Mission.objects.bulk_create(mission_rows)
        Publication.objects.bulk_create(publication_rows)
        Spending.objects.bulk_create(spending_rows)
        details = {
            "missions": len(mission_rows),
            "publications": len(publication_rows),
            "spending": len(spending_rows),
        }
        if report.status == Report.Status.PLANNED:
            report.transition(Report.Status.DRAFT, by=by, action=ProjectAction.REPORT_SAVED, details=details, **texts)
        else:
            for name, value in texts.items():
                setattr(report, name, value)
            report.save(update_fields=[*texts, "updated_at"])
            record(by, ProjectAction.REPORT_SAVED, report, **details)
    return report


def add_report_attachment(report, uploaded_file, by):
    """The lead researcher adds a PDF to a report they may still edit: judged on its bytes (the
    very bytes inspected are stored, under a cleaned .pdf name), within the caps on the number
    and total size of a report's documents, checked under the lock."""
    with transaction.atomic():
        _check_editable(_lock_report(report, by=by, lead=True))
    try:
        pdf = documents.inspect_pdf(uploaded_file, max_bytes=ATTACHMENT_MAX_BYTES)
    except ValidationError as error:
        raise ProjectError(*error.messages) from error
    with transaction.atomic():
        report = _lock_report(report, by=by, lead=True)
        _check_editable(report)
        stored = report.attachments.aggregate(count=Count("pk"), size=Sum("size"))
        if stored["count"] >= ATTACHMENT_MAX_COUNT:
            raise ProjectError(
                _("A report holds at most %(count)s documents: remove one before adding another.")
                % {"count": ATTACHMENT_MAX_COUNT}
            )
        if (stored["size"] or 0) + pdf.size > ATTACHMENT_MAX_TOTAL_BYTES:
            raise ProjectError(
                _("The documents of a report may weigh %(limit)s MB in all; with this file they would weigh %(total)s.")
                % {
                    "limit": ATTACHMENT_MAX_TOTAL_BYTES // (1024 * 1024),
                    "total": filesizeformat((stored["size"] or 0) + pdf.size),
                }
            )
        attachment = ReportAttachment(
            report=report,
            original_name=documents.pdf_file_name(getattr(uploaded_file, "name", None)),
            size=pdf.size,
            sha256=pdf.sha256,
            uploaded_by=by,
        )
        try:
            stored_files.save_file(attachment.file, "document.pdf", ContentFile(pdf.content))
        except stored_files.StorageUnavailable as error:
            raise ProjectError(error.message) from error
        attachment.save()
        record(by, ProjectAction.REPORT_SAVED, report, attachment_added=attachment.original_name)
    return attachment


def remove_report_attachment(attachment, by):
    """The lead researcher removes a document from a report they may still edit."""
    with transaction.atomic():
        report = _lock_report(attachment.report, by=by, lead=True)
        _check_editable(report)
        attachment = ReportAttachment.objects.select_for_update().get(pk=attachment.pk, report=report)
        storage, name, original = attachment.file.storage, attachment.file.name, attachment.original_name
        attachment.delete()
        record(by, ProjectAction.REPORT_SAVED, report, attachment_removed=original)
        transaction.on_commit(lambda: storage.delete(name))


# --- Submission -------------------------------------------------------------------------------------


def missing_texts(report):
    """The labels of the texts the report cannot be submitted without and that are still empty."""
    return [
        str(Report._meta.get_field(name).verbose_name)
        for name in REQUIRED_TEXT.get(report.kind, ())
        if not (getattr(report, name) or "").strip()
    ]


def frozen_content(report):
    """Everything the report holds, as plain JSON: what a version keeps whatever comes next."""
    planned = {line.category: line.planned for line in report.project.budget_lines.all()}
    spent = {row.category: row.spent for row in report.spending.all()}
    return {
        "kind": report.kind,
        "sequence": report.sequence,
        "due_on": report.due_on.isoformat(),
        "fields": {name: getattr(report, name) for name in TEXT_FIELDS},
        "missions": [
            {
                "traveller": m.traveller,
                "from_city": m.from_city,
                "from_country": str(m.from_country),
                "to_city": m.to_city,
                "to_country": str(m.to_country),
                "started_on": m.started_on.isoformat(),
                "ended_on": m.ended_on.isoformat(),
                "days": m.days,
            }
            for m in report.missions.all()
        ],
        "publications": [{"doi": p.doi, "title": p.title, "year": p.year} for p in report.publications.all()],
        "spending": [
            {
                "category": category,
                "planned": str(planned[category]) if category in planned else None,
                "spent": str(spent[category]) if category in spent else None,
            }
            for category in sorted(set(planned) | set(spent))
        ],
        "attachments": [
            {"name": a.original_name, "size": a.size, "sha256": a.sha256} for a in report.attachments.all()
        ],
    }


def submit_report(report, by):
    """The lead researcher submits the report: refused once the project is closed or ended, when
    the report is not theirs to edit (already submitted: a second click is refused, not a second
    version) or its required texts are empty. Creates the next frozen version."""
    with transaction.atomic():
        report = _lock_report(report, by=by, lead=True)
        project = report.project
        if project.is_closed:
            raise ProjectError(
                _("A report cannot be submitted: project %(reference)s is %(status)s.")
                % {"reference": project.reference, "status": project.get_status_display().lower()}
            )
        if report.status in (Report.Status.SUBMITTED, Report.Status.ACCEPTED):
            raise ProjectError(
                _("This report is already submitted (on %(date)s): nothing more to send.")
                % {"date": date_text(timezone.localdate(report.submitted_at)) if report.submitted_at else "—"}
            )
        if not report.is_editable:
            raise ProjectError(
                _("This report is %(status)s: it cannot be submitted.")
                % {"status": report.get_status_display().lower()}
            )
        missing = missing_texts(report)
        if missing:
            raise ReportRefused(
                [
                    (
                        ("fields", name),
                        _("Fill this in before submitting the report."),
                    )
                    for name in REQUIRED_TEXT[report.kind]
                    if not (getattr(report, name) or "").strip()
                ]
                + [
                    (
                        None,
                        _("The report cannot be submitted without: %(fields)s.") % {"fields": ", ".join(missing)},
                    )
                ]
            )
        number = (report.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        now = timezone.now()
        version = ReportVersion.objects.create(
            report=report, number=number, content=frozen_content(report), submitted_at=now, submitted_by=by
        )
        report.transition(Report.Status.SUBMITTED, by=by, details={"version": number}, submitted_at=now)
    return version


# --- Staff review -----------------------------------------------------------------------------------


def report_context(report):
    """What a notification about `report` says (notices.REPORT_CONTEXT)."""
    project = report.project
    return {
        "reference": project.reference,
        "project_title": project.title,
        "report": report.kind,
        "year": report.sequence,
        "due_date": report.due_on.isoformat(),
        "url_path": report.url_path,
    }


def _check_submitted(report):
    if report.status != Report.Status.SUBMITTED:
        raise ProjectError(
            _("This report is %(status)s: only a submitted report can be reviewed.")
            % {"status": report.get_status_display().lower()}
        )


def accept_report(report, by):
    """Staff accept a submitted report; the lead researcher is told. (Once the final report is
    accepted, the final evaluation may be requested: services.evaluation.)"""
    require(by, "projects.manage_reports")
    with transaction.atomic():
        report = _lock_report(report)
        _check_submitted(report)
        report.transition(Report.Status.ACCEPTED, by=by, reviewed_by=by, reviewed_at=timezone.now())
        notify(report.project.lead, notices.REPORT_ACCEPTED, report_context(report), target=report)
    return report


def request_changes(report, message, by):
    """Staff send a submitted report back to the lead researcher with a message saying what to
    change; the researcher edits it and submits it again (a new version)."""
    require(by, "projects.manage_reports")
    message = str(message or "").strip()
    if not message:
        raise ProjectError(_("Write the message: say what the researcher should change."))
    if len(message) > MESSAGE_MAX:
        raise ProjectError(_("Keep the message within %(max)s characters.") % {"max": MESSAGE_MAX})
    for validator in text_validators():
        try:
            validator(message)
        except ValidationError as error:
            raise ProjectError(*error.messages) from error
    with transaction.atomic():
        report = _lock_report(report)
        refuse_when_closed(report.project)
        _check_submitted(report)
        report.transition(
            Report.Status.CHANGES_REQUESTED,
            by=by,
            details={"message": message},
            staff_message=message,
            reviewed_by=by,
            reviewed_at=timezone.now(),
        )
        notify(
            report.project.lead,
            notices.REPORT_CHANGES,
            {**report_context(report), "message": message},
            target=report,
        )
    return report


__all__ = [
    "ATTACHMENT_MAX_COUNT",
    "FIRST_PUBLICATION_YEAR",
    "MISSION_FIELDS",
    "PUBLICATION_FIELDS",
    "last_publication_year",
    "REQUIRED_TEXT",
    "TEXT_FIELDS",
    "ReportRefused",
    "accept_report",
    "add_report",
    "add_report_attachment",
    "doi_error",
    "frozen_content",
    "missing_texts",
    "move_report",
    "normalize_doi",
    "remove_report_attachment",
    "report_context",
    "request_changes",
    "save_report",
    "submit_report",
    "waive_report",
]
