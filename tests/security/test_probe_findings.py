"""The outside probe's findings on staff pages, ids and the second factor, each with its safe answer."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import services
from reviews.models import RoutingProposal
from tests.factories import StaffFactory

from .test_authorisation_matrix import enumerate_routes

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def bare_staff(*model_permissions):
    """A staff member holding only these model permissions (through a group, as an office would)."""
    user = StaffFactory(is_superuser=False)
    if model_permissions:
        group = Group.objects.create(name="office " + "+".join(model_permissions))
        for perm in model_permissions:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        user.groups.add(group)
    return user


def client_of(user, language="en"):
    client = Client()
    client.force_login(user)
    return client


# --- Objects looked up only after login and role are checked --------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "/en/reviews/staff/applications/{}/decision/",
        "/en/reviews/staff/proposals/{}/",
        "/en/reviews/staff/proposals/{}/progress/",
        "/en/reviews/staff/calls/{}/",
        "/en/reviews/staff/calls/{}/ranking/",
        "/en/reviews/staff/calls/{}/export.csv",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in_whether_or_not_the_id_exists(world, template):
    existing = {
        "decision": world.reviewed.pk,
        "proposals": world.proposal.pk,
        "calls": world.closed_call.pk,
    }
    kind = next(key for key in existing if key in template)
    anonymous = Client()
    known = anonymous.get(template.format(existing[kind]))
    unknown = anonymous.get(template.format(10**9))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"].startswith("/en/accounts/login/?next=")
    assert unknown["Location"].startswith("/en/accounts/login/?next=")


# --- Staff pages need the permissions admin needs ---------------------------------------------------


def test_staff_without_permissions_cannot_export_a_call_and_are_told_why(world):
    client = client_of(bare_staff())
    response = client.get(f"/en/reviews/staff/calls/{world.closed_call.pk}/export.csv")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Access refused" in page and "Reviews: see" in page and "ask an administrator" in page
    french = client_of(bare_staff()).get(f"/fr/reviews/staff/calls/{world.closed_call.pk}/export.xlsx")
    assert french.status_code == 403 and "Accès refusé" in french.content.decode()


def test_staff_without_permissions_cannot_download_a_researchers_draft_attachment(world):
    client = client_of(bare_staff())
    response = client.get(f"/en/applications/{world.draft.pk}/attachments/{world.draft_attachment.pk}/")
    assert response.status_code == 404
    assert client.get(f"/en/applications/{world.draft.pk}/").status_code == 404


def test_staff_with_the_view_permission_on_applications_see_the_draft_and_its_file(world):
    client = client_of(bare_staff("applications.view_application"))
    assert client.get(f"/en/applications/{world.draft.pk}/attachments/{world.draft_attachment.pk}/").status_code == 200


def test_staff_without_permissions_cannot_discard_a_routing_proposal(world):
    user = bare_staff()
    response = client_of(user).post(f"/en/reviews/staff/proposals/{world.proposal.pk}/", {"action": "discard"})
    assert response.status_code == 403
    assert RoutingProposal.objects.get(pk=world.proposal.pk).status == world.proposal.status
    with translation.override("en"), pytest.raises(services.ReviewError, match="does not have the permission"):
        services.discard_routing(world.proposal, user)
    assert RoutingProposal.objects.get(pk=world.proposal.pk).status == world.proposal.status


def test_staff_who_may_see_proposals_but_not_discard_them_are_refused_the_discard(world):
    user = bare_staff("calls.view_call", "reviews.view_routingproposal")
    client = client_of(user)
    assert client.get(f"/en/reviews/staff/proposals/{world.proposal.pk}/").status_code == 200
    response = client.post(f"/en/reviews/staff/proposals/{world.proposal.pk}/", {"action": "discard"})
    assert response.status_code == 403
    assert "Routing proposals: delete" in response.content.decode()


def test_staff_with_the_ranking_permissions_open_the_ranking_and_its_exports(world):
    client = client_of(bare_staff("reviews.view_review", "applications.view_application"))
    call = world.closed_call.pk
    assert client.get(f"/en/reviews/staff/calls/{call}/ranking/").status_code == 200
    assert client.get(f"/en/reviews/staff/calls/{call}/export.csv").status_code == 200
    # Deciding needs the decision permissions too.
    assert client.get(f"/en/reviews/staff/applications/{world.reviewed.pk}/decision/").status_code == 403


def test_the_staff_menu_entry_shows_only_to_staff_who_may_open_it(world):
    link = "/en/reviews/staff/"
    assert link not in client_of(bare_staff()).get("/en/").content.decode()
    assert link in client_of(world.users["staff"]).get("/en/").content.decode()


# --- Ids beyond what the database holds -------------------------------------------------------------


def test_huge_ids_answer_404_not_500(world):
    client = client_of(world.users["staff"])
    assert client.get(f"/en/reviews/decisions/{HUGE}/").status_code == 404
    assert client.get("/en/reviews/decisions/9223372036854775808/").status_code == 404
    # The largest id the database holds is a valid address (nothing there).
    assert client.get("/en/reviews/decisions/9223372036854775807/").status_code == 404


def test_every_address_with_an_id_answers_404_to_a_huge_id(world):
    routes = sorted(route for route in enumerate_routes() if "<id:" in route and not route.startswith("admin/"))
    assert len(routes) >= 15
    client = client_of(world.users["staff"])
    for route in routes:
        path = "/en/" + re.sub(r"<id:\w+>", HUGE, re.sub(r"<(?:str|slug):\w+>", "general", route))
        assert client.get(path).status_code == 404, path
        assert client.post(path).status_code == 404, path


@pytest.mark.parametrize("suffix", ["change/", "history/", "delete/"])
def test_admin_answers_a_huge_id_without_a_server_error(world, suffix):
    client = client_of(world.users["staff"])
    response = client.get(f"/admin/applications/application/{HUGE}/{suffix}")
    assert response.status_code in (302, 403, 404)  # never 500


# --- Second factor: failures are counted ------------------------------------------------------------


@override_settings(STAFF_REQUIRE_2FA=True)
def test_wrong_codes_while_setting_up_the_app_are_counted_and_slow_down_guessing(db):
    user = StaffFactory()
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    client.get("/en/accounts/two-factor/setup/")
    for _attempt in range(6):
        client.post("/en/accounts/two-factor/setup/", {"token": "000000"})
    device = TOTPDevice.objects.get(user=user)
    assert device.throttling_failure_count >= 1
    assert not device.confirmed
    response = client.post("/en/accounts/two-factor/setup/", {"token": "000000"})
    assert "Too many wrong codes" in response.content.decode()
