"""Races on PostgreSQL, with real threads and real transactions: no lost update, no duplicate."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from accounts.models import AuditEvent
from applications import services as application_services
from applications.actions import ApplicationAction
from applications.models import Application, ReferenceCounter
from calls.models import Call
from notifications.models import Notification
from reviews import services
from reviews.actions import ReviewAction
from reviews.models import CriterionScore, Decision, Review
from tests.applications.factories import complete_application
from tests.factories import CallFactory, StaffFactory
from tests.reviews.factories import ClosedCallFactory, assign, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db(transaction=True)


def race(*jobs):
    """Run the jobs in threads released together; return each one's result or exception."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # refusals are read in English below
                results[index] = job()
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def test_two_submits_of_the_same_application_at_once_make_one_submission():
    application = complete_application()
    applicant = application.applicant
    results = race(*[lambda: application_services.submit_application(application, applicant)] * 2)
    assert all(isinstance(result, Application) for result in results), results
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert {result.reference for result in results} == {application.reference}
    assert ReferenceCounter.objects.get().last_number == 1
    assert Notification.objects.filter(kind="application.receipt", recipient=applicant).count() == 1
    assert AuditEvent.objects.filter(action=ApplicationAction.SUBMITTED).count() == 1


def test_applications_submitted_at_the_same_instant_get_distinct_references():
    call = CallFactory()
    applications = [complete_application(call=call) for _ in range(4)]
    results = race(*[lambda a=a: application_services.submit_application(a, a.applicant) for a in applications])
    references = [result.reference for result in results]
    assert sorted(references) == [f"TREMPLIN-{call.year}-{n:04d}" for n in range(1, 5)]


@pytest.fixture
def in_review():
    call = ClosedCallFactory()
    application = submitted_application(call)
    reviewer = pool_reviewer(call, institution="")
    assignment = assign(application, reviewer)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.IN_REVIEW)
    application.refresh_from_db()
    return application, assignment


def test_two_staff_deciding_the_same_application_at_once_leave_one_decision_and_one_letter(in_review):
    application, _assignment = in_review
    first, second = StaffFactory(), StaffFactory()
    results = race(
        lambda: services.record_decision(application, "funded", Decimal("7000"), first),
        lambda: services.record_decision(application, "rejected", None, second),
    )
    assert all(isinstance(result, Decision) for result in results), results
    decision = Decision.objects.get(application=application)
    letters = Notification.objects.filter(kind="decision.letter").exclude(status=Notification.Status.CANCELLED)
    assert letters.count() == 1
    assert letters.get().context["outcome"] == decision.outcome
    assert letters.get().object_id == decision.pk
    # Both decisions are in the trail, in the order they were made; the last one stands.
    trail = list(AuditEvent.objects.filter(action=ReviewAction.DECISION_RECORDED).order_by("at", "id"))
    assert len(trail) == 2
    assert {event.actor_id for event in trail} == {first.pk, second.pk}
    assert trail[-1].changes["outcome"] == decision.outcome
    assert trail[-1].changes["previous"]["outcome"] == trail[0].changes["outcome"]
    assert decision.decided_by_id == trail[-1].actor_id


def test_a_reviewer_saving_from_two_tabs_keeps_one_review_with_one_tab_s_scores(in_review):
    _application, assignment = in_review
    reviewer = assignment.reviewer
    criteria = list(assignment.call.criteria.order_by("position"))

    def save(score, comment):
        return services.save_review(
            assignment,
            reviewer,
            scores={c.pk: (score, f"{comment} on {c.pk}") for c in criteria},
            recommendation="support",
            general_comment=comment,
        )

    results = race(lambda: save(2, "tab one"), lambda: save(5, "tab two"))
    assert all(isinstance(result, Review) for result in results), results
    review = Review.objects.get(assignment=assignment)
    scores = list(CriterionScore.objects.filter(review=review))
    assert len(scores) == len(criteria)
    # Not a mix of the two tabs: every score and comment comes from the tab that saved last.
    tab = {2: "tab one", 5: "tab two"}[scores[0].score]
    assert {(s.score, s.comment) for s in scores} == {
        ({"tab one": 2, "tab two": 5}[tab], f"{tab} on {c.pk}") for c in criteria
    }
    assert review.general_comment == tab


def test_a_draft_saved_in_another_tab_never_undoes_a_submitted_review(in_review):
    _application, assignment = in_review
    reviewer = assignment.reviewer
    criteria = list(assignment.call.criteria.all())
    submitted_scores = {c.pk: (4, "final") for c in criteria}
    results = race(
        lambda: services.save_review(
            assignment, reviewer, scores=submitted_scores, recommendation="support", submit=True
        ),
        lambda: services.save_review(assignment, reviewer, scores={c.pk: (1, "old tab") for c in criteria}),
    )
    review = Review.objects.get(assignment=assignment)
    assert review.status == Review.Status.SUBMITTED
    assert {(s.score, s.comment) for s in review.scores.all()} == {(4, "final")}
    refused = [r for r in results if isinstance(r, Exception)]
    assert all("submitted" in str(error) for error in refused)
