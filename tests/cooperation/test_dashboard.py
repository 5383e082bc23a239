"""The staff dashboard (issue 19): a year's calls with their applications, decisions, success
rate and funded amount against the envelope; by instrument, zone and partner country; the
reviewers' load; the reports owed; each table as CSV; constant queries; denials."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from calls.models import Call
from reviews import services
from tests.factories import PASSWORD, ResearcherFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, assign, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def decided_call(staff, n=2, year=2026):
    """A call of `year` with `n` applications in review: the first funded, the others not."""
    call = ClosedCallFactory(year=year, title_en='=HYPERLINK("http://evil.example")', budget_envelope=Decimal("20000"))
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    reviewer = pool_reviewer(call)
    for index in range(n):
        application = submitted_application(call, amount="8000.00", partner_country="JP" if index % 2 else "BR")
        assign(application, reviewer, due_in_days=-3)
        services.record_decision(
            application, "funded" if index == 0 else "rejected", "8000" if index == 0 else None, staff
        )
    services.release_decisions(call, staff)
    return call


def test_a_year_s_calls_and_their_figures(english):
    staff = StaffFactory()
    decided_call(staff, n=4)
    page = login(staff).get("/en/international/staff/dashboard/?year=2026").content.decode()
    assert "Dashboard of 2026" in page
    calls = page.split('id="calls-heading"')[1].split("</section>")[0]
    # 4 applications, 4 decided, 1 funded: 25 %; 8,000 € of a 20,000 € envelope (40 % used).
    assert "25 %" in calls.replace("&nbsp;", " ") and "8,000" in calls and "40 % used" in calls.replace("&nbsp;", " ")
    countries = page.split('id="countries-heading"')[1].split("</section>")[0]
    assert "Brazil" in countries and "Japan" in countries and "<svg" in countries
    reviewers = page.split('id="reviewers-heading"')[1].split("</section>")[0]
    assert "text-danger" not in reviewers  # decided: the reviews are no longer awaited


def test_each_table_downloads_as_csv_with_cells_no_spreadsheet_runs(english):
    staff = StaffFactory()
    decided_call(staff)
    response = login(staff).get("/en/international/staff/dashboard/?year=2026&export=calls")
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("Call,Applications,Decided,Funded")
    assert "'=HYPERLINK" in body  # neutralised: shown, never run
    french = (
        login(staff).get("/fr/international/staff/dashboard/?year=2026&export=countries").content.decode("utf-8-sig")
    )
    assert french.splitlines()[0].startswith("Pays;Candidatures")
    assert login(staff).get("/en/international/staff/dashboard/?export=nope").status_code == 404


def test_the_dashboard_costs_the_same_queries_with_one_call_or_ten(english):
    staff = StaffFactory()
    client = login(staff)
    decided_call(staff, n=1)
    client.get("/en/international/staff/dashboard/?year=2026")
    with CaptureQueriesContext(connection) as one:
        client.get("/en/international/staff/dashboard/?year=2026")
    for _ in range(9):
        decided_call(staff, n=3)
    with CaptureQueriesContext(connection) as ten:
        page = client.get("/en/international/staff/dashboard/?year=2026").content.decode()
    assert page.count("HYPERLINK") >= 10
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_who_may_not_see_the_dashboard_does_not():
    address = "/en/international/staff/dashboard/"
    assert Client().get(address).status_code == 302  # to the login page
    assert login(ResearcherFactory()).get(address).status_code == 404
    refused = login(StaffFactory(is_superuser=False)).get(address)
    assert refused.status_code == 403
