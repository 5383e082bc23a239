"""A reviewer's page of an application staff asked for more information: it says the applicant
is completing it (scoring goes on), and, once resubmitted after the assignment, that it changed,
with a link to what changed."""

import datetime as dt

import pytest
from django.utils import timezone

from applications import information
from applications.models import Application, SubmittedVersion
from applications.versions import content_of
from reviews.models import Review

from .factories import ReviewerProfileFactory, assign, submitted_application
from .helpers import url
from .test_scoring import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(call):
    application = submitted_application(call, status=Application.Status.IN_REVIEW, attachment=True)
    return assign(application, ReviewerProfileFactory(institution="").user)


def freeze(application, number, when):
    return SubmittedVersion.objects.create(
        application=application,
        number=number,
        submitted_at=when,
        submitted_by=application.applicant,
        content=content_of(application),
    )


def test_the_reviewer_is_told_the_applicant_is_completing_it_and_may_still_score(client, assignment, call, staff):
    application = assignment.application
    deadline = timezone.now() + dt.timedelta(days=7)
    information.request_information(application, staff, "Detail the budget.", ["budget"], deadline)
    client.force_login(assignment.reviewer)
    page = client.get(url("assignment", application.pk)).content.decode()
    assert "being completed by its applicant" in page
    assert "data-changed" not in page
    response = client.post(url("assignment", application.pk), form_data(call, [4, 3], "save"))
    assert response.status_code == 302
    assert Review.objects.filter(assignment=assignment).exists()


def test_a_version_resubmitted_after_the_assignment_is_announced_with_a_link(client, assignment):
    application = assignment.application
    freeze(application, 1, assignment.assigned_at - dt.timedelta(days=3))
    freeze(application, 2, assignment.assigned_at + dt.timedelta(days=1))
    client.force_login(assignment.reviewer)
    page = client.get(url("assignment", application.pk)).content.decode()
    assert "This application changed on" in page
    version_page = f"/en/applications/{application.pk}/versions/2/"
    assert version_page in page
    assert client.get(version_page).status_code == 200
    assert "being completed" not in page


def test_a_version_from_before_the_assignment_says_nothing(client, assignment):
    application = assignment.application
    freeze(application, 1, assignment.assigned_at - dt.timedelta(days=3))
    freeze(application, 2, assignment.assigned_at - dt.timedelta(days=1))
    client.force_login(assignment.reviewer)
    page = client.get(url("assignment", application.pk)).content.decode()
    assert "data-changed" not in page


def test_an_application_being_completed_stays_in_the_ranking_and_the_progress(assignment, call, staff):
    from reviews import selectors

    application = assignment.application
    deadline = timezone.now() + dt.timedelta(days=7)
    information.request_information(application, staff, "Detail the budget.", ["budget"], deadline)
    _criteria, rows = selectors.ranking(call)
    assert application.pk in {row.application.pk for row in rows}
    assert selectors.call_progress(call).applications >= 1


def test_the_queue_shows_an_application_being_completed(client, assignment, staff):
    application = assignment.application
    deadline = timezone.now() + dt.timedelta(days=7)
    client.force_login(assignment.reviewer)
    assert "Being completed by the applicant" not in client.get(url("queue")).content.decode()
    information.request_information(application, staff, "Detail the budget.", ["budget"], deadline)
    assert "Being completed by the applicant" in client.get(url("queue")).content.decode()
