import pytest
from django.apps import apps
from django.core.management import call_command

from tests.isolation import media_root, no_celery_broker  # noqa: F401 (autouse: files in a temporary folder)

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "calls", "applications", "reviews", "projects", "notifications"}
    }


def test_demo_data_loaded_twice_leaves_the_same_rows(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    assert _counts() == first
    assert first["accounts.User"] >= 3
    out = capsys.readouterr().out
    assert "staff@demo.inserm.fr / demo-inserm-2026" in out


def test_demo_staff_can_open_django_admin(client):
    call_command("load_demo")
    assert client.login(username="staff@demo.inserm.fr", password="demo-inserm-2026")
    assert client.get("/admin/").status_code == 200


def test_demo_researcher_and_reviewer_can_start_at_once():
    from applications.models import ResearcherProfile
    from reviews.models import ReviewerInvitation, ReviewerProfile

    call_command("load_demo")
    call_command("load_demo")
    profile = ResearcherProfile.objects.get(user__email="researcher@demo.inserm.fr")
    assert profile.unit_code == "U1234"
    reviewer = ReviewerProfile.objects.get(user__email="reviewer@demo.inserm.fr")
    assert reviewer.expertise.count() == 4
    invitations = ReviewerInvitation.objects.filter(reviewer=reviewer.user)
    assert invitations.count() >= 3
    assert {i.status for i in invitations} == {ReviewerInvitation.Status.ACCEPTED}


@pytest.mark.django_db
def test_the_demo_closed_call_routes_with_real_affinities():
    """Issue 14: applicants choose from the reviewers' vocabulary, so the demo's routing is not blind."""
    import numpy as np
    from django.core.management import call_command

    from calls.models import Call
    from reviews import routing_adapter

    call_command("load_demo", verbosity=0)
    call = Call.objects.get(title_en__startswith="International springboards — closed demonstration")
    assert call.status == Call.Status.CLOSED
    applications = routing_adapter.applications_to_route(call)
    reviewers = routing_adapter.reviewer_pool(call)
    # Three screened admissible are routed; the fourth waits for staff's screening.
    assert len(applications) == 3 and len(reviewers) >= 1
    assert call.applications.filter(screening__isnull=True).count() == 1
    affinity = routing_adapter.affinity_matrix(applications, reviewers)
    assert float(np.max(affinity)) > 0.3
    call_command("load_demo", verbosity=0)  # twice changes nothing
    assert Call.objects.filter(title_en__startswith="International springboards — closed demonstration").count() == 1
