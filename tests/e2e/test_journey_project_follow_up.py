"""Journey 5: the life of a funded project after the decision. Staff publish a funded decision (the
project is created), start it; the researcher submits the first yearly report; staff ask for
changes; the researcher resubmits; staff accept; the final report goes the same way; staff ask a
reviewer for the final evaluation; the reviewer scores it and the project closes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.translation import pgettext

from calls.models import Call
from projects.models import Project, Report
from reviews import services as review_services
from tests.factories import CallFactory, InstrumentFactory, StaffFactory
from tests.reviews.factories import ReviewerProfileFactory, submitted_application

pytestmark = pytest.mark.django_db(transaction=True)


def _fill_and_submit(browser, text, *, final=False):
    browser.fill("id_scientific_progress", text)
    if final:
        browser.fill("id_partnership_outcome", "The two teams now share a cohort and a protocol.")
        browser.fill("id_next_steps", "A European consortium in 2028.")
    browser.click("#submit-report")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_funded_project_from_its_decision_to_its_closing_evaluation(browser, lang):
    staff = StaffFactory(language=lang)
    call = CallFactory(
        instrument=InstrumentFactory(code="PRI"),
        status=Call.Status.IN_REVIEW,
        opens_at=timezone.now() - timedelta(days=90),
        closes_at=timezone.now() - timedelta(days=30),
    )
    application = submitted_application(call, amount="60000.00")
    application.duration_months = 24
    application.status = application.Status.IN_REVIEW
    application.save(update_fields=["duration_months", "status"])
    researcher = application.applicant
    researcher.language = lang
    researcher.save(update_fields=["language"])
    reviewer = ReviewerProfileFactory(institution="University College London").user
    review_services.record_decision(application, "funded", Decimal("60000"), staff)

    # Staff publish the decision: its letter goes out and the project is created.
    browser.log_in_as(staff)
    browser.go(f"/{lang}/reviews/staff/calls/{call.pk}/letters/")
    browser.click("main form button[type=submit]")
    project = Project.objects.get(application=application)
    assert project.status == Project.Status.STARTING

    # Staff find it in the project list and start it today.
    browser.go(f"/{lang}/projects/staff/")
    assert project.reference in browser.text("main table")
    browser.click(f"main a[href='/{lang}/projects/{project.pk}/']")
    browser.set_value("id_start-start", timezone.localdate().isoformat())
    browser.click("#staff-actions form[action$='/start-date/'] button[type=submit]")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    yearly, final = project.reports.order_by("due_on")
    assert (yearly.kind, final.kind) == (Report.Kind.PROGRESS, Report.Kind.FINAL)

    # The researcher sees it on the dashboard with the next report due, fills it in and submits it.
    browser.log_in_as(researcher)
    browser.go(f"/{lang}/applications/")
    assert project.title in browser.text("main")
    browser.click(f"main a[href='/{lang}/projects/{project.pk}/reports/{yearly.pk}/']")
    browser.fill("id_missions-0-traveller", "Camille Durand")
    browser.fill("id_missions-0-from_city", "Paris")
    browser.choose("id_missions-0-from_country", "FR")
    browser.fill("id_missions-0-to_city", "Tokyo")
    browser.choose("id_missions-0-to_country", "JP")
    browser.set_value("id_missions-0-started_on", timezone.localdate().isoformat())
    browser.set_value("id_missions-0-ended_on", (timezone.localdate() + timedelta(days=5)).isoformat())
    browser.fill("id_publications-0-doi", "not a doi")
    browser.fill("id_publications-0-title", "Immune ageing in two cohorts")
    browser.fill("id_publications-0-year", str(timezone.localdate().year))
    _fill_and_submit(browser, "Two workshops held; the shared protocol is written.")
    # A DOI that is not one is refused at its row; everything typed is still there.
    assert "not a doi" in browser.find("#id_publications-0-doi").get_attribute("value")
    assert browser.find("#id_missions-0-to_city").get_attribute("value") == "Tokyo"
    yearly.refresh_from_db()
    assert yearly.status in Report.EDITABLE
    browser.fill("id_publications-0-doi", "https://doi.org/10.1038/S41586-020-2649-2")
    _fill_and_submit(browser, "Two workshops held; the shared protocol is written.")
    yearly.refresh_from_db()
    assert yearly.status == Report.Status.SUBMITTED
    assert yearly.versions.count() == 1
    assert yearly.publications.get().doi == "10.1038/s41586-020-2649-2"

    # Staff ask for changes with a message.
    browser.log_in_as(staff)
    browser.go(f"/{lang}/projects/{project.pk}/reports/{yearly.pk}/")
    browser.fill("id_changes-message", "Please list the samples exchanged.")
    browser.click("#ask-for-changes")
    yearly.refresh_from_db()
    assert yearly.status == Report.Status.CHANGES_REQUESTED

    # The researcher reads the message, changes the report and submits it again.
    browser.log_in_as(researcher)
    browser.go(f"/{lang}/projects/{project.pk}/reports/{yearly.pk}/")
    assert "Please list the samples exchanged." in browser.text("#staff-message")
    _fill_and_submit(browser, "Two workshops held; 40 samples exchanged; the protocol is written.")
    yearly.refresh_from_db()
    assert yearly.status == Report.Status.SUBMITTED
    assert yearly.versions.count() == 2

    # Staff accept it.
    browser.log_in_as(staff)
    browser.go(f"/{lang}/projects/{project.pk}/reports/{yearly.pk}/")
    assert "40 samples" in browser.text("main")
    browser.click("#accept-report")
    yearly.refresh_from_db()
    assert yearly.status == Report.Status.ACCEPTED

    # The final report: written, submitted, accepted.
    browser.log_in_as(researcher)
    browser.go(f"/{lang}/projects/{project.pk}/reports/{final.pk}/")
    _fill_and_submit(browser, "The cohort is shared and followed.", final=True)
    final.refresh_from_db()
    assert final.status == Report.Status.SUBMITTED
    browser.log_in_as(staff)
    browser.go(f"/{lang}/projects/{project.pk}/reports/{final.pk}/")
    browser.click("#accept-report")
    final.refresh_from_db()
    assert final.status == Report.Status.ACCEPTED

    # Staff ask the reviewer (no conflict) for the final evaluation.
    browser.go(f"/{lang}/projects/{project.pk}/")
    browser.choose("id_evaluation-reviewer", reviewer.pk)
    browser.set_value("id_evaluation-due_on", (timezone.localdate() + timedelta(days=21)).isoformat())
    browser.click("main form[action$='/evaluation/request/'] button[type=submit]")
    evaluation = project.evaluations.get()

    # The reviewer scores it; the project closes.
    browser.log_in_as(reviewer)
    browser.go(f"/{lang}/projects/evaluations/")
    browser.click(f"main a[href='/{lang}/projects/evaluations/{evaluation.pk}/']")
    assert "The cohort is shared and followed." in browser.text("main")
    browser.tick("input[name=objectives_score][value='4']")
    browser.tick("input[name=partnership_score][value='5']")
    browser.tick("input[name=outputs_score][value='4']")
    browser.tick("input[name=recommendation][value=european]")
    browser.fill("id_comments", "A lasting partnership, ready for a European consortium.")
    browser.click("main form button[type=submit]")
    project.refresh_from_db()
    assert project.status == Project.Status.CLOSED

    # The researcher sees the project closed.
    browser.log_in_as(researcher)
    browser.go(f"/{lang}/projects/{project.pk}/")
    with translation.override(lang):
        assert pgettext("project status", "Closed") in browser.text("main")
