"""Co-applicants' units count in the conflicts of interest (issue 17): a reviewer of the unit of a
co-applicant who accepted is never routed to the application, cannot be added to a proposal, and
cannot open it even if assigned; the router asks for every application's co-applicants at once."""

import pytest
from django.utils import timezone

from applications.models import CoApplicant
from reviews import routing_adapter, services
from reviews.selectors import has_conflict
from tests.applications.factories import ProfileFactory

from .factories import assign, pool_reviewer, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


def with_co_applicant(application, unit_code, accepted=True):
    user = ProfileFactory(unit_code=unit_code).user
    CoApplicant.objects.create(
        application=application,
        email=user.email,
        user=user if accepted else None,
        accepted_at=timezone.now() if accepted else None,
    )
    return user


def test_a_reviewer_of_a_co_applicants_unit_is_never_routed_to_the_application(call, staff):
    apps = [submitted_application(call, unit_code="U1111"), submitted_application(call, unit_code="U2222")]
    with_co_applicant(apps[0], "U5678")
    same_unit = pool_reviewer(call, unit_code="u5678 ", max_load_per_call=2)
    other = pool_reviewer(call, unit_code="U9999", max_load_per_call=2)
    proposal = services.launch_routing(call, staff, reviewers_per_application=2)
    pairs = set(proposal.pairs.values_list("application_id", "reviewer_id"))
    assert (apps[0].pk, same_unit.pk) not in pairs
    assert {(apps[0].pk, other.pk), (apps[1].pk, same_unit.pk)} <= pairs
    with pytest.raises(services.ReviewError):
        services.add_proposed_pair(proposal, apps[0], same_unit, staff)


def test_an_invitation_not_accepted_does_not_count(call):
    application = submitted_application(call, unit_code="U1111")
    with_co_applicant(application, "U5678", accepted=False)
    reviewer = pool_reviewer(call, unit_code="U5678")
    assert not has_conflict(reviewer, application)
    assert routing_adapter.conflict_pairs([application], [reviewer]).tolist() == []


def test_a_reviewer_of_a_co_applicants_unit_cannot_open_the_application_even_if_assigned(call, client):
    application = submitted_application(call, unit_code="U1111")
    with_co_applicant(application, "U5678")
    reviewer = pool_reviewer(call, unit_code="U5678")
    assign(application, reviewer)
    client.force_login(reviewer)
    assert client.get(url("assignment", application.pk)).status_code == 404
    assert client.get(f"/en/applications/{application.pk}/").status_code == 404


def test_the_router_asks_for_every_applications_co_applicants_in_one_query(call, django_assert_max_num_queries):
    reviewers = [pool_reviewer(call, unit_code=f"U{7000 + n}") for n in range(3)]
    one = [submitted_application(call)]
    with_co_applicant(one[0], "U7000")
    with django_assert_max_num_queries(100) as counted:
        assert routing_adapter.conflict_pairs(one, reviewers).tolist() == [[0, 0]]
    many = one + [submitted_application(call) for _ in range(4)]
    for n, application in enumerate(many[1:]):
        with_co_applicant(application, f"U{7000 + n % 3}")
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert len(routing_adapter.conflict_pairs(many, reviewers)) == 5
