"""A researcher downloads their data as JSON and asks for its erasure; staff carry it out."""

import json

import pytest
from django.test import Client

from accounts.audit import AccountAction
from accounts.models import AuditEvent, ErasureRequest, User
from applications.models import Application, ResearcherProfile
from notifications.models import Notification
from tests.applications.factories import complete_application
from tests.factories import PASSWORD, CallFactory, StaffFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client(headers={"accept-language": "en"})  # admin pages have no language prefix
    client.force_login(user)
    return client


def test_the_download_holds_the_researcher_s_profile_applications_partners_budget_and_emails(world):
    owner = world.users["owner"]
    other_title = complete_application(applicant=world.users["other_researcher"], title="Someone else s project").title
    response = logged_in(owner).get("/en/accounts/my-data/download.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="inserm-portal-my-data-')
    data = json.loads(response.content)
    assert data["account"]["email"] == owner.email
    assert data["applications"]["researcher_profile"]["unit_code"] == owner.researcher_profile.unit_code
    applications = {a["id"]: a for a in data["applications"]["applications"]}
    assert set(applications) == {world.draft.pk, world.reviewed.pk, world.decided.pk}
    draft = applications[world.draft.pk]
    assert draft["partners"][0]["institution"] == "University of Tokyo"
    assert draft["budget"][0]["amount"] == "8000.00"
    assert draft["attachments"][0]["file_name"] == "project.pdf"
    assert sorted(mail["kind"] for mail in data["notifications"]["emails"]) == [
        "application.receipt",
        "project.created",
    ]
    assert [p["reference"] for p in data["projects"]["projects"]] == [world.project.reference]
    assert other_title not in response.content.decode()


def test_asking_for_erasure_needs_a_confirmation_and_is_recorded_once(world):
    client = logged_in(world.users["owner"])
    response = client.post("/en/accounts/my-data/", {"reason": "Leaving research"})
    assert "Tick the box to confirm your request." in response.content.decode()
    assert not ErasureRequest.objects.exists()
    response = client.post("/en/accounts/my-data/", {"reason": "Leaving research", "confirm": "on"}, follow=True)
    assert "Your request is recorded" in response.content.decode()
    assert "is waiting for the international relations office" in response.content.decode()
    client.post("/en/accounts/my-data/", {"reason": "Again", "confirm": "on"})
    erasure = ErasureRequest.objects.get()
    assert erasure.status == ErasureRequest.Status.PENDING
    assert erasure.user_repr == world.users["owner"].email
    assert AuditEvent.objects.filter(action=AccountAction.ERASURE_REQUESTED).count() == 1


def erase_in_admin(staff, erasure):
    return logged_in(staff).post(
        "/admin/accounts/erasurerequest/",
        {"action": "erase_selected", "_selected_action": [erasure.pk]},
        follow=True,
    )


def test_erasure_waits_while_an_application_is_under_review(world):
    owner = world.users["owner"]
    logged_in(owner).post("/en/accounts/my-data/", {"confirm": "on"})
    erasure = ErasureRequest.objects.get()
    response = erase_in_admin(world.users["staff"], erasure)
    assert "under review: carry out the erasure after the decision" in response.content.decode()
    erasure.refresh_from_db()
    assert erasure.status == ErasureRequest.Status.PENDING
    owner.refresh_from_db()
    assert owner.is_active and Application.objects.filter(pk=world.draft.pk).exists()


def test_staff_erase_drafts_and_profile_keep_decided_applications_and_close_the_account(
    media_root, django_capture_on_commit_callbacks
):
    call = CallFactory()
    draft = complete_application(call=call)
    owner = draft.applicant
    decided = complete_application(applicant=owner, call=CallFactory())
    Application.objects.filter(pk=decided.pk).update(status=Application.Status.DECIDED, reference="TREMPLIN-2026-0001")
    stored_file = media_root / draft.attachments.get().file.name
    assert stored_file.exists()
    Notification.objects.create(recipient=owner, kind="application.receipt", language="fr", context={})
    logged_in(owner).post("/en/accounts/my-data/", {"confirm": "on"})
    staff = StaffFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = erase_in_admin(staff, ErasureRequest.objects.get())
    assert "Erased:" in response.content.decode()

    erasure = ErasureRequest.objects.get()
    assert erasure.status == ErasureRequest.Status.DONE
    assert erasure.handled_by == staff
    assert "1 decided application(s) kept" in erasure.outcome
    owner.refresh_from_db()
    assert owner.email == f"erased-{owner.pk}@erased.invalid"
    assert (owner.first_name, owner.last_name, owner.is_active) == ("", "", False)
    assert not owner.has_usable_password()
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not stored_file.exists()
    assert Application.objects.get(pk=decided.pk).applicant == owner
    assert not ResearcherProfile.objects.filter(user=owner).exists()
    assert not Notification.objects.filter(recipient=owner).exists()
    assert AuditEvent.objects.filter(action=AccountAction.ERASURE_DONE, actor=staff).exists()
    assert not Client().login(username=erasure.user_repr, password=PASSWORD)
    assert not User.objects.filter(email=erasure.user_repr).exists()
