"""The committee phase of `make bench` (issue 18): its call looks like one the committee meets on
(partner teams, budget, a frozen report the rules passed, documents, reviews, a synthesis), its
staff dossier is built through the task's function, and the table shows its figures and the
meeting page's query count against their targets."""

import io

import pytest
from django.core.management import call_command

from applications.models import Application
from bench import committee_bench, dataset, run
from calls.models import Call


@pytest.mark.django_db
def test_the_committee_phase_builds_a_reviewed_call_and_its_staff_dossier():
    call_command(dataset.Command(), applications=20, reviewers=8, rush_drafts=0, subscribers=0, stdout=io.StringIO())
    figures = committee_bench.measure(2)
    assert (figures["status"], figures["applications"], figures["bookmarks"]) == ("ready", 2, 2)
    assert figures["reviews"] == 2 * dataset.REVIEWS_PER_APPLICATION and figures["syntheses"] == 2
    assert figures["attachments"] == 3  # a project description each, a letter of support for one
    # Each application's own pages, then its documents' pages.
    assert figures["pages"] >= 2 + 3
    applications = Application.objects.filter(call__title_en=committee_bench.TITLE_EN)
    assert applications.count() == 2
    for application in applications:
        assert application.eligibility_report
        assert not [entry for entry in application.eligibility_report if entry["outcome"] == "fail"]
        assert application.partners.exists() and application.budget_lines.exists()
    # Run again, the phase replaces its call rather than adding one.
    committee_bench.make_call(2)
    assert Call.objects.filter(title_en=committee_bench.TITLE_EN).count() == 1


def test_the_table_shows_the_dossier_and_the_meeting_page_against_their_targets():
    meeting = run.MEETING_PAGE
    results = {
        "queries": {"pages": {meeting: {"with_1": 16, "with_10000": 16}}, "rows_listed_with_10000": {meeting: 1000}},
        "committee": {
            "applications": 100,
            "attachments": 150,
            "reviews": 300,
            "syntheses": 100,
            "seconds": 21.6,
            "status": "ready",
            "pages": 595,
            "bookmarks": 100,
            "megabytes": 3.7,
        },
    }
    table = {figure: (value, target, met) for figure, value, target, met in run.rows(results)}
    meeting_row = f"queries: {meeting} (1 → 1,000 applications in the call)"
    assert table[meeting_row] == ("16 → 16", "same at 1 and 1,000", True)
    [dossier_row] = [figure for figure in table if figure.startswith("committee dossier, staff version")]
    assert table[dossier_row] == ("21.6 s", "< 60 s", True)
    assert table["committee dossier: its PDF"][0] == "595 pages, 100 bookmarks, 3.7 MB"
    results["committee"]["seconds"] = 61.0
    results["queries"]["pages"][meeting]["with_10000"] = 17
    assert "**NOT MET**" in run.markdown(results).splitlines()[2]
    assert run.markdown(results).count("**NOT MET**") == 2
