"""The projects' part of a user's personal data: the download holds the projects they lead (with
their reports) and the final evaluations they wrote; an erasure keeps funded projects as grant
records, waits while one is running or an evaluation is owed, and empties reports never sent."""

import json
from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from accounts import personal_data
from accounts.personal_data import ErasureError
from projects.models import Evaluation, Mission, Project, Report
from tests.factories import ReviewerFactory

from .factories import funded_project

pytestmark = pytest.mark.django_db

DOWNLOAD = "/en/accounts/my-data/download.json"


def download(user):
    client = Client()
    client.force_login(user)
    return json.loads(client.get(DOWNLOAD).content)["projects"]


def test_the_download_holds_the_lead_s_project_with_its_reports_text_and_missions(staff):
    project = funded_project("PRI", "60000.00", staff=staff)
    report = project.reports.get(kind="progress", sequence=1)
    Report.objects.filter(pk=report.pk).update(scientific_progress="Organoids grown in both labs")
    Mission.objects.create(
        report=report,
        traveller="A. PhD student",
        from_city="Paris",
        from_country="FR",
        to_city="Tokyo",
        to_country="JP",
        started_on=date(2027, 3, 1),
        ended_on=date(2027, 3, 20),
    )
    other = funded_project(staff=staff)

    data = download(project.lead)

    [exported] = data["projects"]
    assert (exported["reference"], exported["awarded"]) == (project.reference, "60000.00")
    assert [p["institution"] for p in exported["partners"]] == ["University of Tokyo"]
    year_1 = next(r for r in exported["reports"] if r["kind"] == "progress" and r["year"] == 1)
    assert year_1["scientific_progress"] == "Organoids grown in both labs"
    assert year_1["missions"][0]["to"] == "Tokyo (JP)"
    assert other.reference not in json.dumps(data)
    assert data["final_evaluations"] == []


def test_the_download_holds_the_final_evaluations_the_reviewer_wrote(staff):
    project = funded_project(staff=staff)
    reviewer = ReviewerFactory()
    Evaluation.objects.create(
        project=project,
        reviewer=reviewer,
        requested_by=staff,
        due_on=date(2028, 3, 1),
        status=Evaluation.Status.SUBMITTED,
        objectives_score=4,
        comments="A lasting partnership.",
    )
    data = download(reviewer)
    assert data["projects"] == []
    [evaluation] = data["final_evaluations"]
    assert (evaluation["project"], evaluation["achievement_of_objectives"], evaluation["comments"]) == (
        project.reference,
        4,
        "A lasting partnership.",
    )


@translation.override("en")
def test_the_erasure_waits_while_the_researcher_leads_a_running_project(staff):
    project = funded_project(staff=staff)
    erasure = personal_data.request_erasure(project.lead)
    with pytest.raises(ErasureError, match=f"still running \\({project.reference}\\)"):
        personal_data.erase(erasure, staff)
    project.lead.refresh_from_db()
    assert project.lead.is_active


@translation.override("en")
def test_the_erasure_waits_while_the_reviewer_owes_a_final_evaluation(staff):
    project = funded_project(staff=staff)
    reviewer = ReviewerFactory()
    Evaluation.objects.create(project=project, reviewer=reviewer, requested_by=staff, due_on=date(2028, 3, 1))
    erasure = personal_data.request_erasure(reviewer)
    with pytest.raises(ErasureError, match="final evaluation of a project to submit"):
        personal_data.erase(erasure, staff)


def test_the_erasure_keeps_an_ended_project_and_its_submitted_reports_and_empties_those_never_sent(staff):
    project = funded_project("PRI", "60000.00", staff=staff)
    submitted = project.reports.get(kind="progress", sequence=1)
    Report.objects.filter(pk=submitted.pk).update(status=Report.Status.ACCEPTED, scientific_progress="Kept text")
    submitted.versions.create(number=1, content={"scientific_progress": "Kept text"}, submitted_by=project.lead)
    waived = project.reports.get(kind="progress", sequence=2)
    Report.objects.filter(pk=waived.pk).update(status=Report.Status.WAIVED, scientific_progress="Unsent draft")
    Mission.objects.create(
        report=waived,
        traveller="Someone",
        from_city="Paris",
        from_country="FR",
        to_city="Tokyo",
        to_country="JP",
        started_on=date(2028, 3, 1),
        ended_on=date(2028, 3, 2),
    )
    Project.objects.filter(pk=project.pk).update(status=Project.Status.TERMINATED)
    erasure = personal_data.request_erasure(project.lead)

    erasure = personal_data.erase(erasure, staff)

    assert "projects: 1 report(s) never submitted emptied" in erasure.outcome
    assert "1 funded project(s)" in erasure.outcome
    assert Project.objects.filter(pk=project.pk, lead=project.lead).exists()
    submitted.refresh_from_db()
    waived.refresh_from_db()
    assert submitted.scientific_progress == "Kept text"
    assert waived.scientific_progress == ""
    assert not waived.missions.exists()
    project.lead.refresh_from_db()
    assert not project.lead.is_active and project.lead.email.startswith("erased-")
