"""A routing proposal's pairs change only on its staff page, through the services (lock,
conflict and "already reviews" checks, audit): admin shows them read only."""

import re

import pytest

from accounts.models import AuditEvent
from reviews import services
from reviews.models import ProposedAssignment, RoutingProposal

from .factories import pool_reviewer, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(call, staff):
    applications = [submitted_application(call), submitted_application(call)]
    for _ in range(2):
        pool_reviewer(call)
    proposal = services.launch_routing(call, staff, reviewers_per_application=1)
    assert proposal.status == RoutingProposal.Status.DRAFT and proposal.pairs.count() == 2
    return proposal, applications


def _change_url(proposal):
    return f"/admin/reviews/routingproposal/{proposal.pk}/change/"


def test_the_admin_page_shows_the_pairs_read_only_with_a_link_to_the_proposal_page(draft, staff, client):
    proposal, _applications = draft
    client.force_login(staff)
    page = client.get(_change_url(proposal)).content.decode()
    assert f'href="/fr/reviews/staff/proposals/{proposal.pk}/"' in page
    pair = proposal.pairs.select_related("application").first()
    assert str(pair.application) in page
    assert 'name="pairs-0-DELETE"' not in page and 'name="pairs-0-reviewer"' not in page
    assert "add-row" not in page


def test_posting_the_admin_form_neither_adds_nor_removes_a_pair(draft, staff, client):
    proposal, applications = draft
    client.force_login(staff)
    page = client.get(_change_url(proposal)).content.decode()
    prefix = re.search(r'name="([\w-]+)-TOTAL_FORMS"', page).group(1)
    pairs = list(proposal.pairs.order_by("pk"))
    newcomer = pool_reviewer(proposal.call)
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(pairs) + 1),
        f"{prefix}-INITIAL_FORMS": str(len(pairs)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, pair in enumerate(pairs):
        data |= {
            f"{prefix}-{index}-id": str(pair.pk),
            f"{prefix}-{index}-proposal": str(proposal.pk),
            f"{prefix}-{index}-application": str(pair.application_id),
            f"{prefix}-{index}-reviewer": str(newcomer.pk),
        }
    data[f"{prefix}-0-DELETE"] = "on"
    new = len(pairs)
    data |= {
        f"{prefix}-{new}-proposal": str(proposal.pk),
        f"{prefix}-{new}-application": str(applications[0].pk),
        f"{prefix}-{new}-reviewer": str(newcomer.pk),
    }
    before = set(ProposedAssignment.objects.values_list("pk", "application_id", "reviewer_id"))
    audited = AuditEvent.objects.count()
    response = client.post(_change_url(proposal), data)
    assert response.status_code == 302
    assert set(ProposedAssignment.objects.values_list("pk", "application_id", "reviewer_id")) == before
    assert not ProposedAssignment.objects.filter(reviewer=newcomer).exists()
    assert AuditEvent.objects.count() == audited
