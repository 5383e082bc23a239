"""Bids and conflicts before routing (issue 18): the reviewers who accepted a closed call bid on its
admissible applications or declare conflicts; routing follows the bids, never the conflicts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from reviews import services
from reviews.models import Bid, ConflictOfInterest, ReviewerInvitation
from tests.factories import PASSWORD, ReviewerFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, ReviewerProfileFactory, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def bids_url(call, lang="en"):
    return f"/{lang}/reviews/calls/{call.pk}/bids/"


# --- What a reviewer sees ---------------------------------------------------------------------------


def test_a_reviewer_sees_the_admissible_applications_of_the_closed_call_and_nothing_more(call):
    reviewer = pool_reviewer(call)
    admissible = submitted_application(call, partner_country="JP")
    unscreened = submitted_application(call, screened=False)
    conflicted = submitted_application(call)
    ConflictOfInterest.objects.create(reviewer=reviewer, application=conflicted, reason="My former student.")
    elsewhere = submitted_application(ClosedCallFactory())
    page = login(reviewer).get(bids_url(call))
    text = page.content.decode()
    assert page.status_code == 200
    assert admissible.reference in text and admissible.abstract in text and "Japan" in text
    assert admissible.applicant.researcher_profile.unit_code in text
    for hidden in (unscreened, elsewhere):
        assert hidden.reference not in text
    # A declared conflict is listed apart, never with a bid form.
    assert f'data-application="{conflicted.pk}"' not in text
    assert "Conflicts of interest you declared" in text and conflicted.reference in text
    assert "/attachments/" not in text


def test_a_reviewer_who_did_not_accept_the_call_gets_404(call):
    submitted_application(call)
    invited = ReviewerProfileFactory().user
    ReviewerInvitation.objects.create(call=call, reviewer=invited, status=ReviewerInvitation.Status.DECLINED)
    for user in (invited, ReviewerFactory(), StaffFactory()):
        assert login(user).get(bids_url(call)).status_code == 404
    assert Client().get(bids_url(call)).status_code == 302


@translation.override("en")
def test_bidding_ends_when_the_applications_are_with_their_reviewers(call):
    reviewer = pool_reviewer(call)
    application = submitted_application(call)
    call.status = call.Status.IN_REVIEW
    call.save(update_fields=["status"])
    page = login(reviewer).get(bids_url(call)).content.decode()
    assert "Bidding is over" in page and "data-bid-form" not in page
    with pytest.raises(services.ReviewError, match="Bidding is over"):
        services.save_bid(reviewer, application, Bid.Kind.EAGER)


# --- Saving a bid -------------------------------------------------------------------------------------


def test_a_bid_is_saved_without_javascript_and_the_page_keeps_its_filters(call):
    reviewer = pool_reviewer(call)
    application = submitted_application(call)
    back = bids_url(call) + "?state=none&q=Project"
    response = login(reviewer).post(bids_url(call), {"application": application.pk, "kind": "eager", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    assert Bid.objects.get(reviewer=reviewer, application=application).kind == Bid.Kind.EAGER


def test_a_bid_is_saved_by_the_page_s_script_and_answered_in_json(call):
    reviewer = pool_reviewer(call)
    application = submitted_application(call)
    client = login(reviewer)
    headers = {"X-Requested-With": "fetch"}
    ok = client.post(bids_url(call), {"application": application.pk, "kind": "not_willing"}, headers=headers)
    assert ok.status_code == 200 and ok.json() == {
        "saved": True,
        "kind": "not_willing",
        "message": "Saved: Not willing to review it.",
    }
    refused = client.post(bids_url(call), {"application": application.pk, "kind": "keen"}, headers=headers)
    assert refused.status_code == 400 and not refused.json()["saved"]
    assert "Choose eager, willing" in refused.json()["error"]
    assert Bid.objects.get().kind == Bid.Kind.NOT_WILLING


def test_a_bid_on_an_application_of_another_call_or_not_admissible_is_refused(call):
    reviewer = pool_reviewer(call)
    other_call_application = submitted_application(ClosedCallFactory())
    unscreened = submitted_application(call, screened=False)
    client = login(reviewer)
    assert client.post(bids_url(call), {"application": other_call_application.pk, "kind": "eager"}).status_code == 404
    response = client.post(
        bids_url(call), {"application": unscreened.pk, "kind": "eager"}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 400
    assert not Bid.objects.exists()


class TestWhateverIsPosted(HypothesisTestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(kind=st.one_of(st.sampled_from(Bid.Kind.values), st.text(max_size=40)))
    def test_one_valid_bid_or_nothing(self, kind):
        call = ClosedCallFactory()
        reviewer = pool_reviewer(call)
        application = submitted_application(call)
        response = login(reviewer).post(
            bids_url(call), {"application": application.pk, "kind": kind}, headers={"X-Requested-With": "fetch"}
        )
        bids = list(Bid.objects.filter(reviewer=reviewer))
        if kind in Bid.Kind.values:
            assert response.status_code == 200 and [b.kind for b in bids] == [kind]
        else:
            assert response.status_code == 400 and bids == []


# --- Conflicts declared -------------------------------------------------------------------------------


def test_a_declared_conflict_drops_the_bid_and_keeps_the_application_away(call, staff):
    reviewer = pool_reviewer(call, max_load_per_call=5)
    other = pool_reviewer(call, max_load_per_call=5)
    application = submitted_application(call)
    services.save_bid(reviewer, application, Bid.Kind.EAGER)
    url = f"/en/reviews/calls/{call.pk}/bids/{application.pk}/conflict/"
    response = login(reviewer).post(url, {"kind": "collaborator", "reason": "We published together last year."})
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get(reviewer=reviewer, application=application)
    assert (
        conflict.source == ConflictOfInterest.Source.REVIEWER and conflict.reason == "We published together last year."
    )
    assert not Bid.objects.exists()
    assert login(reviewer).get(url).status_code == 404
    proposal = services.launch_routing(call, staff, reviewers_per_application=1)
    assert list(proposal.pairs.values_list("reviewer_id", flat=True)) == [other.pk]


def test_a_conflict_without_a_reason_comes_back_filled_with_the_error(call):
    reviewer = pool_reviewer(call)
    application = submitted_application(call)
    page = login(reviewer).post(
        f"/fr/reviews/calls/{call.pk}/bids/{application.pk}/conflict/", {"kind": "personal", "reason": ""}
    )
    assert page.status_code == 200
    assert 'value="personal" selected' in page.content.decode()
    assert not ConflictOfInterest.objects.exists()


# --- Routing follows the bids -------------------------------------------------------------------------


def test_routing_gives_each_application_to_the_reviewer_eager_for_it(call, staff):
    first, second = submitted_application(call), submitted_application(call)
    alice = pool_reviewer(call, max_load_per_call=1)
    bob = pool_reviewer(call, max_load_per_call=1)
    services.save_bid(alice, second, Bid.Kind.EAGER)
    services.save_bid(bob, first, Bid.Kind.EAGER)
    proposal = services.launch_routing(call, staff, reviewers_per_application=1)
    assert set(proposal.pairs.values_list("application_id", "reviewer_id")) == {
        (second.pk, alice.pk),
        (first.pk, bob.pk),
    }


def test_not_willing_is_kept_only_when_nobody_else_can_take_it(call, staff):
    application = submitted_application(call)
    unwilling = pool_reviewer(call, max_load_per_call=2)
    services.save_bid(unwilling, application, Bid.Kind.NOT_WILLING)
    willing = pool_reviewer(call, max_load_per_call=2)
    one = services.launch_routing(call, staff, reviewers_per_application=1)
    assert list(one.pairs.values_list("reviewer_id", flat=True)) == [willing.pk]
    services.discard_routing(one, staff)
    both = services.launch_routing(call, staff, reviewers_per_application=2)
    assert set(both.pairs.values_list("reviewer_id", flat=True)) == {willing.pk, unwilling.pk}


# --- Staff's view and the pages' cost ----------------------------------------------------------------


def test_staff_see_the_coverage_of_the_bids_fewest_eager_first(call, staff):
    covered, uncovered = submitted_application(call), submitted_application(call)
    for kind in (Bid.Kind.EAGER, Bid.Kind.EAGER, Bid.Kind.NOT_WILLING):
        services.save_bid(pool_reviewer(call), covered, kind)
    text = login(staff).get(f"/en/reviews/staff/calls/{call.pk}/bids/").content.decode()
    assert text.index(uncovered.reference) < text.index(covered.reference)
    assert "3 reviewers accepted to review this call" in text


def test_the_bidding_page_costs_the_same_queries_with_one_or_twenty_applications(call, settings):
    settings.PAGE_CACHE = False  # the queries of a rendered page (a cached one costs fewer)
    reviewer = pool_reviewer(call)
    client = login(reviewer)
    submitted_application(call)
    client.get(bids_url(call))
    with CaptureQueriesContext(connection) as one:
        client.get(bids_url(call))
    for index in range(19):
        application = submitted_application(call, partner_country="BR" if index % 2 else "JP")
        if index % 3 == 0:
            services.save_bid(reviewer, application, Bid.Kind.WILLING)
    with CaptureQueriesContext(connection) as twenty:
        page = client.get(bids_url(call))
    assert page.content.decode().count("data-bid-form") == 20
    assert len(twenty) == len(one)
