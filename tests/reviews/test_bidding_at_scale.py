"""The bidding pages with 500 admissible applications (issue 18): a reviewer pages, searches and
filters them, and saves a bid on the last page with or without JavaScript; staff page through the
bids' coverage. Every page costs the queries it costs with one application."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from applications.models import Application, PartnerTeam
from reviews.models import Bid, Screening
from tests.reviews.factories import pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db

MANY = 500
PER_PAGE = 25  # BiddingView.paginate_by
EAGER_ALREADY = 30  # applications the reviewer is eager for before the test's own bid
NEEDLE = 417  # the one application whose title says "zebrafish"


def bids_url(call):
    return f"/en/reviews/calls/{call.pk}/bids/"


def _five_hundred(call, reviewer):
    """The call's one application (made by the factory) and 499 more made in bulk, admissible,
    each with a partner team; the reviewer is already eager for the last EAGER_ALREADY of them.
    Returns the bulk applications in the page's order (by reference)."""
    template = Application.objects.get(call=call)
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                applicant=template.applicant,
                title="A zebrafish model of ageing" if index == NEEDLE else f"Cohort study {index} in Lyon",
                abstract=template.abstract,
                duration_months=12,
                status=Application.Status.SUBMITTED,
                reference=f"TREMPLIN-{call.year}-{call.pk}-B{index:04d}",
                submitted_at=timezone.now() - timedelta(days=2),
                requested_amount=template.requested_amount,
                eligible=True,
            )
            for index in range(1, MANY)
        ]
    )
    Screening.objects.bulk_create(
        [Screening(application=a, outcome=Screening.Outcome.ADMISSIBLE) for a in applications]
    )
    PartnerTeam.objects.bulk_create(
        [
            PartnerTeam(
                application=a,
                institution="Universidade de São Paulo",
                city="São Paulo",
                country="BR",
                team_leader="Dr Silva",
                email=f"silva{a.pk}@partner.example",
            )
            for a in applications
        ]
    )
    Bid.objects.bulk_create(
        [Bid(application=a, reviewer=reviewer, kind=Bid.Kind.EAGER) for a in applications[-EAGER_ALREADY:]]
    )
    return applications


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def shown(page):
    """The applications a page lists, in order."""
    return [int(pk) for pk in re.findall(r'data-application="(\d+)"', page)]


def csrf_token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def back_field(page, application):
    """The `back` the row's bid form carries: the page it was shown on."""
    form = page[page.index(f'name="application" value="{application.pk}"') :]
    return re.search(r'name="back" value="([^"]+)"', form).group(1).replace("&amp;", "&")


def test_a_reviewer_pages_searches_and_filters_five_hundred_applications_at_a_constant_cost(call, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    reviewer = pool_reviewer(call)
    submitted_application(call)
    client = Client()
    client.force_login(reviewer)
    client.get(bids_url(call))
    one, _page = queries(client, bids_url(call))

    applications = _five_hundred(call, reviewer)
    first, page = queries(client, bids_url(call))
    assert first == one
    assert page.count("data-bid-form") == PER_PAGE
    assert f"Applications 1 to {PER_PAGE} of {MANY}." in page
    assert f"You bid on {EAGER_ALREADY} of {MANY} applications." in page

    # The pager reaches the last page in one click from the first (its number is a link).
    last_page = MANY // PER_PAGE
    assert f'href="?page={last_page}">{last_page}</a>' in page

    # The "Next" links lead, page after page, to the last one, which has no "Next".
    pages, url = 1, bids_url(call)
    while 'aria-label="Pages of the applications"' in page and ">Next<" in page:
        url = bids_url(call) + re.search(r'href="(\?[^"]*)">Next<', page).group(1).replace("&amp;", "&")
        page = client.get(url).content.decode()
        pages += 1
    assert pages == MANY // PER_PAGE and url.endswith(f"?page={pages}")
    assert shown(page) == [a.pk for a in applications[-PER_PAGE:]]
    assert f"Applications {MANY - PER_PAGE + 1} to {MANY} of {MANY}." in page
    last, _page = queries(client, url)
    assert last == one

    # One word of one title finds that application alone among the 500.
    found, page = queries(client, bids_url(call) + "?q=ZEBRAFISH")
    assert shown(page) == [applications[NEEDLE - 1].pk] and found == one
    assert "Applications 1 to" not in page  # one page: no paginator

    # The bid filter narrows: those already bid on, those not yet.
    eager, page = queries(client, bids_url(call) + "?state=eager")
    assert eager == one
    assert f"Applications 1 to {PER_PAGE} of {EAGER_ALREADY}." in page
    page = client.get(bids_url(call) + "?state=eager&page=2").content.decode()
    assert shown(page) == [a.pk for a in applications[-(EAGER_ALREADY - PER_PAGE) :]]
    page = client.get(bids_url(call) + "?state=none&q=Cohort").content.decode()
    # Neither the factory's "Project", nor the zebrafish, nor those already bid on.
    assert f"Applications 1 to {PER_PAGE} of {MANY - 2 - EAGER_ALREADY}." in page


def test_a_bid_on_the_last_page_is_saved_with_or_without_javascript_and_the_page_is_kept(call):
    reviewer = pool_reviewer(call)
    submitted_application(call)
    applications = _five_hundred(call, reviewer)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    not_yet = MANY - 2 - EAGER_ALREADY  # titled "Cohort ...", not bid on yet
    last = -(-not_yet // PER_PAGE)
    listing = f"{bids_url(call)}?state=none&q=cohort&page={last}"
    page = client.get(listing).content.decode()
    target = applications[-EAGER_ALREADY - 1]  # the last one not bid on yet
    assert shown(page)[-1] == target.pk
    back = back_field(page, target)
    assert back == listing

    # Without JavaScript: the row's "Save" button posts the form; the page comes back as it was.
    response = client.post(
        bids_url(call),
        {"csrfmiddlewaretoken": csrf_token(page), "application": target.pk, "back": back, "kind": "willing"},
    )
    assert response.status_code == 302 and response["Location"] == listing
    assert Bid.objects.get(reviewer=reviewer, application=target).kind == Bid.Kind.WILLING
    again = client.get(response["Location"]).content.decode()
    assert f"{target.reference} — Saved: Willing to review it." in again
    assert target.pk not in shown(again)  # bid on now, it leaves the "not bid on yet" filter

    # With JavaScript: static/js/bids.js posts the same form with fetch and reads a JSON answer.
    row = MANY - EAGER_ALREADY  # its place among all 500, the factory's one first
    page = client.get(bids_url(call) + f"?page={-(-row // PER_PAGE)}").content.decode()
    token = csrf_token(page)
    response = client.post(
        bids_url(call),
        {"csrfmiddlewaretoken": token, "application": target.pk, "back": back_field(page, target), "kind": "eager"},
        headers={"X-CSRFToken": token, "X-Requested-With": "fetch"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == {"saved": True, "kind": "eager", "message": "Saved: Eager to review it."}
    assert Bid.objects.get(reviewer=reviewer, application=target).kind == Bid.Kind.EAGER
    assert Bid.objects.filter(reviewer=reviewer).count() == EAGER_ALREADY + 1


def test_staff_page_through_the_coverage_of_five_hundred_applications_at_a_constant_cost(call, staff):
    reviewer = pool_reviewer(call)
    submitted_application(call)
    client = Client()
    client.force_login(staff)
    url = f"/en/reviews/staff/calls/{call.pk}/bids/"
    client.get(url)
    one, _page = queries(client, url)

    applications = _five_hundred(call, reviewer)
    first, page = queries(client, url)
    assert first == one
    assert f"{MANY} admissible applications" in page
    rows = page.count('<th scope="row"')
    assert rows == 50 and ">Next<" in page
    last_page = -(-MANY // rows)
    last, page = queries(client, f"{url}?page={last_page}")
    assert last == one and ">Next<" not in page and page.count('<th scope="row"') == MANY - rows * (last_page - 1)
    # Fewest eager first: the applications someone is eager for close the list.
    for eager in applications[-EAGER_ALREADY:]:
        assert eager.reference in page
