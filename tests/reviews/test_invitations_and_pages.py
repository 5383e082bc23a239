"""Invitations, the reviewer's profile, and the staff pages and admin screens render."""

import pytest

from notifications.models import Notification
from reviews import services
from reviews.models import ConflictOfInterest, ReviewerInvitation, ReviewerProfile
from tests.factories import ReviewerFactory, UserFactory

from .factories import ExpertiseTermFactory, ReviewerProfileFactory, assign, pool_reviewer, submitted_application
from .helpers import url

pytestmark = pytest.mark.django_db


def test_staff_invitation_makes_a_reviewer_and_queues_the_invitation(call, staff):
    expert = UserFactory()
    invitation = services.invite_reviewer(call, expert, staff)
    expert.refresh_from_db()
    assert expert.is_reviewer and ReviewerProfile.objects.filter(user=expert).exists()
    letter = Notification.objects.get(kind="review.invitation")
    assert letter.recipient == expert and letter.context["url_path"] == f"/reviews/invitations/{invitation.pk}/"
    services.invite_reviewer(call, expert, staff)
    assert Notification.objects.filter(kind="review.invitation").count() == 1


def test_reviewer_accepts_then_is_in_the_pool(client, call, staff):
    from reviews.routing_adapter import reviewer_pool

    expert = ReviewerFactory()
    invitation = services.invite_reviewer(call, expert, staff)
    assert expert not in reviewer_pool(call)
    client.force_login(expert)
    assert client.get(url("invitation", invitation.pk)).status_code == 200
    client.post(url("invitation", invitation.pk), {"answer": "accept"})
    invitation.refresh_from_db()
    assert invitation.status == ReviewerInvitation.Status.ACCEPTED
    assert expert in reviewer_pool(call)


def test_reviewer_declines(client, call, staff):
    expert = ReviewerFactory()
    invitation = services.invite_reviewer(call, expert, staff)
    client.force_login(expert)
    client.post(url("invitation", invitation.pk), {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.status == ReviewerInvitation.Status.DECLINED


def test_someone_elses_invitation_is_404(client, call, staff):
    invitation = services.invite_reviewer(call, ReviewerFactory(), staff)
    client.force_login(ReviewerFactory())
    assert client.get(url("invitation", invitation.pk)).status_code == 404


def test_unavailable_reviewer_is_left_out_of_the_pool(call):
    from reviews.routing_adapter import reviewer_pool

    busy = pool_reviewer(call)
    ReviewerProfile.objects.filter(user=busy).update(is_available=False)
    assert busy not in reviewer_pool(call)


def test_reviewer_edits_expertise_on_the_profile_page(client):
    term = ExpertiseTermFactory(name_en="Immunology", name_fr="Immunologie")
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    assert client.get(url("profile")).status_code == 200
    response = client.post(
        url("profile"),
        {
            "expertise": [term.pk],
            "free_keywords": "microglia",
            "institution": "Institut Pasteur",
            "country": "FR",
            "unit_code": "u1234",
            "max_load_per_call": "4",
            "is_available": "on",
        },
    )
    assert response.status_code == 302
    profile = ReviewerProfile.objects.get(user=reviewer)
    assert profile.unit_code == "U1234" and list(profile.expertise.all()) == [term]


def test_staff_pages_render(client, call, staff):
    application = submitted_application(call)
    assign(application, ReviewerProfileFactory(institution="").user)
    client.force_login(staff)
    for address in (
        url("staff_calls"),
        url("staff_call", call.pk),
        url("ranking", call.pk),
        url("decide", application.pk),
    ):
        assert client.get(address).status_code == 200, address


def test_admin_screens_render(client, call, staff):
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    assign(application, reviewer)
    services.declare_conflict(reviewer, application, "other", "", staff)
    client.force_login(staff)
    for model in (
        "expertiseterm",
        "reviewerprofile",
        "reviewerinvitation",
        "conflictofinterest",
        "routingproposal",
        "reviewassignment",
        "review",
        "decision",
    ):
        assert client.get(f"/admin/reviews/{model}/").status_code == 200, model
    assert client.get("/admin/reviews/routingproposal/add/").status_code == 200


def test_staff_record_a_conflict_in_admin(client, call, staff):
    application = submitted_application(call)
    reviewer = ReviewerProfileFactory(institution="").user
    client.force_login(staff)
    response = client.post(
        "/admin/reviews/conflictofinterest/add/",
        {"reviewer": reviewer.pk, "application": application.pk, "kind": "personal", "reason": "Spouse"},
    )
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert conflict.source == "staff" and conflict.recorded_by == staff


def test_staff_invite_in_admin(client, call, staff):
    expert = UserFactory()
    client.force_login(staff)
    response = client.post("/admin/reviews/reviewerinvitation/add/", {"call": call.pk, "reviewer": expert.pk})
    assert response.status_code == 302
    assert ReviewerInvitation.objects.get().invited_by == staff
