"""Co-applicants: the lead invites by e-mail, the account holding that address accepts by the
signed link, sees and edits the draft (never submits nor withdraws), and loses access at once when
removed; every refusal says why and changes nothing."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core import signing
from django.utils import timezone

from accounts.models import AuditEvent
from applications import co_applicants
from applications.co_applicants import LinkRefused, link_path, make_token, read_link
from applications.models import Application, CoApplicant
from notifications.models import Notification
from tests.factories import ResearcherFactory, StaffFactory

from .factories import ApplicationFactory, ProfileFactory
from .helpers import page_url, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    application = ApplicationFactory(applicant__language="fr")
    ProfileFactory(user=application.applicant)
    return application


@pytest.fixture
def colleague():
    user = ResearcherFactory(email="colleague@inserm.example", language="en")
    ProfileFactory(user=user)
    return user


def invite(draft, email="colleague@inserm.example", role=CoApplicant.Role.CO_INVESTIGATOR):
    return co_applicants.invite_co_applicant(draft, draft.applicant, email, role)


def token_of(member):
    return link_path(member).split("/")[-2]


def accepted(draft, user):
    member = invite(draft, user.email)
    return co_applicants.accept_invitation(token_of(member), user)


# --- Inviting ---------------------------------------------------------------------------------------


def test_the_lead_invites_an_account_which_is_mailed_in_its_own_language(draft, colleague):
    member = invite(draft, " Colleague@Inserm.example ")
    assert member.email == "colleague@inserm.example" and member.user is None and not member.accepted
    mail = Notification.objects.get(kind="co_applicant.invitation")
    assert mail.recipient == colleague and mail.language == "en"
    assert mail.context["url_path"].startswith("/applications/invitations/")
    assert AuditEvent.objects.filter(action="application.co_applicant_invited").count() == 1


def test_an_address_without_account_is_mailed_in_the_leads_language(draft):
    invite(draft, "newcomer@inserm.example")
    mail = Notification.objects.get(kind="co_applicant.invitation")
    assert mail.recipient is None and mail.to_email == "newcomer@inserm.example" and mail.language == "fr"


@pytest.mark.parametrize(
    "email, field",
    [("not an address", "email"), ("", "email"), ("a\x00b@inserm.example", "email")],
)
def test_an_address_the_model_refuses_is_refused_beside_the_field(draft, email, field):
    with pytest.raises(co_applicants.InvitationRefused) as refused:
        invite(draft, email)
    assert field in refused.value.error.message_dict
    assert not CoApplicant.objects.exists() and not Notification.objects.exists()


def test_the_leads_own_address_and_a_second_invitation_of_one_address_are_refused(draft, colleague):
    with pytest.raises(co_applicants.InvitationRefused):
        invite(draft, draft.applicant.email.upper())
    invite(draft)
    with pytest.raises(co_applicants.InvitationRefused):
        invite(draft, "COLLEAGUE@inserm.example")
    assert CoApplicant.objects.count() == 1


def test_at_most_five_co_applicants(draft):
    for n in range(co_applicants.MAX_CO_APPLICANTS):
        invite(draft, f"c{n}@inserm.example")
    with pytest.raises(co_applicants.InvitationRefused):
        invite(draft, "sixth@inserm.example")
    assert CoApplicant.objects.count() == co_applicants.MAX_CO_APPLICANTS


def test_only_the_lead_invites_and_only_while_the_draft_is_open(draft, colleague):
    member = accepted(draft, colleague)
    with pytest.raises(co_applicants.ApplicationError):
        co_applicants.invite_co_applicant(draft, colleague, "third@inserm.example", "co_investigator")
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.SUBMITTED)
    with pytest.raises(co_applicants.ApplicationError):
        invite(draft, "third@inserm.example")
    assert list(CoApplicant.objects.all()) == [member]


# --- The link ---------------------------------------------------------------------------------------


def test_a_link_sent_again_kills_the_older_one_and_cancels_its_mail(draft, colleague):
    member = invite(draft)
    old = token_of(member)
    member = co_applicants.resend_invitation(member, draft.applicant)
    now = timezone.now()
    assert read_link(old, now) == (None, LinkRefused.REPLACED)
    assert read_link(token_of(member), now)[0] == member
    statuses = sorted(Notification.objects.filter(kind="co_applicant.invitation").values_list("status", flat=True))
    assert statuses == ["cancelled", "pending"]


def test_a_tampered_expired_or_removed_link_is_refused(draft, colleague):
    member = invite(draft)
    token = token_of(member)
    now = timezone.now()
    assert read_link(token[:-1] + ("A" if token[-1] != "A" else "B"), now) == (None, LinkRefused.TAMPERED)
    forged = signing.dumps({"c": member.pk, "v": 1, "e": int((now + timedelta(days=1)).timestamp())}, salt="x")
    assert read_link(forged, now) == (None, LinkRefused.TAMPERED)
    assert read_link(token, draft.call.closes_at) == (None, LinkRefused.EXPIRED)
    expired = make_token(member.pk, 1, now - timedelta(seconds=1))
    assert read_link(expired, now) == (None, LinkRefused.EXPIRED)
    co_applicants.remove_co_applicant(member, draft.applicant)
    assert read_link(token, now) == (None, LinkRefused.REMOVED)


# --- Accepting --------------------------------------------------------------------------------------


def test_the_invited_account_accepts_once_and_the_lead_is_told(draft, colleague):
    member = invite(draft)
    token = token_of(member)
    member = co_applicants.accept_invitation(token, colleague)
    again = co_applicants.accept_invitation(token, colleague)
    assert member.user == colleague and member.accepted_at == again.accepted_at
    assert Notification.objects.filter(kind="co_applicant.accepted", recipient=draft.applicant).count() == 1
    assert Application.objects.visible_to(colleague).get() == draft


def test_another_account_cannot_accept_and_nothing_changes(draft, colleague):
    member = invite(draft)
    intruder = ResearcherFactory(email="intruder@inserm.example")
    ProfileFactory(user=intruder)
    with pytest.raises(co_applicants.WrongAccount):
        co_applicants.accept_invitation(token_of(member), intruder)
    staff = StaffFactory(email="staffer@inserm.example", is_researcher=True)
    staff_member = invite(draft, staff.email)
    with pytest.raises(co_applicants.WrongAccount):
        co_applicants.accept_invitation(token_of(staff_member), staff)
    assert not CoApplicant.objects.filter(user__isnull=False).exists()


def test_an_invited_researcher_without_profile_is_sent_to_fill_it_then_back(client, draft):
    newcomer = ResearcherFactory(email="newcomer@inserm.example")
    member = invite(draft, newcomer.email)
    url = "/en" + link_path(member)
    client.force_login(newcomer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/profile/?next=") and quote(url, safe="") in response["Location"]
    assert client.post(url).status_code == 302 and not CoApplicant.objects.get().accepted


# --- Pages ------------------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in_and_back(client, draft):
    member = invite(draft)
    url = "/en" + link_path(member)
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"] and "next=" in response["Location"]


@pytest.mark.parametrize("language, words", [("en", "Accept the invitation"), ("fr", "invitation")])
def test_the_invitation_page_names_application_lead_and_role_and_accepting_opens_it(
    client, draft, colleague, language, words
):
    member = invite(draft)
    url = f"/{language}" + link_path(member)
    client.force_login(colleague)
    page = client.get(url)
    assert page.status_code == 200 and draft.title in page.content.decode() and words in page.content.decode()
    assert page["Referrer-Policy"] == "same-origin"
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith(f"/applications/{draft.pk}/")
    assert CoApplicant.objects.get().user == colleague


def test_the_wrong_account_gets_a_page_saying_which_address_to_use(client, draft, colleague):
    member = invite(draft)
    other = ResearcherFactory()
    client.force_login(other)
    page = client.get("/en" + link_path(member))
    assert page.status_code == 403 and "colleague@inserm.example" in page.content.decode()
    assert client.post("/en" + link_path(member)).status_code == 403
    assert not CoApplicant.objects.get().accepted


def test_a_dead_link_says_why_with_410(client, draft, colleague):
    member = invite(draft)
    url = "/en" + link_path(member)
    co_applicants.resend_invitation(member, draft.applicant)
    client.force_login(colleague)
    page = client.get(url)
    assert page.status_code == 410 and "newer invitation" in page.content.decode()
    assert client.post(url).status_code == 410 and not CoApplicant.objects.get().accepted


def test_a_co_applicant_sees_and_edits_the_draft_but_never_submits_nor_withdraws(client, draft, colleague):
    accepted(draft, colleague)
    client.force_login(colleague)
    page = client.get(page_url("detail", draft.pk)).content.decode()
    assert "data-lead-submits" in page and "Submit the application" not in page
    assert "Withdraw the application" not in page
    step_page = client.get(step_url(draft, "general"))
    assert step_page.status_code == 200 and "data-lead-submits" in step_page.content.decode()
    response = client.post(step_url(draft, "general"), {"title": "Changed by the colleague", "stay": "1"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Changed by the colleague"
    assert client.post(page_url("submit", draft.pk)).status_code == 404
    assert client.post(page_url("withdraw", draft.pk)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Application.Status.DRAFT


def test_a_removed_co_applicant_loses_access_at_once_and_is_told(client, draft, colleague):
    member = accepted(draft, colleague)
    client.force_login(colleague)
    assert client.get(page_url("detail", draft.pk)).status_code == 200
    co_applicants.remove_co_applicant(member, draft.applicant)
    assert client.get(page_url("detail", draft.pk)).status_code == 404
    assert client.get(step_url(draft, "general")).status_code == 404
    assert Notification.objects.filter(kind="co_applicant.removed", recipient=colleague).count() == 1
    assert AuditEvent.objects.filter(action="application.co_applicant_removed").count() == 1


def test_the_lead_invites_resends_and_removes_from_the_applications_page(client, draft, colleague):
    client.force_login(draft.applicant)
    page = client.get(page_url("detail", draft.pk)).content.decode()
    assert "Invite a co-applicant" in page
    response = client.post(page_url("co_applicant_invite", draft.pk), {"email": "bad", "role": "co_investigator"})
    assert response.status_code == 200 and not CoApplicant.objects.exists()
    response = client.post(
        page_url("co_applicant_invite", draft.pk), {"email": colleague.email, "role": "administrative"}
    )
    assert response.status_code == 302
    member = CoApplicant.objects.get()
    assert member.role == "administrative"
    assert client.post(page_url("co_applicant_resend", draft.pk, member.pk)).status_code == 302
    member.refresh_from_db()
    assert member.link_version == 2
    assert client.get(page_url("co_applicant_remove", draft.pk, member.pk)).status_code == 200
    assert client.post(page_url("co_applicant_remove", draft.pk, member.pk)).status_code == 302
    assert not CoApplicant.objects.exists()


def test_a_co_applicant_leaves_but_removes_no_one_else(client, draft, colleague):
    member = accepted(draft, colleague)
    other = invite(draft, "other@inserm.example")
    client.force_login(colleague)
    assert client.post(page_url("co_applicant_remove", draft.pk, other.pk)).status_code == 404
    assert client.post(page_url("co_applicant_resend", draft.pk, other.pk)).status_code == 404
    assert client.post(page_url("co_applicant_remove", draft.pk, member.pk)).status_code == 302
    assert list(CoApplicant.objects.all()) == [other]
    assert AuditEvent.objects.filter(action="application.co_applicant_left").count() == 1


def test_the_dashboard_lists_contributions_in_constant_queries(client, colleague, django_assert_max_num_queries):
    client.force_login(colleague)
    accepted(ApplicationFactory(), colleague)
    with django_assert_max_num_queries(30) as one:
        page = client.get(page_url("dashboard")).content.decode()
    assert "Applications I contribute to" in page
    for _n in range(3):
        accepted(ApplicationFactory(), colleague)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(page_url("dashboard")).content.decode()
    assert page.count('data-label="Lead"') == 4


def test_a_co_applicant_who_becomes_the_lead_by_a_transfer_is_no_longer_a_co_applicant(draft, colleague):
    from applications.transfer import transfer_application

    accepted(draft, colleague)
    transfer_application(draft, colleague, "The lead left the unit.", StaffFactory())
    assert not CoApplicant.objects.exists()
    assert Application.objects.get(pk=draft.pk).applicant == colleague


def test_staff_see_the_co_applicants_on_the_applications_admin_page(client, draft, colleague):
    accepted(draft, colleague)
    invite(draft, "waiting@inserm.example")
    client.force_login(StaffFactory())
    page = client.get(f"/admin/applications/application/{draft.pk}/change/").content.decode()
    assert "colleague@inserm.example" in page and "waiting@inserm.example" in page
