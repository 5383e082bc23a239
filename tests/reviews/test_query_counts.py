"""Every staff page of reviews costs the same number of queries with 1 row as with 50.

A page's rows are what it lists: calls, a call's applications, invitations and proposals, a
proposal's pairs and reviewers, the ranked applications, the held letters, an application's
partner teams. Each builder adds `n` rows to the same page; a staff route without a builder fails.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver
from django.utils import timezone

from applications.models import Application
from calls.models import ReviewCriterion
from reviews import services
from reviews.models import Bid, Dossier, ProposedAssignment, RoutingProposal
from reviews.views import StaffRequiredMixin
from tests.applications.factories import PartnerFactory

from .factories import ClosedCallFactory, ReviewerProfileFactory, assign, pool_reviewer, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


def _reviewed(call, n):
    """`n` applications of `call`, each with one submitted and one draft review."""
    criteria = list(ReviewCriterion.objects.filter(call=call).order_by("position"))
    for _ in range(n):
        application = submitted_application(call)
        for submit in (True, False):
            reviewer = ReviewerProfileFactory(institution="").user
            assignment = assign(application, reviewer)
            scores = {c.pk: (4, "Sound.") for c in criteria} if submit else {}
            services.save_review(assignment, reviewer, scores=scores, recommendation="support", submit=submit)


def staff_calls(page, n):
    for _ in range(n):
        ClosedCallFactory()
    return ()


def staff_call(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    staff = page["staff"]
    for index in range(n):
        application = submitted_application(call)
        reviewer = pool_reviewer(call)
        assign(application, reviewer)
        RoutingProposal.objects.create(
            call=call,
            application=application if index % 2 else None,
            due_date=timezone.localdate() + timedelta(days=20),
            created_by=staff,
        )
    return (call.pk,)


def _proposal(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    proposal = page.setdefault(
        "proposal",
        RoutingProposal.objects.create(
            call=call,
            status=RoutingProposal.Status.DRAFT,
            due_date=timezone.localdate() + timedelta(days=20),
            created_by=page["staff"],
        ),
    )
    for _ in range(n):
        application = submitted_application(call)
        for _reviewer in range(2):
            ProposedAssignment.objects.create(
                proposal=proposal, application=application, reviewer=pool_reviewer(call), affinity=0.5
            )
    return (proposal.pk,)


def ranked(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    _reviewed(call, n)
    return (call.pk,)


def release_letters(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    for index in range(n):
        application = submitted_application(call, status=Application.Status.IN_REVIEW)
        outcome, amount = ("funded", "8000") if index % 2 else ("rejected", None)
        services.record_decision(application, outcome, amount, page["staff"])
    return (call.pk,)


def decide(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    application = page.setdefault("application", submitted_application(call, status=Application.Status.IN_REVIEW))
    for index in range(n):
        PartnerFactory(application=application, country="JP" if index % 2 else "BR", email=f"p{index}@x.example")
    if "decided" not in page:
        services.record_decision(application, "funded", Decimal("5000"), page["staff"])
        page["decided"] = True
    return (application.pk,)


def screening(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    for index in range(n):
        application = submitted_application(call, screened=bool(index % 2))
        PartnerFactory(application=application, email=f"second{application.pk}@x.example")
    return (call.pk,)


def screen_application(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    application = page.setdefault("application", submitted_application(call, screened=False))
    for index in range(n):
        PartnerFactory(application=application, country="JP" if index % 2 else "BR", email=f"s{index}@x.example")
    return (application.pk,)


def staff_bids(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    for _ in range(n):
        application = submitted_application(call)
        reviewer = pool_reviewer(call)
        Bid.objects.create(application=application, reviewer=reviewer, kind=Bid.Kind.EAGER)
    return (call.pk,)


def staff_discussion(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    application = page.setdefault("application", submitted_application(call, status=Application.Status.IN_REVIEW))
    criteria = list(ReviewCriterion.objects.filter(call=call).order_by("position"))
    for index in range(n):
        reviewer = ReviewerProfileFactory(institution="").user
        assignment = assign(application, reviewer)
        scores = {c.pk: (4, "Sound.") for c in criteria}
        services.save_review(assignment, reviewer, scores=scores, recommendation="support", submit=True)
        services.post_message(application, reviewer, f"Message {index}")
        if index % 2 == 0:  # asked to reconsider: an earlier version kept, the review open again
            services.ask_to_reconsider(assignment.review, page["staff"], f"Reconsider {index}")
    return (application.pk,)


def dossiers(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    for _ in range(n):
        Dossier.objects.create(call=call, application=submitted_application(call), requested_by=page["staff"])
    return (call.pk,)


def one_dossier(page, n):
    call = page.setdefault("call", ClosedCallFactory())
    dossier = page.setdefault("dossier", Dossier.objects.create(call=call, requested_by=page["staff"]))
    return (dossier.pk,)


def ready_dossier(page, n):
    from django.core.files.base import ContentFile

    call = page.setdefault("call", ClosedCallFactory())
    if "dossier" not in page:
        dossier = Dossier(call=call, requested_by=page["staff"], status=Dossier.Status.READY, progress=100)
        dossier.file.save("dossier.pdf", ContentFile(b"%PDF-1.4 a dossier"), save=True)
        page["dossier"] = dossier
    return (page["dossier"].pk,)


BUILDERS = {
    "staff_calls": staff_calls,
    "staff_call": staff_call,
    "staff_proposal": _proposal,
    "proposal_progress": _proposal,
    "ranking": ranked,
    "meeting": ranked,
    "export_csv": ranked,
    "export_xlsx": ranked,
    "release_letters": release_letters,
    "decide": decide,
    "screening": screening,
    "screen_application": screen_application,
    "staff_bids": staff_bids,
    "staff_discussion": staff_discussion,
    "dossiers": dossiers,
    "dossier": one_dossier,
    "dossier_progress": one_dossier,
    "dossier_download": ready_dossier,
}

STAFF_ROUTES = sorted(
    pattern.name
    for pattern in get_resolver().namespace_dict["reviews"][1].url_patterns
    if isinstance(pattern, URLPattern) and issubclass(pattern.callback.view_class, StaffRequiredMixin)
)
#: Pages about one record, whatever the rows behind it: the proposal's progress (JSON) and the
#: decision form (its ceiling reads every partner team's country; the teams are not listed).
ONE_RECORD = {"decide", "proposal_progress", "dossier", "dossier_progress", "dossier_download"}


def test_every_staff_page_has_a_builder():
    assert STAFF_ROUTES == sorted(BUILDERS)


def _queries(client, address):
    client.get(address)  # the session and content types' caches, as for any later request
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return queries, response


@pytest.mark.parametrize("name", STAFF_ROUTES)
def test_staff_page_costs_the_same_queries_with_1_and_50_rows(name, client, staff):
    page = {"staff": staff}
    client.force_login(staff)
    address = url(name, *BUILDERS[name](page, 1))
    one, first = _queries(client, address)
    assert url(name, *BUILDERS[name](page, 49)) == address
    fifty, last = _queries(client, address)
    if name not in ONE_RECORD:
        assert len(last.content) > len(first.content), "the 49 rows added must show on the page"
    assert len(fifty.captured_queries) == len(one.captured_queries), "\n".join(
        query["sql"] for query in fifty.captured_queries
    )
