"""A published funded decision creates its project once; its dates and status follow the plan."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from accounts.models import AuditEvent
from notifications.models import Notification
from projects import services
from projects.models import Project, Report
from projects.services import ProjectError
from reviews import services as review_services
from tests.factories import ResearcherFactory

from .factories import aware, funded_project, published_decision

pytestmark = pytest.mark.django_db


def test_publishing_a_funded_decision_creates_its_project_with_the_plan_of_its_instrument(staff):
    decision = published_decision("PRI", "60000.00", decided_at=aware(2026, 11, 20), staff=staff)
    project = decision.project
    assert project.reference == decision.application.reference
    assert project.lead == decision.application.applicant
    assert project.awarded == Decimal("60000.00")
    assert project.start_date == date(2026, 12, 1)
    assert project.end_date == date(2031, 11, 30)
    assert [p.institution for p in project.partners.all()] == ["University of Tokyo"]
    assert [(i.due_on, i.amount) for i in project.instalments.all()] == [
        (date(y, 12, 1), Decimal("12000.00")) for y in range(2026, 2031)
    ]
    assert [(r.kind, r.due_on) for r in project.reports.all()] == [
        *[("progress", date(y, 12, 1)) for y in range(2027, 2031)],
        ("final", date(2031, 12, 1)),
    ]
    assert Notification.objects.filter(recipient=project.lead, kind="project.created").count() == 1
    assert AuditEvent.objects.filter(action="project.created", object_id=str(project.pk)).exists()


def test_creating_the_project_again_returns_the_same_one(staff):
    decision = published_decision(staff=staff)
    again = services.create_project_for_decision(decision, staff)
    assert services.create_missing_projects(staff) == []
    assert again == decision.project
    assert Project.objects.count() == 1
    assert Notification.objects.filter(kind="project.created").count() == 1


def test_a_decision_not_funded_or_not_published_creates_no_project(staff):
    from reviews.models import Decision
    from tests.reviews.factories import ClosedCallFactory, submitted_application

    call = ClosedCallFactory()
    application = submitted_application(call)
    application.status = application.Status.IN_REVIEW
    application.save(update_fields=["status"])
    decision = review_services.record_decision(application, "funded", Decimal("8000"), staff)
    assert services.create_project_for_decision(decision, staff) is None  # not yet published
    Decision.objects.filter(pk=decision.pk).update(outcome="rejected", amount=None, released_at=timezone.now())
    assert services.create_project_for_decision(decision, staff) is None
    assert not Project.objects.exists()


@translation.override("en")
def test_a_start_date_before_the_decision_is_refused_and_nothing_moves(staff):
    project = funded_project(decided_at=aware(2026, 11, 20), staff=staff)
    with pytest.raises(ProjectError) as refused:
        services.set_start_date(project, date(2026, 11, 19), staff)
    assert "before its decision" in str(refused.value)
    project.refresh_from_db()
    assert project.start_date == date(2026, 12, 1)


def test_a_new_start_date_moves_the_end_date_and_the_reports(staff):
    project = funded_project(decided_at=aware(2026, 11, 20), staff=staff)
    services.set_start_date(project, date(2027, 2, 1), staff)
    project.refresh_from_db()
    assert project.end_date == date(2028, 1, 31)
    assert [r.due_on for r in project.reports.all()] == [date(2028, 2, 1)]
    assert project.instalments.get().due_on == date(2027, 2, 1)
    assert AuditEvent.objects.filter(action="project.start_set", object_id=str(project.pk)).exists()


def test_only_staff_set_the_start_date(staff):
    project = funded_project(staff=staff)
    with pytest.raises(ProjectError):
        services.set_start_date(project, project.start_date + timedelta(days=31), project.lead)
    with pytest.raises(ProjectError):
        services.set_start_date(project, project.start_date + timedelta(days=31), ResearcherFactory())


def test_the_status_follows_the_calendar(staff):
    project = funded_project(decided_at=aware(2026, 11, 20), staff=staff)
    assert project.status == Project.Status.STARTING
    assert services.advance_projects(date(2026, 11, 30)) == 0
    assert services.advance_projects(date(2026, 12, 1)) == 1
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    assert services.advance_projects(date(2027, 11, 30)) == 0
    assert services.advance_projects(date(2027, 12, 1)) == 1
    project.refresh_from_db()
    assert project.status == Project.Status.FINAL_REPORT_DUE


def test_suspending_needs_a_reason_and_resuming_returns_to_the_dates_status(staff):
    project = funded_project(staff=staff)
    with pytest.raises(ProjectError):
        services.suspend_project(project, staff, "  ")
    services.suspend_project(project, staff, "Partner lab closed for works")
    project.refresh_from_db()
    assert project.status == Project.Status.SUSPENDED
    services.resume_project(project, staff)
    project.refresh_from_db()
    assert project.status in (Project.Status.STARTING, Project.Status.ACTIVE)
    event = AuditEvent.objects.filter(action="project.status", object_id=str(project.pk)).order_by("pk").first()
    assert event.changes["reason"] == "Partner lab closed for works"


@translation.override("en")
def test_terminating_waives_the_reports_not_yet_in_and_nothing_changes_after(staff):
    project = funded_project("PRI", "60000.00", staff=staff)
    services.terminate_project(project, staff, "The partner withdrew")
    project.refresh_from_db()
    assert project.status == Project.Status.TERMINATED
    assert set(project.reports.values_list("status", flat=True)) == {Report.Status.WAIVED}
    with pytest.raises(ProjectError) as refused:
        services.suspend_project(project, staff, "again")
    assert "terminated early" in str(refused.value)


def test_ending_a_project_early_refuses_its_pending_changes_and_cancels_its_evaluation_request(staff):
    from projects.models import ChangeRequest, Evaluation
    from tests.reviews.factories import ReviewerProfileFactory

    project = funded_project("PRI", "60000.00", staff=staff)
    change = ChangeRequest.objects.create(
        project=project,
        kind=ChangeRequest.Kind.EXTENSION,
        months=2,
        justification="Late samples",
        requested_by=project.lead,
    )
    evaluation = Evaluation.objects.create(
        project=project,
        reviewer=ReviewerProfileFactory().user,
        requested_by=staff,
        due_on=timezone.localdate() + timedelta(days=10),
    )
    services.terminate_project(project, staff, "The partner withdrew")
    change.refresh_from_db()
    evaluation.refresh_from_db()
    assert change.status == ChangeRequest.Status.REFUSED
    assert change.decided_by == staff and change.decision_reason
    assert evaluation.status == Evaluation.Status.CANCELLED
