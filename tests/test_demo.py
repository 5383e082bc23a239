import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def _counts():
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "calls", "applications", "reviews", "notifications"}
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
