"""Every model that points to a user is accounted for by a personal-data section; the account's
section (Django's and third-party apps' records) and the outbox's are downloaded and erased."""

import json

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import personal_data
from accounts.models import AuditEvent
from notifications.models import Notification, Subscription
from tests.factories import PASSWORD, ResearcherFactory, StaffFactory

LOGIN = "/en/accounts/login/"
DOWNLOAD = "/en/accounts/my-data/download.json"


def models_pointing_to_the_user():
    """{"app_label.ModelName": [field names]} for every installed model (third-party ones and
    the many-to-many tables Django creates included) with a foreign key, one-to-one or
    many-to-many field to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in [*model._meta.fields, *model._meta.many_to_many]:
            if field.is_relation and field.related_model is user_model:
                found.setdefault(model._meta.label, []).append(field.name)
    return found


def test_the_scan_finds_the_user_s_foreign_keys_in_our_apps_django_s_and_third_party_ones():
    found = models_pointing_to_the_user()
    assert found["otp_totp.TOTPDevice"] == ["user"]
    assert found["admin.LogEntry"] == ["user"]
    assert found["accounts.User_groups"] == ["user"]
    assert found["notifications.Notification"] == ["recipient"]
    assert found["reviews.ReviewAssignment"] == ["reviewer", "assigned_by"]


def test_every_model_pointing_to_a_user_is_covered_by_a_personal_data_section():
    covered = personal_data.covered_models()
    missing = {label: fields for label, fields in models_pointing_to_the_user().items() if label not in covered}
    assert missing == {}, (
        "These models hold a user but no personal-data section names them: export and erase (or keep, "
        f"and say why) their rows in the owning app's section, then list them in its models=: {missing}"
    )


def test_every_model_a_section_names_is_installed():
    for label in personal_data.covered_models():
        assert apps.get_model(label) is not None


def test_each_of_our_apps_registers_a_section_named_after_it():
    assert set(personal_data._sections) >= {"account", "applications", "notifications", "reviews"}


@pytest.mark.django_db
def test_the_download_holds_the_account_s_groups_logins_second_factor_and_actions():
    user = ResearcherFactory(email="camille@inserm.example")
    user.groups.add(Group.objects.create(name="Regional delegates"))
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    Client().post(LOGIN, {"username": "camille@inserm.example", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    client = Client()
    response = client.post(LOGIN, {"username": "camille@inserm.example", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302
    personal_data.request_erasure(user, "Leaving research")
    stranger = ResearcherFactory(email="someone.else@inserm.example")
    Client().post(LOGIN, {"username": stranger.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")

    data = json.loads(client.get(DOWNLOAD).content)["account"]

    assert data["groups"] == ["Regional delegates"]
    assert [(d["name"], d["confirmed"]) for d in data["two_factor_devices"]] == [("phone", True)]
    assert "key" not in data["two_factor_devices"][0]
    assert [login["ip_address"] for login in data["logins"]] == ["10.0.0.8"]
    # The success from another address does not reset this address's failure count.
    assert [(f["ip_address"], f["failures"]) for f in data["failed_logins"]] == [("10.0.0.7", 1)]
    [action] = data["actions"]
    assert action["action"] == "personal_data.erasure_requested"
    assert action["record"].startswith("camille@inserm.example (")
    assert [(r["reason"], r["status"]) for r in data["erasure_requests"]] == [("Leaving research", "pending")]
    assert "10.0.0.9" not in json.dumps(data)


@pytest.mark.django_db
def test_the_download_lists_failed_logins_and_a_staff_member_s_admin_actions():
    staff = StaffFactory(email="dpre@inserm.example")
    for _ in range(2):
        Client().post(LOGIN, {"username": "DPRE@inserm.example", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    LogEntry.objects.log_actions(
        staff.pk, [Group.objects.create(name="Reviewers")], CHANGE, change_message="[]", single_object=True
    )
    client = Client()
    client.force_login(staff)
    data = json.loads(client.get(DOWNLOAD).content)["account"]
    assert [(f["ip_address"], f["failures"]) for f in data["failed_logins"]] == [("10.0.0.5", 2)]
    assert [(a["action"], a["record"]) for a in data["admin_actions"]] == [("changed", "Reviewers")]


@pytest.mark.django_db
def test_erasure_deletes_login_records_second_factor_groups_and_outbox_and_keeps_the_audit_trail(
    django_capture_on_commit_callbacks,
):
    user = ResearcherFactory(email="camille@inserm.example")
    user.groups.add(Group.objects.create(name="Regional delegates"))
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    Client().post(LOGIN, {"username": "camille@inserm.example", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    Client().post(LOGIN, {"username": "camille@inserm.example", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    Subscription.objects.create(user=user, topic="instrument:tremplin")
    Notification.objects.create(recipient=user, kind="application.receipt", language="fr", context={})
    other = ResearcherFactory(email="someone.else@inserm.example")
    Client().post(LOGIN, {"username": other.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    Notification.objects.create(recipient=other, kind="application.receipt", language="fr", context={})
    assert AccessLog.objects.filter(username="camille@inserm.example").exists()
    assert AccessAttempt.objects.filter(username="camille@inserm.example").exists()

    erasure = personal_data.request_erasure(user)
    with django_capture_on_commit_callbacks(execute=True):
        erasure = personal_data.erase(erasure, StaffFactory())

    assert not AccessLog.objects.filter(username="camille@inserm.example").exists()
    assert not AccessAttempt.objects.filter(username="camille@inserm.example").exists()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not user.groups.exists()
    assert not Subscription.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert "notifications: 1 call alert(s) and 1 e-mail(s) deleted." in erasure.outcome
    # What must stay answerable stays: who asked (the audit trail names them as they were).
    requested = AuditEvent.objects.get(action="personal_data.erasure_requested")
    assert (requested.actor_id, requested.actor_repr) == (user.pk, "camille@inserm.example")
    # Nobody else's records are touched.
    assert AccessLog.objects.filter(username=other.email).exists()
    assert Notification.objects.filter(recipient=other).exists()


@pytest.mark.django_db
def test_a_letter_held_for_staff_is_not_in_the_download_until_it_is_released():
    user = ResearcherFactory()
    Notification.objects.create(
        recipient=user,
        kind="decision.letter",
        language="en",
        context={},
        status=Notification.Status.HELD,
        subject="Decision on your application TREMPLIN-2026-0001: Funded",
    )
    Notification.objects.create(
        recipient=user, kind="application.receipt", language="en", context={}, subject="Your application is received"
    )
    client = Client()
    client.force_login(user)
    data = json.loads(client.get(DOWNLOAD).content)
    assert [mail["subject"] for mail in data["notifications"]["emails"]] == ["Your application is received"]
    assert "Funded" not in json.dumps(data)
