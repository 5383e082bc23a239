"""A reviewer's personal data: what the download holds about them, and what an erasure deletes and
keeps (reviews of decided applications are grant records, as decided applications are)."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts import personal_data
from accounts.models import ErasureRequest
from applications.models import Application
from calls.models import ReviewCriterion
from reviews import services
from reviews.models import (
    Bid,
    ConflictOfInterest,
    CriterionScore,
    Decision,
    ProposedAssignment,
    Review,
    ReviewAssignment,
    ReviewerInvitation,
    ReviewerProfile,
    RoutingProposal,
)

from .factories import ExpertiseTermFactory, ReviewerProfileFactory, assign, pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db

DOWNLOAD = "/en/accounts/my-data/download.json"


def write_review(assignment, scores, comment, status=Review.Status.SUBMITTED):
    review = Review.objects.create(
        assignment=assignment,
        status=status,
        recommendation="support",
        general_comment=comment,
        submitted_at=timezone.now() if status == Review.Status.SUBMITTED else None,
    )
    criteria = ReviewCriterion.objects.filter(call=assignment.call).order_by("position")
    for criterion, score in zip(criteria, scores, strict=True):
        CriterionScore.objects.create(
            review=review, criterion=criterion, score=score, comment=f"On {criterion.name_en}"
        )
    return review


@pytest.fixture
def reviewer_data(call):
    """A reviewer of `call` with a profile, an accepted invitation, a submitted review of a decided
    application, a recused assignment (draft review) of an application still in review, a conflict
    on each kind of application and a pair in a draft routing proposal; a colleague's review beside."""
    reviewer = pool_reviewer(
        call,
        institution="Karolinska Institutet",
        country="SE",
        unit_code="U1234",
        free_keywords="ageing",
        expertise=[ExpertiseTermFactory(name_en="Neuro-immunology", name_fr="Neuro-immunologie")],
    )
    decided = submitted_application(call, status=Application.Status.DECIDED)
    kept = assign(decided, reviewer)
    write_review(kept, [4, 2], "Convincing partnership.")
    in_review = submitted_application(call)
    recused = assign(in_review, reviewer)
    write_review(recused, [3, None], "Unfinished draft.", status=Review.Status.DRAFT)
    ReviewAssignment.objects.filter(pk=recused.pk).update(
        status=ReviewAssignment.Status.RECUSED, ended_at=timezone.now(), end_reason="I know the partner."
    )
    conflicted_decided = submitted_application(call, status=Application.Status.DECIDED)
    ConflictOfInterest.objects.create(
        reviewer=reviewer, application=conflicted_decided, kind="collaborator", reason="Co-author in 2024."
    )
    ConflictOfInterest.objects.create(
        reviewer=reviewer, application=in_review, kind="declared", source="reviewer", reason="I know the partner."
    )
    Bid.objects.create(application=submitted_application(call), reviewer=reviewer, kind=Bid.Kind.EAGER)
    proposal = RoutingProposal.objects.create(
        call=call, status=RoutingProposal.Status.DRAFT, due_date=timezone.localdate() + timedelta(days=20)
    )
    proposed = submitted_application(call)
    ProposedAssignment.objects.create(proposal=proposal, application=proposed, reviewer=reviewer, affinity=0.75)
    colleague = ReviewerProfileFactory(institution="Institut Pasteur").user
    write_review(assign(decided, colleague), [1, 1], "COLLEAGUE-COMMENT")
    return {
        "reviewer": reviewer,
        "colleague": colleague,
        "decided": decided,
        "in_review": in_review,
        "conflicted_decided": conflicted_decided,
        "proposed": proposed,
        "kept": kept,
        "recused": recused,
    }


def download(user):
    client = Client()
    client.force_login(user)
    response = client.get(DOWNLOAD)
    assert response.status_code == 200
    return json.loads(response.content), response.content.decode()


def test_the_download_holds_the_reviewer_s_profile_invitations_conflicts_routing_and_reviews(call, reviewer_data):
    data, raw = download(reviewer_data["reviewer"])
    reviews = data["reviews"]

    profile = reviews["reviewer_profile"]
    assert profile["expertise"] == ["Neuro-immunology"]
    assert (profile["institution"], profile["country"], profile["unit_code"]) == (
        "Karolinska Institutet",
        "SE",
        "U1234",
    )
    assert (profile["other_keywords"], profile["max_load_per_call"], profile["is_available"]) == ("ageing", 5, True)
    assert [(i["call"], i["status"]) for i in reviews["invitations"]] == [(str(call), "accepted")]
    assert [(c["application"], c["kind"], c["declared_by"], c["reason"]) for c in reviews["conflicts_of_interest"]] == [
        (reviewer_data["conflicted_decided"].reference, "collaborator", "staff", "Co-author in 2024."),
        (reviewer_data["in_review"].reference, "declared", "reviewer", "I know the partner."),
    ]
    assert [(p["application"], p["affinity"], p["proposal_status"]) for p in reviews["routing_proposals"]] == [
        (reviewer_data["proposed"].reference, 0.75, "draft")
    ]

    kept, recused = reviews["assignments"]
    assert (kept["application"], kept["status"]) == (reviewer_data["decided"].reference, "active")
    assert kept["review"]["status"] == "submitted"
    assert (kept["review"]["recommendation"], kept["review"]["general_comment"]) == (
        "support",
        "Convincing partnership.",
    )
    assert [(s["criterion"], s["score"], s["comment"]) for s in kept["review"]["scores"]] == [
        ("Criterion 1", 4, "On Criterion 1"),
        ("Criterion 2", 2, "On Criterion 2"),
    ]
    assert (recused["status"], recused["end_reason"]) == ("recused", "I know the partner.")
    assert [s["score"] for s in recused["review"]["scores"]] == [3, None]

    assert "COLLEAGUE-COMMENT" not in raw
    assert "Institut Pasteur" not in raw
    # Applications appear by reference: a reviewer is not shown what they were never assigned.
    assert reviewer_data["proposed"].title not in raw
    assert reviewer_data["conflicted_decided"].title not in raw


def test_a_researcher_s_download_holds_a_decision_only_once_its_letter_is_released(call):
    released = submitted_application(call, status=Application.Status.DECIDED)
    applicant = released.applicant
    held = submitted_application(call, status=Application.Status.DECIDED)
    Application.objects.filter(pk=held.pk).update(applicant=applicant)
    Decision.objects.create(
        application=released, outcome="funded", amount=Decimal("8000.00"), released_at=timezone.now()
    )
    Decision.objects.create(application=held, outcome="rejected")

    data, raw = download(applicant)

    assert data["reviews"]["decisions_on_my_applications"] == [
        {
            "application": released.reference,
            "outcome": "funded",
            "amount": "8000.00",
            "released_at": data["reviews"]["decisions_on_my_applications"][0]["released_at"],
        }
    ]
    assert "rejected" not in raw
    assert data["reviews"]["reviewer_profile"] is None and data["reviews"]["assignments"] == []


def erase(user, staff):
    return personal_data.erase(personal_data.request_erasure(user), staff)


def test_erasure_deletes_the_profile_invitations_pairs_and_undecided_work_and_keeps_reviews_of_decided_applications(
    reviewer_data, staff
):
    reviewer = reviewer_data["reviewer"]

    erasure = erase(reviewer, staff)

    assert erasure.status == ErasureRequest.Status.DONE
    assert (
        "reviews: 1 reviewer profile, 1 invitation(s), 1 bid(s), 1 routing pair(s), 1 assignment(s) of undecided "
        "applications "
        "with their reviews and 1 conflict(s) of interest deleted; 1 assignment(s) with their reviews and "
        "1 conflict(s) of interest of decided applications kept as grant records." in erasure.outcome
    )
    assert not ReviewerProfile.objects.filter(user=reviewer).exists()
    assert not ReviewerInvitation.objects.filter(reviewer=reviewer).exists()
    assert not Bid.objects.filter(reviewer=reviewer).exists()
    assert not ProposedAssignment.objects.filter(reviewer=reviewer).exists()
    assert not ReviewAssignment.objects.filter(pk=reviewer_data["recused"].pk).exists()
    assert not Review.objects.filter(general_comment="Unfinished draft.").exists()
    assert list(ConflictOfInterest.objects.filter(reviewer=reviewer).values_list("application", flat=True)) == [
        reviewer_data["conflicted_decided"].pk
    ]
    # The review behind a decision stays, scores and all, on the anonymised account.
    kept = ReviewAssignment.objects.get(pk=reviewer_data["kept"].pk)
    assert kept.reviewer == reviewer
    assert kept.review.general_comment == "Convincing partnership."
    assert sorted(kept.review.scores.values_list("score", flat=True)) == [2, 4]
    reviewer.refresh_from_db()
    assert reviewer.email == f"erased-{reviewer.pk}@erased.invalid"
    assert not (reviewer.is_active or reviewer.is_reviewer)
    # The colleague's review of the same application is untouched.
    assert Review.objects.get(assignment__reviewer=reviewer_data["colleague"]).general_comment == "COLLEAGUE-COMMENT"
    assert ReviewerProfile.objects.filter(user=reviewer_data["colleague"]).exists()


def test_erasure_waits_while_the_reviewer_has_an_application_to_review_then_goes_once_staff_end_it(call, staff):
    reviewer = pool_reviewer(call)
    assignment = assign(submitted_application(call), reviewer)
    request = personal_data.request_erasure(reviewer)

    with pytest.raises(personal_data.ErasureError) as refused:
        personal_data.erase(request, staff)

    assert "candidature à évaluer qui n'est pas encore décidée" in str(refused.value)
    request.refresh_from_db()
    assert request.status == ErasureRequest.Status.PENDING
    assert ReviewerProfile.objects.filter(user=reviewer).exists()
    assert ReviewAssignment.objects.get(pk=assignment.pk).status == ReviewAssignment.Status.ACTIVE

    services.remove_assignment(assignment, staff, reason="The reviewer asked for the erasure of their data.")
    erasure = personal_data.erase(request, staff)

    assert erasure.status == ErasureRequest.Status.DONE
    assert not ReviewAssignment.objects.filter(pk=assignment.pk).exists()
    assert not ReviewerProfile.objects.filter(user=reviewer).exists()


def test_the_personal_data_page_tells_a_reviewer_what_is_downloaded_and_erased(call, researcher, english):
    reviewer = pool_reviewer(call)
    client = Client()
    client.force_login(reviewer)
    page = client.get("/en/accounts/my-data/").content.decode()
    assert "your reviews with their scores are in the file too" in page
    assert "Your reviews of decided applications are part of their grant records" in page
    client.force_login(researcher)
    assert "As a reviewer" not in client.get("/en/accounts/my-data/").content.decode()
