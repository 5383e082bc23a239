"""The researcher's dashboard: their applications, status, countdown and next step."""

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from applications import services
from calls.models import Call
from tests.factories import CallFactory

from .factories import ApplicationFactory, ProfileFactory, complete_application

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


class TableRows(HTMLParser):
    """The rows of the page's first table, as {column label: text} (the cells' data-label)."""

    def __init__(self, page):
        super().__init__()
        self.rows, self._label, self._in_body, self._done = [], None, False, False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tbody" and not self._done:
            self._in_body = True
        elif self._in_body and tag == "tr":
            self.rows.append({})
        elif self._in_body and tag in ("td", "th") and "data-label" in attrs:
            self._label = attrs["data-label"]
            self.rows[-1][self._label] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._label = None
        elif tag == "tbody" and self._in_body:
            self._in_body, self._done = False, True

    def handle_data(self, data):
        if self._label is not None:
            row = self.rows[-1]
            row[self._label] = " ".join(f"{row[self._label]} {data}".split())


@time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=PARIS), tick=True)
def test_dashboard_lists_only_my_applications_with_call_status_days_left_and_next_step(client):
    # Dec. 3, 10:00 in Paris: the first call closes in 10 days and 7 hours, the second in 2 days, 6 hours
    # and a half (timeuntil shows its two largest units, rounded down), the third closed on Nov. 30.
    springboards = CallFactory(title_en="Springboards Japan", closes_at=datetime(2026, 12, 13, 17, 0, tzinfo=PARIS))
    mine = complete_application(call=springboards, title="Ageing brains in Kyoto")
    services.submit_application(mine, mine.applicant)
    soon = CallFactory(title_en="Springboards Brazil", closes_at=datetime(2026, 12, 5, 16, 30, tzinfo=PARIS))
    draft = ApplicationFactory(applicant=mine.applicant, title="My second idea", call=soon)
    closed = CallFactory(
        title_en="Springboards autumn",
        status=Call.Status.CLOSED,
        opens_at=datetime(2026, 10, 1, 9, 0, tzinfo=PARIS),
        closes_at=datetime(2026, 11, 30, 12, 0, tzinfo=PARIS),
    )
    late = ApplicationFactory(applicant=mine.applicant, title="Too late", call=closed)
    ApplicationFactory(title="Somebody else's project", call=springboards)
    client.force_login(mine.applicant)

    body = client.get("/en/applications/").content.decode()

    assert TableRows(body).rows == [
        {
            "Application": late.title,
            "Call": "Springboards autumn",
            "Status": "Draft",
            "Deadline": "Nov. 30, 2026, 12:00 closed",
            "Next step": "The call has closed: this draft can no longer be submitted.",
        },
        {
            "Application": draft.title,
            "Call": "Springboards Brazil",
            "Status": "Draft",
            "Deadline": "Dec. 5, 2026, 16:30 2 days, 6 hours left",
            "Next step": "Add at least one partner team.",
        },
        {
            "Application": "Ageing brains in Kyoto TREMPLIN-2026-0001",
            "Call": "Springboards Japan",
            "Status": "Submitted",
            "Deadline": "Dec. 13, 2026, 17:00 1 week, 3 days left",
            "Next step": "Submitted: wait for the review.",
        },
    ]
    assert "Somebody else" not in body


def test_dashboard_costs_the_same_queries_with_1_and_50_applications(client, django_assert_num_queries):
    researcher = ProfileFactory().user
    complete_application(applicant=researcher)
    client.force_login(researcher)
    client.get(reverse("applications:dashboard"))  # warm up the session and content types
    # 7: the applications' 5, the projects' section asking whether the researcher leads any and
    # the applications they contribute to as a co-applicant.
    with django_assert_num_queries(7) as one:
        client.get(reverse("applications:dashboard"))
    for _ in range(49):
        complete_application(applicant=researcher, call=CallFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("applications:dashboard"))
    assert len(response.context["applications"]) == 50


def test_dashboard_offers_the_open_calls(client):
    call = CallFactory(title_en="Springboards now open")
    researcher = ProfileFactory().user
    client.force_login(researcher)
    body = client.get("/en/applications/").content.decode()
    assert "Springboards now open" in body
    assert reverse("applications:start", args=[call.pk]).removeprefix("/fr") in body
