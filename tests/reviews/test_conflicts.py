"""Conflicts of interest: computed (unit, partner institution, applicant, partner team leader) and
declared; a conflicted reviewer is never assigned, shown or allowed to score."""

import numpy as np
import pytest
from django.utils import translation

from applications.models import Application
from reviews import routing_adapter, services
from reviews.models import ConflictOfInterest, ReviewAssignment
from reviews.selectors import explain_conflicts, has_conflict
from tests.applications.factories import ProfileFactory

from .factories import ReviewerProfileFactory, assign, pool_reviewer, submitted_application


@pytest.fixture(autouse=True)
def english():
    """The reasons below are read in English (the portal's default language is French)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


def adapter_says_conflicted(application, reviewer):
    pairs = routing_adapter.conflict_pairs([application], [reviewer])
    return bool(len(pairs)) and np.array_equal(pairs, np.array([[0, 0]]))


def test_reviewer_of_the_applicants_unit_is_conflicted(call):
    application = submitted_application(call, unit_code="U1234")
    reviewer = ReviewerProfileFactory(unit_code="u1234").user
    assert has_conflict(reviewer, application)
    assert adapter_says_conflicted(application, reviewer)
    assert "Same unit" in explain_conflicts(reviewer, application)


def test_reviewer_of_another_unit_is_not_conflicted(call):
    application = submitted_application(call, unit_code="U1234")
    reviewer = ReviewerProfileFactory(unit_code="U9999").user
    assert not has_conflict(reviewer, application)
    assert not adapter_says_conflicted(application, reviewer)


def test_reviewer_of_a_partner_institution_is_conflicted_whatever_the_case_and_spaces(call):
    application = submitted_application(call, partner_institution="University of  Tokyo")
    reviewer = ReviewerProfileFactory(institution="university OF tokyo").user
    assert has_conflict(reviewer, application)
    assert adapter_says_conflicted(application, reviewer)
    assert "Partner institution" in explain_conflicts(reviewer, application)


def test_reviewer_who_is_a_partner_team_leader_is_conflicted(call):
    application = submitted_application(call, partner_email="Sato@U-Tokyo.example")
    reviewer = ReviewerProfileFactory(user__email="sato@u-tokyo.example", institution="Elsewhere").user
    assert has_conflict(reviewer, application)
    assert adapter_says_conflicted(application, reviewer)
    assert "Collaborator" in explain_conflicts(reviewer, application)


def test_reviewer_who_is_the_applicant_is_conflicted(call):
    application = submitted_application(call)
    application.applicant.is_reviewer = True
    application.applicant.save()
    ReviewerProfileFactory(user=application.applicant, institution="")
    assert has_conflict(application.applicant, application)
    assert adapter_says_conflicted(application, application.applicant)


def test_declared_conflict_by_the_reviewer_or_staff_is_a_conflict(call, staff):
    application = submitted_application(call)
    by_reviewer = ReviewerProfileFactory(institution="").user
    by_staff = ReviewerProfileFactory(institution="").user
    services.declare_conflict(by_reviewer, application, "personal", "My cousin", by_reviewer)
    services.declare_conflict(by_staff, application, "other", "Reported", staff)
    assert has_conflict(by_reviewer, application) and has_conflict(by_staff, application)
    assert adapter_says_conflicted(application, by_reviewer)
    sources = dict(ConflictOfInterest.objects.values_list("reviewer_id", "source"))
    assert sources == {by_reviewer.pk: "reviewer", by_staff.pk: "staff"}


def test_unrelated_reviewer_has_no_conflict(call):
    application = submitted_application(call, unit_code="U1234")
    reviewer = ReviewerProfileFactory(institution="Karolinska", unit_code="U4321").user
    assert not has_conflict(reviewer, application)
    assert explain_conflicts(reviewer, application) == []


def test_staff_cannot_add_a_conflicted_reviewer_to_a_proposal(call, staff):
    application = submitted_application(call, partner_institution="Karolinska Institutet")
    reviewer = pool_reviewer(call, institution="Karolinska Institutet")
    proposal = services.launch_routing(call, staff)
    with pytest.raises(services.ReviewError, match="conflict of interest"):
        services.add_proposed_pair(proposal, application, reviewer, staff)


def test_conflict_declared_after_assignment_hides_the_application_and_ends_the_assignment(call, staff):
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    assignment = assign(application, reviewer)
    assert Application.objects.visible_to(reviewer).filter(pk=application.pk).exists()
    services.declare_conflict(reviewer, application, "personal", "Former student", staff)
    assignment.refresh_from_db()
    assert assignment.status == ReviewAssignment.Status.REMOVED
    assert not Application.objects.visible_to(reviewer).filter(pk=application.pk).exists()


def test_querysets_hide_an_active_assignment_once_a_computed_conflict_appears(call):
    application = submitted_application(call, unit_code="U2000")
    profile = ReviewerProfileFactory(institution="", unit_code="")
    assign(application, profile.user)
    assert ReviewAssignment.objects.for_reviewer(profile.user).count() == 1
    profile.unit_code = "U2000"  # the reviewer moved to the applicant's unit
    profile.save()
    assert ReviewAssignment.objects.for_reviewer(profile.user).count() == 0
    assert not Application.objects.visible_to(profile.user).filter(pk=application.pk).exists()


def test_conflicted_reviewer_cannot_score_even_through_the_service(call):
    application = submitted_application(call, unit_code="U3000")
    profile = ReviewerProfileFactory(institution="", unit_code="")
    assignment = assign(application, profile.user)
    profile.unit_code = "U3000"
    profile.save()
    with pytest.raises(services.ReviewError):
        services.save_review(assignment, profile.user, scores={}, recommendation="support")


def test_researcher_unit_conflict_uses_the_researcher_profile(call):
    other = ProfileFactory(unit_code="U5555")
    application = submitted_application(call, unit_code="U5556")
    reviewer = ReviewerProfileFactory(unit_code=other.unit_code, institution="").user
    assert not has_conflict(reviewer, application)
