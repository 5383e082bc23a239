"""Funded projects for the tests: a call of an instrument, a submitted application, its funded
decision published through reviews.services.release_decisions (which creates the project)."""

from decimal import Decimal

from django.utils import timezone

from calls.models import Call
from projects.models import Project
from reviews import services as review_services
from reviews.models import Decision
from tests.factories import InstrumentFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, submitted_application


def published_decision(instrument="TREMPLIN", amount="8000.00", *, duration_months=None, decided_at=None, staff=None):
    """A funded decision of an application of a call of `instrument`, recorded and released by
    staff (the path the portal takes); returns the decision."""
    staff = staff or StaffFactory()
    call = ClosedCallFactory(instrument=InstrumentFactory(code=instrument))
    application = submitted_application(call, amount=amount)
    application.duration_months = duration_months or call.duration_months
    application.status = application.Status.IN_REVIEW
    application.save(update_fields=["duration_months", "status"])
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    decision = review_services.record_decision(application, "funded", Decimal(amount), staff)
    if decided_at is not None:
        Decision.objects.filter(pk=decision.pk).update(decided_at=decided_at)
    review_services.release_decisions(call, staff)
    decision.refresh_from_db()
    return decision


def funded_project(instrument="TREMPLIN", amount="8000.00", **kwargs):
    """The project of a freshly published funded decision."""
    decision = published_decision(instrument, amount, **kwargs)
    return Project.objects.select_related("instrument", "lead").get(decision=decision)


def aware(year, month, day, hour=12):
    return timezone.make_aware(timezone.datetime(year, month, day, hour))


def bulk_projects(
    n,
    *,
    instrument="PRI",
    call=None,
    country="JP",
    status="active",
    start=None,
    amount="60000.00",
    titles=None,
):
    """`n` projects made straight in the database (no release path: a few times faster than
    funded_project), each with its own lead, decided application and published decision, one
    current partner team in `country`, and the plan's instalments and reports (sync_schedule).
    `call` (else a new closed call of `instrument`) is shared; `titles` names them in turn; they
    start on `start`, by default the first day of this month (no report overdue yet)."""
    import datetime

    from applications.models import Application
    from projects.models import ProjectPartner
    from projects.services.lifecycle import sync_schedule
    from tests.factories import ResearcherFactory

    call = call or ClosedCallFactory(instrument=InstrumentFactory(code=instrument))
    start = start or timezone.localdate().replace(day=1)
    months = call.duration_months
    projects = []
    for i in range(n):
        lead = ResearcherFactory()
        number = Application.objects.count() + 1
        reference = f"{call.instrument.code}-{call.year}-{call.pk}-{number:05d}"
        title = titles[i % len(titles)] if titles else f"Funded project {number}"
        application = Application.objects.create(
            call=call,
            applicant=lead,
            title=title,
            abstract="Neurons and immune cells in the ageing brain.",
            duration_months=months,
            status=Application.Status.DECIDED,
            reference=reference,
            submitted_at=timezone.now(),
            requested_amount=Decimal(amount),
            eligible=True,
        )
        decision = Decision.objects.create(
            application=application,
            outcome=Decision.Outcome.FUNDED,
            amount=Decimal(amount),
            released_at=timezone.now(),
        )
        project = Project.objects.create(
            decision=decision,
            application=application,
            reference=reference,
            title=title,
            call=call,
            instrument=call.instrument,
            lead=lead,
            awarded=Decimal(amount),
            decided_on=start - datetime.timedelta(days=30),
            start_date=start,
            duration_months=months,
            end_date=start,
            status=status,
        )
        ProjectPartner.objects.create(
            project=project,
            institution="University of Tokyo",
            city="Tokyo",
            country=country,
            team_leader="Dr Sato",
            email="sato@u-tokyo.example",
        )
        sync_schedule(project)
        projects.append(project)
    return projects


def project_records(project, *, staff=None):
    """One row of every kind a project holds beyond its plan, each with users of its own: a
    payment, a submitted version of its first report with a mission, a co-publication, spending
    and a PDF, a final evaluation, a change request. Returns them by model label."""
    import datetime

    from django.core.files.base import ContentFile

    from projects.models import (
        ChangeRequest,
        Evaluation,
        Mission,
        Payment,
        Publication,
        ReportAttachment,
        ReportVersion,
        Spending,
    )
    from tests.factories import ReviewerFactory

    staff = staff or StaffFactory()
    report = project.reports.order_by("due_on").first()
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return {
        "projects.Payment": Payment.objects.create(
            project=project,
            instalment=project.instalments.first(),
            amount=Decimal("1000.00"),
            paid_on=project.start_date,
            recorded_by=staff,
        ),
        "projects.ReportVersion": ReportVersion.objects.create(
            report=report, number=1, content={"scientific_progress": "Going well."}, submitted_by=project.lead
        ),
        "projects.Mission": Mission.objects.create(
            report=report,
            traveller="Dr Sato",
            from_city="Tokyo",
            from_country="JP",
            to_city="Lyon",
            to_country="FR",
            started_on=project.start_date,
            ended_on=project.start_date + datetime.timedelta(days=6),
        ),
        "projects.Publication": Publication.objects.create(
            report=report, project=project, doi=f"10.1000/p{project.pk}", title="A joint paper", year=2026
        ),
        "projects.Spending": Spending.objects.create(report=report, category="travel", spent=Decimal("900.00")),
        "projects.ReportAttachment": ReportAttachment.objects.create(
            report=report,
            file=ContentFile(pdf, name="report.pdf"),
            original_name="report.pdf",
            size=len(pdf),
            sha256="0" * 64,
            uploaded_by=project.lead,
        ),
        "projects.Evaluation": Evaluation.objects.create(
            project=project, reviewer=ReviewerFactory(), requested_by=staff, due_on=project.end_date
        ),
        "projects.ChangeRequest": ChangeRequest.objects.create(
            project=project,
            kind=ChangeRequest.Kind.EXTENSION,
            months=6,
            justification="The partner's lab moved.",
            requested_by=project.lead,
        ),
    }
