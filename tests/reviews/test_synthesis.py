"""The rapporteur and the synthesis (issue 18): staff name one of the application's reviewers
(proposed: the highest affinity); once the reviews are in, the rapporteur writes the synthesis; the
meeting shows it, and a decision letter quotes it when staff share the call's feedback."""

import pytest
from django.test import Client
from django.utils import translation

from calls.models import ReviewCriterion
from notifications.models import Notification
from reviews import notices, services
from reviews.models import ProposedAssignment, RoutingProposal, Synthesis
from tests.factories import PASSWORD

from .factories import ReviewerProfileFactory, assign, submitted_application

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.login(username=user.email, password=PASSWORD)
    return client


def review(assignment, submit=True):
    criteria = ReviewCriterion.objects.filter(call=assignment.call)
    services.save_review(
        assignment,
        assignment.reviewer,
        scores={c.pk: (4, "Sound.") for c in criteria},
        recommendation="support",
        submit=submit,
    )


def two_reviewers(call, staff):
    """An application with two reviewers, the second of higher affinity in the proposal."""
    application = submitted_application(call)
    proposal = RoutingProposal.objects.create(call=call, created_by=staff, due_date=call.closes_at.date())
    assignments = []
    for affinity in (0.2, 0.9):
        reviewer = ReviewerProfileFactory(institution="").user
        ProposedAssignment.objects.create(
            proposal=proposal, application=application, reviewer=reviewer, affinity=affinity
        )
        assignment = assign(application, reviewer)
        assignment.proposal = proposal
        assignment.save(update_fields=["proposal"])
        assignments.append(assignment)
    return application, assignments


def test_the_highest_affinity_reviewer_is_proposed_and_staff_name_the_rapporteur_at_the_meeting(call, staff):
    application, (low, high) = two_reviewers(call, staff)
    assert services.proposed_rapporteur(application) == high.reviewer
    client = login(staff)
    page = client.get(f"/en/reviews/staff/calls/{call.pk}/meeting/").content.decode()
    assert f'<option value="{high.reviewer.pk}" selected>' in page and "(proposed)" in page
    client.post(
        f"/en/reviews/staff/calls/{call.pk}/meeting/",
        {"action": "rapporteur", "application": application.pk, "rapporteur": low.reviewer.pk},
    )
    assert Synthesis.objects.get(application=application).rapporteur == low.reviewer


@translation.override("en")
def test_only_an_assigned_reviewer_is_named_and_only_the_rapporteur_writes_once_every_review_is_in(call, staff):
    application, (first, second) = two_reviewers(call, staff)
    stranger = ReviewerProfileFactory().user
    with pytest.raises(services.ReviewError, match="one of the application's reviewers"):
        services.name_rapporteur(application, stranger, staff)
    services.name_rapporteur(application, first.reviewer, staff)
    with pytest.raises(services.ReviewError, match="Only the rapporteur"):
        services.write_synthesis(application, second.reviewer, strengths="x")
    review(first)
    with pytest.raises(services.ReviewError, match="1 still missing"):
        services.write_synthesis(application, first.reviewer, strengths="x")
    review(second)
    with pytest.raises(services.ReviewError) as refusal:
        services.write_synthesis(application, first.reviewer, strengths="Strong team.", submit=True)
    assert "weaknesses" in str(refusal.value) and "recommendation" in str(refusal.value)
    synthesis = services.write_synthesis(
        application,
        first.reviewer,
        strengths="Strong team.",
        weaknesses="Thin budget.",
        recommendation="support",
        submit=True,
    )
    assert synthesis.is_submitted
    with pytest.raises(services.ReviewError, match="can no longer change"):
        services.name_rapporteur(application, second.reviewer, staff)


def test_the_rapporteur_writes_on_their_review_page_and_a_refusal_keeps_what_they_typed(call, staff):
    application, (first, second) = two_reviewers(call, staff)
    services.name_rapporteur(application, first.reviewer, staff)
    review(first)
    client = login(first.reviewer)
    page = client.get(f"/en/reviews/applications/{application.pk}/").content.decode()
    assert "Your synthesis as rapporteur" in page and "1 still missing" in page
    assert (
        "Your synthesis as rapporteur"
        not in login(second.reviewer).get(f"/en/reviews/applications/{application.pk}/").content.decode()
    )
    review(second)
    refused = client.post(
        f"/en/reviews/applications/{application.pk}/synthesis/",
        {"synthesis-strengths": "Strong team in Kyoto.", "submit": "1"},
    )
    assert refused.status_code == 200
    assert "Strong team in Kyoto." in refused.content.decode() and "Write the application" in refused.content.decode()
    # One field of each id on the page: the synthesis's recommendation is not the review's.
    assert refused.content.decode().count('id="id_recommendation"') == 1
    assert 'id="id_synthesis-recommendation"' in refused.content.decode()
    done = client.post(
        f"/en/reviews/applications/{application.pk}/synthesis/",
        {
            "synthesis-strengths": "Strong team in Kyoto.",
            "synthesis-weaknesses": "Thin budget.",
            "synthesis-recommendation": "support",
            "submit": "1",
        },
    )
    assert done.status_code == 302
    meeting = login(staff).get(f"/en/reviews/staff/calls/{call.pk}/meeting/").content.decode()
    assert "Strong team in Kyoto." in meeting and "Fund" in meeting


def test_a_letter_quotes_the_synthesis_only_when_the_call_shares_feedback(call, staff):
    application, (first, second) = two_reviewers(call, staff)
    services.name_rapporteur(application, first.reviewer, staff)
    review(first), review(second)
    services.write_synthesis(
        application,
        first.reviewer,
        strengths="Strong team.",
        weaknesses="Thin budget.",
        recommendation="support",
        submit=True,
    )
    services.record_decision(application, "funded", "8000", staff)
    call.feedback_to_applicants = True
    call.save(update_fields=["feedback_to_applicants"])
    services.release_decisions(call, staff)
    letter = Notification.objects.get(kind=notices.DECISION, recipient=application.applicant)
    assert letter.context["synthesis"] == {"strengths": "Strong team.", "weaknesses": "Thin budget."}


def test_assigning_a_reviewer_outside_the_application_is_refused_on_the_page(call, staff):
    application, _ = two_reviewers(call, staff)
    stranger = ReviewerProfileFactory().user
    login(staff).post(
        f"/en/reviews/staff/calls/{call.pk}/meeting/",
        {"action": "rapporteur", "application": application.pk, "rapporteur": stranger.pk},
    )
    assert not Synthesis.objects.exists()
