"""The final evaluation: staff ask a reviewer without conflict once the final report is accepted,
the reviewer scores and recommends on their page, and that closes the project."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from accounts.models import AuditEvent
from notifications.models import Notification
from projects.models import Evaluation, Project, Report, ReportVersion
from projects.services import ProjectError
from projects.services.evaluation import (
    cancel_evaluation,
    eligible_reviewers,
    request_evaluation,
    submit_evaluation,
)
from reviews.models import ConflictOfInterest
from tests.factories import ResearcherFactory, ReviewerFactory, StaffFactory
from tests.reviews.factories import ReviewerProfileFactory

from .factories import funded_project

pytestmark = pytest.mark.django_db

FINAL_CONTENT = {
    "kind": "final",
    "sequence": 0,
    "fields": {"scientific_progress": "Neurons mapped in both cohorts.", "partnership_outcome": "A joint lab."},
    "missions": [
        {
            "traveller": "Ana Silva",
            "from_city": "Paris",
            "from_country": "FR",
            "to_city": "Tokyo",
            "to_country": "JP",
            "started_on": "2027-03-01",
            "ended_on": "2027-03-10",
            "days": 10,
        }
    ],
    "publications": [{"doi": "10.1038/s41586-020-2649-2", "title": "Ageing neurons", "year": 2027}],
    "spending": [{"category": "travel", "planned": "5000.00", "spent": "4200.00"}],
    "attachments": [],
}
GOOD = {"objectives_score": 4, "partnership_score": 5, "outputs_score": 3, "recommendation": "european"}


def in_days(n):
    return timezone.localdate() + timedelta(days=n)


def evaluable_project(staff, *, accepted=True, status=Project.Status.FINAL_REPORT_DUE):
    """A Tremplin project (partner: University of Tokyo) whose final report is accepted."""
    project = funded_project(staff=staff)
    Project.objects.filter(pk=project.pk).update(status=status)
    final = project.reports.get(kind=Report.Kind.FINAL)
    ReportVersion.objects.create(report=final, number=1, content=FINAL_CONTENT)
    if accepted:
        Report.objects.filter(pk=final.pk).update(status=Report.Status.ACCEPTED)
    else:
        Report.objects.filter(pk=final.pk).update(status=Report.Status.SUBMITTED)
    return Project.objects.get(pk=project.pk)


def reviewer_of(institution="Karolinska Institutet", **fields):
    return ReviewerProfileFactory(institution=institution, **fields).user


def asked(project, staff, reviewer=None):
    return request_evaluation(project, reviewer or reviewer_of(), in_days(30), staff)


def submit(evaluation, by, **changes):
    values = {**GOOD, "comments": "A partnership that will last.", **changes}
    return submit_evaluation(evaluation, by, **values)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


# --- Who may evaluate ------------------------------------------------------------------------------


def test_eligible_reviewers_are_active_reviewers_with_a_profile_and_no_conflict(staff):
    project = evaluable_project(staff)
    free = reviewer_of()
    reviewer_of(institution="university of  TOKYO")  # the partner's institution (as routing compares)
    declared = reviewer_of()
    ConflictOfInterest.objects.create(reviewer=declared, application=project.application, kind="personal")
    inactive = reviewer_of()
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    ReviewerFactory()  # no reviewer profile
    collaborator = reviewer_of()
    project.partners.update(email=collaborator.email)

    assert eligible_reviewers(project) == [free]


def test_a_former_partner_teams_institution_is_still_a_conflict(staff, english):
    project = evaluable_project(staff)
    project.partners.update(left_on=in_days(-100))
    former = reviewer_of(institution="University of Tokyo")

    assert former not in eligible_reviewers(project)
    with pytest.raises(ProjectError, match=r"\(partner institution\)"):
        asked(project, staff, former)


# --- Requesting ----------------------------------------------------------------------------------


def test_request_is_refused_before_the_final_report_is_accepted(staff, english):
    project = evaluable_project(staff, accepted=False)

    with pytest.raises(ProjectError, match="final report of project .* is not accepted yet"):
        asked(project, staff)
    assert not Evaluation.objects.exists()


def test_request_is_refused_for_a_reviewer_of_a_partner_institution_naming_the_conflict(staff, english):
    project = evaluable_project(staff)
    conflicted = reviewer_of(institution="University of Tokyo")

    with pytest.raises(ProjectError) as refused:
        asked(project, staff, conflicted)

    assert "has a conflict of interest" in str(refused.value)
    assert "(partner institution)" in str(refused.value)
    assert not Evaluation.objects.exists()


def test_request_is_refused_for_a_declared_conflict(staff, english):
    project = evaluable_project(staff)
    declared = reviewer_of()
    ConflictOfInterest.objects.create(reviewer=declared, application=project.application, kind="personal")

    with pytest.raises(ProjectError, match=r"\(personal relationship\)"):
        asked(project, staff, declared)


def test_request_notifies_the_reviewer_and_is_audited(staff):
    project = evaluable_project(staff)
    reviewer = reviewer_of()

    evaluation = request_evaluation(project, reviewer, in_days(30), staff)

    assert (evaluation.status, evaluation.reviewer, evaluation.requested_by) == ("requested", reviewer, staff)
    [notice] = Notification.objects.filter(kind="evaluation.request")
    assert notice.recipient == reviewer
    assert notice.context == {
        "reference": project.reference,
        "project_title": project.title,
        "due_date": in_days(30).isoformat(),
        "url_path": f"/projects/evaluations/{evaluation.pk}/",
    }
    assert AuditEvent.objects.filter(action="evaluation.status", object_id=str(evaluation.pk)).count() == 1


@pytest.mark.parametrize("days", [0, -1])
def test_request_due_today_or_in_the_past_is_refused(staff, english, days):
    project = evaluable_project(staff)

    with pytest.raises(ProjectError, match="must be in the future"):
        request_evaluation(project, reviewer_of(), in_days(days), staff)


def test_one_request_at_a_time_until_it_is_cancelled(staff, english):
    project = evaluable_project(staff)
    first = asked(project, staff)

    with pytest.raises(ProjectError, match="already asked of"):
        asked(project, staff)
    cancel_evaluation(first, staff)
    second = asked(project, staff)

    first.refresh_from_db()
    assert (first.status, second.status) == ("cancelled", "requested")
    with pytest.raises(ProjectError, match="only a request not yet answered can be cancelled"):
        cancel_evaluation(first, staff)


def test_request_needs_the_staff_permission(staff, english):
    project = evaluable_project(staff)
    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="projects", codename="view_project"))

    for user in (project.lead, reviewer_of(), viewer):
        with pytest.raises(ProjectError, match="does not have the permission"):
            asked(project, user)
    assert not Evaluation.objects.exists()


def test_request_for_a_closed_project_is_refused(staff, english):
    project = evaluable_project(staff, status=Project.Status.CLOSED)

    with pytest.raises(ProjectError, match="nothing more can be changed"):
        asked(project, staff)


# --- Submitting ----------------------------------------------------------------------------------


def test_submitting_closes_the_project_and_is_audited(staff):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)

    submit(evaluation, evaluation.reviewer)

    evaluation.refresh_from_db()
    project.refresh_from_db()
    assert evaluation.status == "submitted" and evaluation.submitted_at is not None
    assert (evaluation.objectives_score, evaluation.partnership_score, evaluation.outputs_score) == (4, 5, 3)
    assert (evaluation.recommendation, evaluation.comments) == ("european", "A partnership that will last.")
    assert project.status == "closed" and project.closed_at is not None
    events = AuditEvent.objects.filter(actor=evaluation.reviewer)
    assert {(e.action, e.object_id, e.changes["status"]["to"]) for e in events} == {
        ("evaluation.status", str(evaluation.pk), "submitted"),
        ("project.status", str(project.pk), "closed"),
    }


def test_an_evaluation_of_a_project_still_active_closes_it_too(staff):
    project = evaluable_project(staff, status=Project.Status.ACTIVE)  # final report in before the end date
    evaluation = asked(project, staff)

    submit(evaluation, evaluation.reviewer)

    project.refresh_from_db()
    assert project.status == "closed"


def test_a_second_submission_is_refused_and_changes_nothing(staff, english):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)
    submit(evaluation, evaluation.reviewer)

    with pytest.raises(ProjectError, match="already submitted"):
        submit(evaluation, evaluation.reviewer, objectives_score=1, comments="Changed my mind.")

    evaluation.refresh_from_db()
    assert (evaluation.objectives_score, evaluation.comments) == (4, "A partnership that will last.")


def test_a_cancelled_request_cannot_be_submitted(staff, english):
    evaluation = asked(evaluable_project(staff), staff)
    cancel_evaluation(evaluation, staff)

    with pytest.raises(ProjectError, match="cancelled"):
        submit(evaluation, evaluation.reviewer)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"objectives_score": 0}, "Score “achievement of the objectives” from 1 to 5."),
        ({"outputs_score": "6"}, "Score “outputs” from 1 to 5."),
        ({"partnership_score": None}, "Score “strength of the partnership” from 1 to 5."),
        ({"recommendation": "maybe"}, "Choose a recommendation from the list."),
        ({"comments": "   "}, "Write your comments on the project."),
        ({"comments": "x" * 10_001}, "Your comments are too long"),
    ],
)
def test_bad_scores_recommendation_or_comments_are_refused_and_nothing_is_saved(staff, english, changes, message):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)

    with pytest.raises(ProjectError) as refused:
        submit(evaluation, evaluation.reviewer, **changes)

    assert any(reason.startswith(message) for reason in refused.value.reasons)
    evaluation.refresh_from_db()
    project.refresh_from_db()
    assert (evaluation.status, evaluation.objectives_score, project.status) == ("requested", None, "final_report_due")


def test_only_the_reviewer_asked_may_submit(staff, english):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)

    for user in (reviewer_of(), project.lead, staff):
        with pytest.raises(ProjectError, match="does not have the permission"):
            submit(evaluation, user)
    evaluation.refresh_from_db()
    assert evaluation.status == "requested"


# --- The reviewer's pages ------------------------------------------------------------------------


def evaluation_page(evaluation, language="en"):
    return f"/{language}/projects/evaluations/{evaluation.pk}/"


def test_the_reviewer_reads_the_projects_summary_and_the_accepted_final_report(staff):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)

    response = logged_in(evaluation.reviewer).get(evaluation_page(evaluation))

    assert response.status_code == 200
    text = text_of(response)
    assert project.title in text and project.instrument.name in text
    assert "University of Tokyo" in text
    assert "Neurons mapped in both cohorts." in text and "A joint lab." in text
    assert "Ana Silva" in text and "Japan" in text and "Ageing neurons" in text
    assert "From March 1, 2027 to March 10, 2027" in text
    assert "No progress report was accepted for this project." in text
    body = response.content.decode()
    assert body.count("<legend") == 4  # three scores and the recommendation, each a radio group
    assert 'name="comments"' in body and "Submit the evaluation" in text


def test_another_reviewer_a_researcher_and_the_lead_get_404(staff):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)

    for user in (reviewer_of(), ResearcherFactory(), project.lead):
        client = logged_in(user)
        assert client.get(evaluation_page(evaluation)).status_code == 404
        assert client.post(evaluation_page(evaluation), {**GOOD, "comments": "x"}).status_code == 404
    evaluation.refresh_from_db()
    assert evaluation.status == "requested"


def test_anonymous_visitors_are_sent_to_log_in(staff):
    evaluation = asked(evaluable_project(staff), staff)

    response = Client().get(evaluation_page(evaluation))

    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_read_the_evaluation_without_the_form_and_cannot_submit(staff):
    evaluation = asked(evaluable_project(staff), staff)
    client = logged_in(staff)

    response = client.get(evaluation_page(evaluation))

    assert response.status_code == 200
    assert 'name="comments"' not in response.content.decode()
    assert "The reviewer has not submitted the evaluation yet." in text_of(response)
    assert client.post(evaluation_page(evaluation), {**GOOD, "comments": "x"}).status_code == 403


def test_staff_without_the_projects_permission_get_403(staff):
    evaluation = asked(evaluable_project(staff), staff)

    response = logged_in(StaffFactory(is_superuser=False)).get(evaluation_page(evaluation))

    assert response.status_code == 403


def test_a_cancelled_request_is_gone_for_the_reviewer(staff):
    evaluation = asked(evaluable_project(staff), staff)
    cancel_evaluation(evaluation, staff)
    client = logged_in(evaluation.reviewer)

    assert client.get(evaluation_page(evaluation)).status_code == 404
    assert evaluation.project.reference not in client.get("/en/projects/evaluations/").content.decode()


def test_the_reviewer_submits_on_the_page_and_the_project_closes(staff):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)
    client = logged_in(evaluation.reviewer)

    response = client.post(evaluation_page(evaluation), {**GOOD, "comments": "Strong outputs."}, follow=True)

    assert response.redirect_chain == [(evaluation_page(evaluation), 302)]
    text = text_of(response)
    assert "Your evaluation is submitted and the project is closed." in text
    assert "4 out of 5" in text and "Apply to a European programme" in text
    project.refresh_from_db()
    assert project.status == "closed"
    again = client.post(evaluation_page(evaluation), {**GOOD, "comments": "Again."}, follow=True)
    assert "This evaluation is already submitted: it can no longer be changed." in text_of(again)
    evaluation.refresh_from_db()
    assert evaluation.comments == "Strong outputs."


def test_errors_on_the_page_keep_what_was_typed(staff):
    evaluation = asked(evaluable_project(staff), staff)
    client = logged_in(evaluation.reviewer)

    response = client.post(
        evaluation_page(evaluation),
        {"objectives_score": "4", "recommendation": "stop", "comments": "Half written <b>draft</b>"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "The evaluation is not submitted: correct the fields marked below." in text_of(response)
    assert re.search(r'<input[^>]*name="objectives_score"[^>]*value="4"[^>]*checked', body)
    assert re.search(r'<input[^>]*name="recommendation"[^>]*value="stop"[^>]*checked', body)
    assert "Half written &lt;b&gt;draft&lt;/b&gt;</textarea>" in body
    assert body.count("Choose a score from 1 to 5.") == 2
    evaluation.refresh_from_db()
    assert evaluation.status == "requested"


def test_the_reviewers_list_costs_the_same_queries_for_one_evaluation_or_five(staff):
    reviewer = reviewer_of()
    client = logged_in(reviewer)

    def list_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/en/projects/evaluations/")
        assert response.status_code == 200
        return len(captured), response

    asked(evaluable_project(staff), staff, reviewer)
    one, response = list_queries()
    assert response.content.decode().count("data-evaluation=") == 1
    for _ in range(4):
        asked(evaluable_project(staff), staff, reviewer)
    five, response = list_queries()

    assert response.content.decode().count("data-evaluation=") == 5
    assert one == five


def test_the_list_shows_only_my_evaluations_with_their_due_date_and_status(staff):
    mine = asked(evaluable_project(staff), staff)
    other = asked(evaluable_project(staff), staff)

    response = logged_in(mine.reviewer).get("/en/projects/evaluations/")

    text = text_of(response)
    assert mine.project.reference in text and other.project.reference not in text
    with translation.override("en"):
        due = formats.date_format(in_days(30), "DATE_FORMAT")
    assert f"{mine.project.reference} {due} Requested" in text


def test_researchers_get_404_on_the_reviewers_list(staff):
    assert logged_in(ResearcherFactory()).get("/en/projects/evaluations/").status_code == 404


# --- Staff's part of the project page ------------------------------------------------------------


def project_page(project):
    return f"/en/projects/{project.pk}/"


def test_staff_ask_for_the_evaluation_from_the_project_page_among_reviewers_without_conflict(staff):
    project = evaluable_project(staff)
    free = reviewer_of()
    conflicted = reviewer_of(institution="University of Tokyo")
    client = logged_in(staff)

    body = client.get(project_page(project)).content.decode()
    assert f'<option value="{free.pk}"' in body
    assert f'<option value="{conflicted.pk}"' not in body

    refused = client.post(
        f"/en/projects/{project.pk}/evaluation/request/",
        {"evaluation-reviewer": conflicted.pk, "evaluation-due_on": in_days(20).isoformat()},
    )
    assert refused.status_code == 200
    assert "only reviewers without conflict are listed" in text_of(refused)
    assert f'value="{in_days(20).isoformat()}"' in refused.content.decode()

    done = client.post(
        f"/en/projects/{project.pk}/evaluation/request/",
        {"evaluation-reviewer": free.pk, "evaluation-due_on": in_days(20).isoformat()},
        follow=True,
    )
    assert "The final evaluation is asked of" in text_of(done)
    assert Evaluation.objects.get().reviewer == free


def test_a_refused_request_comes_back_with_the_reason_and_what_was_typed(staff):
    project = evaluable_project(staff)
    free = reviewer_of()

    response = logged_in(staff).post(
        f"/en/projects/{project.pk}/evaluation/request/",
        {"evaluation-reviewer": free.pk, "evaluation-due_on": in_days(-2).isoformat()},
    )

    assert response.status_code == 200
    assert "The evaluation's due date must be in the future." in text_of(response)
    assert f'<option value="{free.pk}" selected' in response.content.decode()
    assert not Evaluation.objects.exists()


def test_the_lead_cannot_ask_for_or_cancel_an_evaluation(staff):
    project = evaluable_project(staff)
    client = logged_in(project.lead)
    free = reviewer_of()

    for path in ("request", "cancel"):
        response = client.post(
            f"/en/projects/{project.pk}/evaluation/{path}/",
            {"evaluation-reviewer": free.pk, "evaluation-due_on": in_days(20).isoformat()},
        )
        assert response.status_code == 404
    assert not Evaluation.objects.exists()


def test_staff_cancel_the_request_from_the_project_page(staff):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)

    response = logged_in(staff).post(f"/en/projects/{project.pk}/evaluation/cancel/", follow=True)

    assert "is cancelled: you may ask another reviewer." in text_of(response)
    evaluation.refresh_from_db()
    assert evaluation.status == "cancelled"


def test_once_submitted_staff_see_the_scores_and_the_lead_only_that_it_is_in(staff):
    project = evaluable_project(staff)
    evaluation = asked(project, staff)
    submit(evaluation, evaluation.reviewer)

    staff_text = text_of(logged_in(staff).get(project_page(project)))
    lead_text = text_of(logged_in(project.lead).get(project_page(project)))

    assert "4 out of 5" in staff_text and "Apply to a European programme" in staff_text
    assert "The final evaluation was received on" in lead_text and "the project is closed" in lead_text
    assert "out of 5" not in lead_text and "European programme" not in lead_text
    assert evaluation.reviewer.get_full_name() not in lead_text


def test_before_the_final_report_is_accepted_staff_are_told_when_they_may_ask(staff):
    project = evaluable_project(staff, accepted=False)

    text = text_of(logged_in(staff).get(project_page(project)))

    assert "The final evaluation can be asked once the final report is accepted." in text
    assert "Ask for the evaluation" not in text
