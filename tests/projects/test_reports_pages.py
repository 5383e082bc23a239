"""The report page: the lead researcher fills in and submits; staff read, accept or ask for
changes, move and waive; everyone else is turned away; a refused form comes back as typed."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import ProjectBudgetLine, Report, ReportVersion
from projects.services import reports as services
from projects.views.reports import reports_section
from tests.applications.factories import pdf_bytes
from tests.factories import ResearcherFactory, ReviewerFactory
from tests.security.test_probe_findings import bare_staff

from .factories import funded_project

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def project():
    project = funded_project("PRI", "60000.00")
    ProjectBudgetLine.objects.create(project=project, category="consumables", planned=Decimal("5000.00"))
    return project


@pytest.fixture
def report(project):
    return project.reports.filter(kind=Report.Kind.PROGRESS).order_by("due_on").first()


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def url(report, name="report", *extra):
    return reverse(f"projects:{name}", args=[report.project_id, report.pk, *extra])


def form_data(report, missions=(), publications=(), action="save", **fields):
    data = {
        "action": action,
        "scientific_progress": "",
        "joint_grants": "",
        "students": "",
        "patents": "",
        "data_shared": "",
        "spending-travel": "",
        "spending-consumables": "",
    }
    for prefix, rows in (("missions", missions), ("publications", publications)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "100",
            }
        )
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    data.update(fields)
    return data


def a_mission(project):
    start = project.start_date
    return {
        "traveller": "Dr Aiko Tanaka",
        "from_city": "Tokyo",
        "from_country": "JP",
        "to_city": "Paris",
        "to_country": "FR",
        "started_on": (start + datetime.timedelta(days=3)).isoformat(),
        "ended_on": (start + datetime.timedelta(days=7)).isoformat(),
    }


def submitted(report, lead):
    services.save_report(report, lead, fields={"scientific_progress": "Progress made."})
    services.submit_report(report, lead)
    return report


# --- The lead researcher ------------------------------------------------------------------------------


def test_the_lead_sees_the_form_with_its_buttons_and_the_planned_budget(project, report):
    response = client_of(project.lead).get(url(report))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="save-draft"' in page and ">Save draft<" in page
    assert 'id="submit-report"' in page and ">Submit the report<" in page
    assert 'name="missions-0-traveller"' in page and 'name="publications-0-doi"' in page
    assert re.search(r'id="id_spending-travel-planned">60,000&nbsp;€<', page)
    assert 'name="partnership_outcome"' not in page  # asked in the final report only


def test_a_refused_draft_comes_back_as_typed_with_the_errors_and_nothing_is_saved(project, report):
    data = form_data(
        report,
        missions=[a_mission(project)],
        publications=[{"doi": "nature-2024-17", "title": "Shared cohorts", "year": "2024"}],
        scientific_progress="Our typed progress text",
        **{"spending-travel": "1500"},
    )
    response = client_of(project.lead).post(url(report), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-summary"' in page
    assert "“nature-2024-17” is not a DOI" in page
    assert "Our typed progress text" in page
    assert 'value="Shared cohorts"' in page and 'value="Dr Aiko Tanaka"' in page and 'value="1500"' in page
    report.refresh_from_db()
    assert report.status == Report.Status.PLANNED and report.scientific_progress == ""
    assert not report.missions.exists() and not report.spending.exists()


def test_a_doi_used_in_another_report_is_shown_beside_its_field(project, report):
    other = project.reports.filter(kind=Report.Kind.FINAL).get()
    services.save_report(other, project.lead, publications=[{"doi": "10.1000/xyz", "title": "T", "year": 2024}])
    data = form_data(report, publications=[{"doi": "doi:10.1000/XYZ", "title": "Again", "year": "2024"}])
    page = client_of(project.lead).post(url(report), data).content.decode()
    assert "The DOI 10.1000/xyz is already reported in this project&#x27;s final report." in page
    assert 'value="Again"' in page
    assert not report.publications.exists()


def test_saving_the_draft_shows_the_missions_days(project, report):
    client = client_of(project.lead)
    data = form_data(report, missions=[a_mission(project)], scientific_progress="Text", **{"spending-travel": "800"})
    response = client.post(url(report), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    page = client.get(url(report)).content.decode()
    assert "5 days" in page
    assert "Your draft is saved." in page


def test_submitting_from_the_page_freezes_one_version_and_shows_it_read_only(project, report):
    client = client_of(project.lead)
    data = form_data(report, action="submit", scientific_progress="All done this year.")
    assert client.post(url(report), data).status_code == 302
    assert client.post(url(report), data).status_code == 302  # a double click
    assert ReportVersion.objects.filter(report=report).count() == 1
    page = client.get(url(report)).content.decode()
    assert "Submitted version 1" in page and "All done this year." in page
    assert 'id="save-draft"' not in page


def test_submitting_without_the_required_text_saves_the_draft_and_names_the_field(project, report):
    response = client_of(project.lead).post(url(report), form_data(report, action="submit", students="Two PhDs"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your draft is saved, but the report cannot be submitted yet" in page
    assert "The report cannot be submitted without: scientific progress." in page
    report.refresh_from_db()
    assert (report.status, report.students) == (Report.Status.DRAFT, "Two PhDs")
    assert not report.versions.exists()


def test_changes_asked_are_shown_to_the_lead_who_resubmits_version_2(project, report, staff):
    submitted(report, project.lead)
    response = client_of(staff).post(url(report), {"action": "changes", "changes-message": "List the missions."})
    assert response.status_code == 302
    lead = client_of(project.lead)
    page = lead.get(url(report)).content.decode()
    assert 'id="staff-message"' in page and "List the missions." in page
    assert page.index("List the missions.") < page.index('id="report-form"')
    data = form_data(report, missions=[a_mission(project)], action="submit", scientific_progress="Progress made.")
    assert lead.post(url(report), data).status_code == 302
    assert [v.number for v in report.versions.all()] == [1, 2]


def test_staff_accept_a_submitted_report_from_the_page(project, report, staff):
    submitted(report, project.lead)
    client = client_of(staff)
    page = client.get(url(report)).content.decode()
    assert "Submitted version 1" in page and "Progress made." in page
    assert ">Accept the report<" in page and ">Ask for changes<" in page
    assert client.post(url(report), {"action": "accept"}).status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED


def test_asking_for_changes_without_a_message_comes_back_with_the_error(project, report, staff):
    submitted(report, project.lead)
    response = client_of(staff).post(url(report), {"action": "changes", "changes-message": "  "})
    assert response.status_code == 200
    assert "Write the message: say what the researcher should change." in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


def test_staff_move_and_waive_a_report_with_a_reason(project, report, staff):
    client = client_of(staff)
    later = report.due_on + datetime.timedelta(days=30)
    response = client.post(url(report), {"action": "move", "move-due_on": later.isoformat(), "move-reason": ""})
    assert response.status_code == 200 and "Give the reason." in response.content.decode()
    data = {"action": "move", "move-due_on": later.isoformat(), "move-reason": "Fieldwork delayed"}
    assert client.post(url(report), data).status_code == 302
    assert Report.objects.get(pk=report.pk).due_on == later
    assert client.post(url(report), {"action": "waive", "waive-reason": "Merged"}).status_code == 302
    assert Report.objects.get(pk=report.pk).status == Report.Status.WAIVED


def test_staff_add_a_report_and_a_refused_one_comes_back_as_typed(project, staff):
    client = client_of(staff)
    add = reverse("projects:report_add", args=[project.pk])
    too_early = (project.start_date - datetime.timedelta(days=40)).isoformat()
    response = client.post(
        add, {"add_report-kind": "progress", "add_report-due_on": too_early, "add_report-reason": "Mid-term"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "A report of this project is due between" in page
    assert "Mid-term" in page
    due = (project.start_date + datetime.timedelta(days=180)).isoformat()
    data = {"add_report-kind": "progress", "add_report-due_on": due, "add_report-reason": "Mid-term"}
    assert client.post(add, data).status_code == 302
    assert project.reports.filter(scheduled=False, staff_reason="Mid-term").count() == 1


# --- Documents ----------------------------------------------------------------------------------------


def test_the_lead_uploads_a_pdf_and_downloads_it_under_its_clean_name(project, report, staff):
    client = client_of(project.lead)
    upload = SimpleUploadedFile("annexe/1.pdf", pdf_bytes(), content_type="application/pdf")
    assert client.post(url(report, "report_attachment_add"), {"attachment-file": upload}).status_code == 302
    attachment = report.attachments.get()
    for reader in (client, client_of(staff)):
        response = reader.get(url(report, "report_attachment", attachment.pk))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="1.pdf"'
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_file_renamed_pdf_that_is_not_one_is_refused_on_the_page(project, report):
    upload = SimpleUploadedFile("report.pdf", b"PK\x03\x04 a zip, really", content_type="application/pdf")
    response = client_of(project.lead).post(url(report, "report_attachment_add"), {"attachment-file": upload})
    assert response.status_code == 200
    assert "This file is not a PDF document." in response.content.decode()
    assert not report.attachments.exists()


# --- Who is turned away -------------------------------------------------------------------------------


def test_another_researcher_and_a_reviewer_get_404_on_the_report_and_its_documents(project, report):
    attachment = services.add_report_attachment(report, SimpleUploadedFile("a.pdf", pdf_bytes()), project.lead)
    for outsider in (ResearcherFactory(), ReviewerFactory()):
        client = client_of(outsider)
        assert client.get(url(report)).status_code == 404
        assert client.post(url(report), form_data(report, scientific_progress="x")).status_code == 404
        assert client.get(url(report, "report_attachment", attachment.pk)).status_code == 404
        assert client.post(url(report, "report_attachment_remove", attachment.pk)).status_code == 404
    assert Report.objects.get(pk=report.pk).scientific_progress == ""
    assert report.attachments.count() == 1


def test_staff_without_the_permissions_get_403_naming_them(project, report):
    bare = client_of(bare_staff())
    assert bare.get(url(report)).status_code == 403
    assert bare.get(url(report, "report_attachment", 1)).status_code == 403
    submitted(report, project.lead)
    reader = client_of(bare_staff("projects.view_project"))
    page = reader.get(url(report)).content.decode()
    assert "Submitted version 1" in page and "accept-report" not in page
    response = reader.post(url(report), {"action": "accept"})
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


def test_a_report_of_another_project_is_not_found_under_this_one(project, report):
    other = funded_project("PRI", "60000.00")
    wrong = reverse("projects:report", args=[other.pk, report.pk])
    assert client_of(other.lead).get(wrong).status_code == 404


def test_staff_cannot_write_the_researchers_report(project, report, staff):
    response = client_of(staff).post(url(report), form_data(report, scientific_progress="Staff wrote this"))
    assert response.status_code == 403
    assert Report.objects.get(pk=report.pk).scientific_progress == ""


# --- The project page's reports section ---------------------------------------------------------------


def section_queries(project, user):
    with CaptureQueriesContext(connection) as queries:
        context = reports_section(project, user)
        html = render_to_string("projects/partials/reports.html", {"project": project, "is_lead": True, **context})
    return len(queries), html


def test_the_reports_section_costs_the_same_queries_for_1_and_5_reports():
    tremplin = funded_project("TREMPLIN", "8000.00")
    pri = funded_project("PRI", "60000.00")
    assert (tremplin.reports.count(), pri.reports.count()) == (1, 5)
    one, html_one = section_queries(tremplin, tremplin.lead)
    five, html_five = section_queries(pri, pri.lead)
    assert one == five == 1
    assert html_one.count("data-report=") == 1 and html_five.count("data-report=") == 5
    assert "Fill in" in html_five


def test_the_reports_section_shows_an_overdue_badge_and_the_status(project, report):
    Report.objects.filter(pk=report.pk).update(due_on=datetime.date(2020, 1, 1))
    _queries, html = section_queries(project, project.lead)
    assert html.count(">overdue<") == 1
    assert "Not started" in html


def test_the_project_page_lists_the_reports_with_links(project, report, staff):
    page = client_of(staff).get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert url(report) in page
    assert 'id="add-report"' in page


def test_once_the_project_is_terminated_the_lead_reads_and_is_told_why_nothing_is_saved(project, report, staff):
    from projects import services as project_services

    submitted(report, project.lead)
    services.request_changes(report, "More detail, please.", staff)
    project_services.terminate_project(project, staff, "The partner team left.")
    client = client_of(project.lead)
    page = client.get(url(report)).content.decode()
    assert 'id="save-draft"' not in page and "Submitted version 1" in page
    response = client.post(url(report), form_data(report, action="submit", scientific_progress="Late"), follow=True)
    assert f"Project {project.reference} is terminated early" in response.content.decode()
    assert report.versions.count() == 1


def test_the_report_page_is_served_in_french_too(project, report):
    client = client_of(project.lead)
    address = reverse("projects:report", args=[project.pk, report.pk]).replace("/en/", "/fr/", 1)
    response = client.get(address, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()
