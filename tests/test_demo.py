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


def test_the_demo_has_a_call_at_each_stage_of_the_committee_and_its_meeting_publishes_within_the_envelope():
    """Issue 18: one application to screen, three to bid on, and a call whose meeting staff hold:
    funding the three best fits the envelope, the four would not; the demo researcher then reads
    the reviewers' comments and the synthesis in their decision, never a reviewer's name."""
    from django.test import Client

    from calls.models import Call
    from reviews.models import Decision
    from reviews.services import funded_totals

    call_command("load_demo", verbosity=0)

    def client(email):
        browser = Client()
        assert browser.login(username=email, password="demo-inserm-2026")
        return browser

    staff, reviewer = client("staff@demo.inserm.fr"), client("reviewer@demo.inserm.fr")
    closed = Call.objects.get(title_en__startswith="International springboards — closed demonstration")
    screening = staff.get(f"/en/reviews/staff/calls/{closed.pk}/screening/?state=to_screen").content.decode()
    assert "Heat waves and mental health" in screening
    bids = reviewer.get(f"/en/reviews/calls/{closed.pk}/bids/").content.decode()
    assert "Immune ageing in two cohorts" in bids and "Heat waves and mental health" not in bids

    call = Call.objects.get(title_en="International springboards — demonstration selection committee")
    assert call.budget_envelope == 24000 and call.feedback_to_applicants
    assert sum(a.requested_amount for a in call.applications.all()) > call.budget_envelope  # not all four
    meeting = staff.get(f"/en/reviews/staff/calls/{call.pk}/meeting/").content.decode()
    rows = list(call.applications.order_by("-requested_amount"))
    assert all(row.reference in meeting for row in rows)
    assert meeting.count("Read the synthesis") == 4  # every synthesis is in
    mine = call.applications.get(applicant__email="researcher@demo.inserm.fr")
    weakest = call.applications.get(applicant__email="researcher8@demo.inserm.fr")
    for application in rows:
        funded = application != weakest
        outcome = {"outcome": "funded", "amount": application.requested_amount} if funded else {"outcome": "rejected"}
        staff.post(f"/en/reviews/staff/calls/{call.pk}/meeting/", {"application": application.pk, **outcome})
    totals = funded_totals(call)
    assert totals["pending"] == 24000 and not totals["over"]
    staff.post(f"/en/reviews/staff/calls/{call.pk}/letters/", {})
    assert Decision.objects.filter(application__call=call, released_at__isnull=False).count() == 4
    page = client("researcher@demo.inserm.fr").get(f"/en/reviews/decisions/{mine.pk}/").content.decode()
    assert "Consider a more realistic timeline for year 2." in page  # a reviewer's comment for the applicant
    assert "A committed partner team and a clear question." in page  # the synthesis
    assert "Ana" not in page and "Smith" not in page and "Costa" not in page
