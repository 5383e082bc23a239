"""One small portal with every role and every kind of record, for the security tests.

Roles: the owning researcher, another researcher, the reviewer assigned to the owner's application,
a reviewer not assigned, a reviewer assigned to it but with a declared conflict of interest, staff
(a superuser), and staff without any permission.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import Application, SubmittedVersion
from applications.versions import content_of
from notifications.models import Notification
from reviews.models import ConflictOfInterest, Decision, Dossier, ReviewerInvitation, RoutingProposal
from tests.applications.factories import ProfileFactory, complete_application
from tests.factories import CallFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, assign, pool_reviewer, submitted_application

ROLES = (
    "anonymous",
    "owner",
    "other_researcher",
    "assigned",
    "unassigned",
    "conflicted",
    "staff",
    "staff_without_permissions",
)


@dataclass
class World:
    users: dict
    open_call: object
    closed_call: object
    draft: object  # the owner's draft on the open call, with one PDF
    draft_attachment: object
    reviewed: object  # the owner's application in review, with one PDF, assigned to "assigned"
    reviewed_attachment: object
    decided: object  # the owner's decided application whose letter is released
    invitation: object  # the assigned reviewer's pending invitation
    proposal: object  # a routing proposal of the closed call
    project: object = None  # the funded project of `decided`, led by the owner
    report: object = None  # its first report, not started
    report_attachment: object = None  # a PDF of that report
    change: object = None  # an extension the owner asked for, pending
    evaluation: object = None  # a final evaluation of the project asked of "assigned"
    dossier: object = None  # a committee dossier of the closed call, not built yet


def build_world():
    staff = StaffFactory()
    other = ProfileFactory().user
    open_call = CallFactory()
    closed_call = ClosedCallFactory()
    # The owner's draft, complete (a PDF attached), on the open call.
    draft = complete_application(call=open_call)
    owner = draft.applicant
    draft_attachment = draft.attachments.get()
    # The owner's application under review.
    reviewed = submitted_application(closed_call, attachment=True)
    reviewed.applicant = owner
    reviewed.save(update_fields=["applicant"])
    # Its frozen copy (the versions' pages): as submit_application writes it.
    SubmittedVersion.objects.create(
        application=reviewed,
        number=1,
        submitted_at=timezone.now() - timedelta(days=30),
        submitted_by=owner,
        content=content_of(reviewed),
        eligible=True,
        requested_amount=Decimal("8000.00"),
    )
    assigned = pool_reviewer(closed_call)
    unassigned = pool_reviewer(closed_call)
    conflicted = pool_reviewer(closed_call)
    assign(reviewed, assigned)
    assign(reviewed, conflicted)
    ConflictOfInterest.objects.create(
        reviewer=conflicted,
        application=reviewed,
        kind=ConflictOfInterest.Kind.PERSONAL,
        reason="Former PhD supervisor",
        source=ConflictOfInterest.Source.REVIEWER,
        recorded_by=conflicted,
    )
    # A decided application of the owner, its letter released.
    decided = submitted_application(closed_call, status=Application.Status.DECIDED)
    decided.applicant = owner
    decided.save(update_fields=["applicant"])
    Decision.objects.create(
        application=decided,
        outcome=Decision.Outcome.FUNDED,
        amount=Decimal("8000.00"),
        decided_by=staff,
        decided_at=timezone.now() - timedelta(days=1),
        released_at=timezone.now(),
    )
    invitation_call = ClosedCallFactory()
    invitation = ReviewerInvitation.objects.create(call=invitation_call, reviewer=assigned, invited_by=staff)
    proposal = RoutingProposal.objects.create(
        call=closed_call,
        reviewers_per_application=2,
        due_date=timezone.localdate() + timedelta(days=20),
        created_by=staff,
    )
    Notification.objects.create(recipient=owner, kind="application.receipt", language="fr", context={})
    users = {
        "anonymous": None,
        "owner": owner,
        "other_researcher": other,
        "assigned": assigned,
        "unassigned": unassigned,
        "conflicted": conflicted,
        "staff": staff,
        # Staff status, no permission at all: admin refuses them every model; so must the portal.
        "staff_without_permissions": StaffFactory(is_superuser=False),
    }
    project, report, report_attachment, change, evaluation = _project_of(decided, owner, assigned, staff)
    return World(
        project=project,
        report=report,
        report_attachment=report_attachment,
        change=change,
        evaluation=evaluation,
        users=users,
        open_call=open_call,
        closed_call=closed_call,
        draft=draft,
        draft_attachment=draft_attachment,
        reviewed=reviewed,
        reviewed_attachment=reviewed.attachments.get(),
        decided=decided,
        invitation=invitation,
        proposal=proposal,
        dossier=Dossier.objects.create(call=closed_call, requested_by=staff),
    )


def _project_of(decided, owner, evaluator, staff):
    """The project of the owner's funded decision, with a report holding a PDF, a pending change
    request and a final evaluation asked of `evaluator` (rows made directly: the services have
    their own tests)."""
    from django.core.files.base import ContentFile

    from projects.models import ChangeRequest, Evaluation, ReportAttachment
    from projects.services import create_project_for_decision
    from tests.applications.factories import pdf_bytes

    project = create_project_for_decision(decided.decision, staff)
    report = project.reports.order_by("due_on").first()
    attachment = ReportAttachment.objects.create(
        report=report,
        file=ContentFile(pdf_bytes(), name="report.pdf"),
        original_name="report.pdf",
        size=1000,
        sha256="0" * 64,
        uploaded_by=owner,
    )
    change = ChangeRequest.objects.create(
        project=project,
        kind=ChangeRequest.Kind.EXTENSION,
        months=3,
        justification="Fieldwork delayed",
        requested_by=owner,
    )
    evaluation = Evaluation.objects.create(
        project=project, reviewer=evaluator, requested_by=staff, due_on=timezone.localdate() + timedelta(days=20)
    )
    return project, report, attachment, change, evaluation


__all__ = ["ROLES", "World", "build_world"]
