"""Reports through their services: the draft judged (DOIs, dates, spending), the submission frozen
once, staff's review and schedule edits, each refused cleanly when it must be."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from notifications.models import Notification
from projects import services as project_services
from projects.models import Project, ProjectBudgetLine, Publication, Report, ReportVersion
from projects.services import ProjectError
from projects.services import reports as services
from tests.applications.factories import pdf_bytes
from tests.factories import ResearcherFactory, StaffFactory

from .factories import funded_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SCIENCE = {"scientific_progress": "We sequenced the cohort and shared the pipeline."}


@pytest.fixture
def project():
    project = funded_project("PRI", "60000.00")
    ProjectBudgetLine.objects.create(project=project, category="consumables", planned=Decimal("5000.00"))
    return project


def first(project, kind=Report.Kind.PROGRESS):
    return project.reports.filter(kind=kind).order_by("due_on").first()


def mission(project, **changes):
    start = project.start_date
    return {
        "traveller": "Dr Aiko Tanaka",
        "from_city": "Tokyo",
        "from_country": "JP",
        "to_city": "Paris",
        "to_country": "FR",
        "started_on": start + datetime.timedelta(days=10),
        "ended_on": start + datetime.timedelta(days=19),
        **changes,
    }


def publication(doi="10.1038/s41586-020-2649-2", title="Array programming", year=2024):
    return {"doi": doi, "title": title, "year": year}


def saved(report, lead, **kwargs):
    kwargs.setdefault("fields", SCIENCE)
    return services.save_report(report, lead, **kwargs)


# --- The draft ----------------------------------------------------------------------------------------


def test_saving_a_report_not_started_makes_it_a_draft_with_its_rows(project):
    report = first(project)
    saved(
        report,
        project.lead,
        missions=[mission(project)],
        publications=[publication(doi=" https://doi.org/10.1038/S41586-020-2649-2 ")],
        spending={"travel": Decimal("1200.50"), "consumables": None},
    )
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert report.scientific_progress == SCIENCE["scientific_progress"]
    assert [m.days for m in report.missions.all()] == [10]
    assert [p.doi for p in report.publications.all()] == ["10.1038/s41586-020-2649-2"]
    assert [(s.category, s.spent) for s in report.spending.all()] == [("travel", Decimal("1200.50"))]
    assert AuditEvent.objects.filter(action="report.saved", object_id=str(report.pk)).count() == 1


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("doi:10.1000/XYZ123", "10.1000/xyz123"),
        ("http://dx.doi.org/10.1000/abc", "10.1000/abc"),
        ("  DOI: 10.12345/a.b-c  ", "10.12345/a.b-c"),
    ],
)
def test_a_doi_is_stored_without_its_prefix_and_in_lower_case(project, typed, stored):
    report = first(project)
    saved(report, project.lead, publications=[publication(doi=typed)])
    assert list(report.publications.values_list("doi", flat=True)) == [stored]


@pytest.mark.parametrize("doi", ["11.1038/abc", "10.12/abc", "10.1038/", "10.1038/with space", "nature 2024"])
def test_a_doi_that_is_not_one_is_refused_with_the_expected_form_and_nothing_is_saved(project, doi):
    report = first(project)
    with pytest.raises(services.ReportRefused) as refused:
        saved(report, project.lead, missions=[mission(project)], publications=[publication(doi=doi)])
    assert "is not a DOI" in str(refused.value)
    assert "10.1038/s41586-020-2649-2" in str(refused.value)  # the example of the expected form
    assert refused.value.located[0][0] == ("publications", 0, "doi")
    report.refresh_from_db()
    assert report.status == Report.Status.PLANNED
    assert report.scientific_progress == ""
    assert not report.missions.exists() and not Publication.objects.exists()


def test_a_doi_already_reported_in_another_report_of_the_project_is_refused_naming_it(project):
    year1, year2 = project.reports.filter(kind=Report.Kind.PROGRESS).order_by("due_on")[:2]
    saved(year1, project.lead, publications=[publication()])
    with pytest.raises(services.ReportRefused) as refused:
        saved(year2, project.lead, publications=[publication(doi="https://doi.org/10.1038/S41586-020-2649-2")])
    assert "10.1038/s41586-020-2649-2" in str(refused.value)
    assert "progress report, year 1" in str(refused.value)
    assert not year2.publications.exists()


def test_the_same_doi_twice_in_one_report_is_refused(project):
    with pytest.raises(services.ReportRefused) as refused:
        saved(first(project), project.lead, publications=[publication(), publication(title="Again")])
    assert "listed twice" in str(refused.value)
    assert refused.value.located == [
        (("publications", 1, "doi"), refused.value.located[0][1]),
    ]


def test_saving_the_same_doi_again_in_its_own_report_is_fine(project):
    report = first(project)
    saved(report, project.lead, publications=[publication()])
    saved(report, project.lead, publications=[publication(title="Array programming with NumPy")])
    assert list(report.publications.values_list("title", flat=True)) == ["Array programming with NumPy"]


def test_a_publication_year_outside_1990_to_next_year_is_refused(project):
    report = first(project)
    too_late = datetime.date.today().year + 2
    with pytest.raises(services.ReportRefused) as refused:
        saved(report, project.lead, publications=[publication(year=1989), publication(doi="10.1000/b", year=too_late)])
    places = [place for place, _message in refused.value.located]
    assert places == [("publications", 0, "year"), ("publications", 1, "year")]


def test_a_mission_ending_before_it_starts_or_out_of_range_is_refused(project):
    report = first(project)
    start = project.start_date
    with pytest.raises(services.ReportRefused) as refused:
        saved(
            report,
            project.lead,
            missions=[
                mission(project, started_on=start + datetime.timedelta(days=5), ended_on=start),
                mission(project, started_on=datetime.date(1950, 1, 1)),
            ],
        )
    located = dict(refused.value.located)
    assert "cannot end before it starts" in str(located[("missions", 0, "ended_on")])
    assert ("missions", 1, "started_on") in located
    assert not report.missions.exists()


def test_spending_is_refused_below_zero_or_on_a_line_the_project_has_not(project):
    report = first(project)
    with pytest.raises(services.ReportRefused) as refused:
        saved(report, project.lead, spending={"travel": Decimal("-1"), "equipment": Decimal("10")})
    text = str(refused.value)
    assert "cannot be negative" in text
    assert "not a budget line of this project" in text
    assert not report.spending.exists()


def test_editing_a_report_sent_back_keeps_it_changes_requested(project, staff):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    services.request_changes(report, "Add the missions of year 1.", staff)
    saved(report, project.lead, missions=[mission(project)])
    report.refresh_from_db()
    assert report.status == Report.Status.CHANGES_REQUESTED


def test_only_the_lead_researcher_saves_the_report(project, staff):
    report = first(project)
    for other in (ResearcherFactory(), staff):
        with pytest.raises(ProjectError, match="permission"):
            saved(report, other)
    assert Report.objects.get(pk=report.pk).status == Report.Status.PLANNED


# --- Submission ---------------------------------------------------------------------------------------


def test_submitting_creates_one_frozen_version_that_later_edits_do_not_change(project, staff):
    report = first(project)
    saved(report, project.lead, missions=[mission(project)], publications=[publication()], spending={"travel": "900"})
    version = services.submit_report(report, project.lead)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and report.submitted_at is not None
    assert version.number == 1
    content = version.content
    assert content["fields"]["scientific_progress"] == SCIENCE["scientific_progress"]
    assert content["missions"][0]["days"] == 10 and content["missions"][0]["to_country"] == "FR"
    assert content["publications"] == [publication()]
    assert {"category": "travel", "planned": "60000.00", "spent": "900.00"} in content["spending"]
    assert {"category": "consumables", "planned": "5000.00", "spent": None} in content["spending"]

    services.request_changes(report, "Say more about the students.", staff)
    saved(report, project.lead, fields={"scientific_progress": "Rewritten."}, missions=[])
    version.refresh_from_db()
    assert version.content == content


def test_a_second_submit_is_refused_and_makes_no_second_version(project):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    with pytest.raises(ProjectError, match="already submitted"):
        services.submit_report(report, project.lead)
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_a_report_without_its_required_texts_cannot_be_submitted_and_names_them(project):
    final = first(project, Report.Kind.FINAL)
    saved(final, project.lead, fields={"scientific_progress": "Done.", "partnership_outcome": "  "})
    with pytest.raises(services.ReportRefused) as refused:
        services.submit_report(final, project.lead)
    assert "the partnership's outcome" in str(refused.value)
    assert "plans (a PRI" in str(refused.value)
    assert ("fields", "next_steps") in [place for place, _m in refused.value.located]
    assert not final.versions.exists()
    assert Report.objects.get(pk=final.pk).status == Report.Status.DRAFT


@pytest.mark.parametrize("end", ["terminate", "close"])
def test_a_report_cannot_be_submitted_once_the_project_is_closed_or_terminated(project, staff, end):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    services.request_changes(report, "One more paragraph.", staff)
    if end == "terminate":
        project_services.terminate_project(project, staff, "The partner left.")
        status = "terminated early"
    else:
        Project.objects.filter(pk=project.pk).update(status=Project.Status.CLOSED)
        status = "closed"
    with pytest.raises(ProjectError) as refused:
        services.submit_report(report, project.lead)
    assert str(refused.value) == f"A report cannot be submitted: project {project.reference} is {status}."
    assert report.versions.count() == 1


# --- Staff review -------------------------------------------------------------------------------------


def test_changes_asked_reach_the_lead_and_the_resubmission_is_version_2(project, staff):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    services.request_changes(report, "Please list the missions.", staff)
    report.refresh_from_db()
    assert report.status == Report.Status.CHANGES_REQUESTED
    assert report.staff_message == "Please list the missions."
    notice = Notification.objects.get(recipient=project.lead, kind="report.changes")
    assert notice.context["message"] == "Please list the missions."
    assert notice.context["report"] == "progress" and notice.context["year"] == 1
    assert notice.context["url_path"] == report.url_path

    saved(report, project.lead, missions=[mission(project)])
    version = services.submit_report(report, project.lead)
    assert version.number == 2
    assert [v.number for v in report.versions.all()] == [1, 2]


def test_asking_for_changes_needs_a_message(project, staff):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    with pytest.raises(ProjectError, match="Write the message"):
        services.request_changes(report, "   ", staff)
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


def test_accepting_a_submitted_report_tells_the_lead(project, staff):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    services.accept_report(report, staff)
    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED
    assert report.reviewed_by == staff and report.reviewed_at is not None
    notice = Notification.objects.get(recipient=project.lead, kind="report.accepted")
    assert notice.context["due_date"] == report.due_on.isoformat()
    with pytest.raises(ProjectError, match="only a submitted report"):
        services.accept_report(report, staff)


def test_a_report_not_submitted_cannot_be_accepted(project, staff):
    with pytest.raises(ProjectError, match="only a submitted report"):
        services.accept_report(first(project), staff)


def test_the_lead_cannot_review_their_own_report(project):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    with pytest.raises(ProjectError, match="permission"):
        services.accept_report(report, project.lead)


# --- Staff edit the schedule --------------------------------------------------------------------------


def test_staff_add_a_report_with_a_reason(project, staff):
    due = project.start_date + datetime.timedelta(days=200)
    report = services.add_report(project, "progress", due, "Mid-term check asked by the committee.", staff)
    assert (report.scheduled, report.sequence, report.due_on) == (False, 1, due)
    assert AuditEvent.objects.filter(action="project.report_added", object_id=str(report.pk)).exists()
    with pytest.raises(ProjectError, match="Say why"):
        services.add_report(project, "progress", due, " ", staff)
    with pytest.raises(ProjectError, match="already has a final report"):
        services.add_report(project, "final", due, "Another one", staff)


def test_a_moved_report_keeps_its_date_when_the_schedule_is_computed_again(project, staff):
    report = first(project)
    later = report.due_on + datetime.timedelta(days=45)
    services.move_report(report, later, "The partner's lab moved.", staff)
    project_services.sync_schedule(Project.objects.get(pk=project.pk))
    report.refresh_from_db()
    assert report.due_on == later and report.staff_reason == "The partner's lab moved."
    assert AuditEvent.objects.filter(action="project.report_moved", object_id=str(report.pk)).exists()


def test_a_submitted_report_cannot_be_moved_or_waived(project, staff):
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    with pytest.raises(ProjectError, match="can no longer move"):
        services.move_report(report, report.due_on + datetime.timedelta(days=3), "Late", staff)
    with pytest.raises(ProjectError, match="only a report not yet submitted"):
        services.waive_report(report, "No need", staff)


def test_waiving_needs_a_reason_and_is_recorded(project, staff):
    report = first(project)
    with pytest.raises(ProjectError, match="Say why"):
        services.waive_report(report, "", staff)
    services.waive_report(report, "Covered by the final report.", staff)
    report.refresh_from_db()
    assert report.status == Report.Status.WAIVED
    assert report.staff_reason == "Covered by the final report."
    assert AuditEvent.objects.filter(action="project.report_waived", object_id=str(report.pk)).exists()


def test_staff_without_the_permission_cannot_edit_the_schedule(project):
    from tests.security.test_probe_findings import bare_staff

    viewer = bare_staff("projects.view_project")
    with pytest.raises(ProjectError, match="permission"):
        services.waive_report(first(project), "No", viewer)


# --- Documents ----------------------------------------------------------------------------------------


def test_a_pdf_is_added_under_a_clean_name_and_removed(project):
    report = first(project)
    upload = SimpleUploadedFile("rapport année 1.PDF", pdf_bytes(), content_type="application/pdf")
    attachment = services.add_report_attachment(report, upload, project.lead)
    assert attachment.original_name == "rapport année 1.pdf"
    assert attachment.file.read().startswith(b"%PDF-")
    services.remove_report_attachment(attachment, project.lead)
    assert not report.attachments.exists()


def test_a_file_that_is_not_a_pdf_renamed_pdf_is_refused(project):
    report = first(project)
    upload = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    with pytest.raises(ProjectError, match="not a PDF"):
        services.add_report_attachment(report, upload, project.lead)
    assert not report.attachments.exists()


def test_the_frozen_version_lists_the_documents_names(project):
    report = first(project)
    services.add_report_attachment(report, SimpleUploadedFile("annex.pdf", pdf_bytes()), project.lead)
    saved(report, project.lead)
    version = services.submit_report(report, project.lead)
    assert [a["name"] for a in version.content["attachments"]] == ["annex.pdf"]
    with pytest.raises(ProjectError, match="can no longer be changed"):
        services.add_report_attachment(report, SimpleUploadedFile("late.pdf", pdf_bytes()), project.lead)


def test_superuser_staff_are_not_the_lead(project):
    with pytest.raises(ProjectError, match="permission"):
        services.submit_report(first(project), StaffFactory())


# --- What the lead researcher reads -------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, named, message_shown",
    [
        ("fr", "rapport d'étape (année 1)", "Des modifications sont demandées"),
        ("en", "progress report (year 1)", "Changes requested on your"),
    ],
)
def test_the_changes_asked_are_sent_in_the_leads_language_naming_the_report(
    project, staff, language, named, message_shown
):
    from notifications.rendering import render_message

    project.lead.language = language
    project.lead.save(update_fields=["language"])
    report = first(project)
    saved(report, project.lead)
    services.submit_report(report, project.lead)
    services.request_changes(report, "Ajoutez les missions <b>2027</b>.", staff)
    message = render_message(Notification.objects.get(kind="report.changes"))
    assert message_shown in message.subject and named in message.subject
    assert "Ajoutez les missions <b>2027</b>." in message.text
    assert "Ajoutez les missions &lt;b&gt;2027&lt;/b&gt;." in message.html
    assert report.url_path in message.text


@pytest.mark.parametrize("language, named", [("fr", "rapport final"), ("en", "final report")])
def test_the_acceptance_of_the_final_report_names_it(project, staff, language, named):
    from notifications.rendering import render_message

    project.lead.language = language
    project.lead.save(update_fields=["language"])
    final = first(project, Report.Kind.FINAL)
    saved(final, project.lead, fields={"scientific_progress": "a", "partnership_outcome": "b", "next_steps": "c"})
    services.submit_report(final, project.lead)
    services.accept_report(final, staff)
    message = render_message(Notification.objects.get(kind="report.accepted"))
    assert named in message.subject and named in message.text
