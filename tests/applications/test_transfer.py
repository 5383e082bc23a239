"""Staff hand an application to another researcher (transfer of lead): the service's checks, the
audit trail, both leads' e-mails, the conflicts of interest, and the admin page."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.audit import events_for
from applications import services
from applications.admin import TransferForm
from applications.models import Application
from applications.transfer import transfer_application
from notifications.models import Notification
from notifications.rendering import render_message
from reviews.models import conflict_filter
from tests.factories import CallFactory, ResearcherFactory, ReviewerFactory, StaffFactory
from tests.reviews.factories import ReviewerProfileFactory

from .factories import ProfileFactory, complete_application

pytestmark = pytest.mark.django_db

REASON = "The lead left the unit for a post abroad."


@pytest.fixture
def submitted():
    application = complete_application(title="Neurons abroad")
    return services.submit_application(application, application.applicant)


@pytest.fixture
def new_lead():
    return ProfileFactory(user__language="en", unit_code="U4242").user


def transfer_notices(application):
    return Notification.objects.filter(kind="application.transferred", object_id=application.pk)


def test_staff_transfer_a_submitted_application_to_another_researcher(submitted, new_lead, staff):
    former = submitted.applicant
    transfer_application(submitted, new_lead, f"  {REASON} ", staff)

    submitted.refresh_from_db()
    assert submitted.applicant == new_lead
    assert submitted.status == Application.Status.SUBMITTED
    assert Application.objects.visible_to(former).filter(pk=submitted.pk).exists() is False
    assert Application.objects.visible_to(new_lead).filter(pk=submitted.pk).exists()
    event = events_for(submitted).filter(action="application.transferred").get()
    assert event.actor == staff
    assert event.changes["reason"] == REASON
    assert event.changes["applicant"]["from"].endswith(f"<{former.email}>")
    assert event.changes["applicant"]["to"].endswith(f"<{new_lead.email}>")


def test_both_leads_are_told_in_their_own_language_and_only_the_new_one_gets_the_link(submitted, new_lead, staff):
    former = submitted.applicant
    transfer_application(submitted, new_lead, REASON, staff)

    notices = {n.recipient: n for n in transfer_notices(submitted)}
    assert set(notices) == {former, new_lead}
    to_former = render_message(notices[former])
    to_new = render_message(notices[new_lead])
    assert (
        to_former.subject
        == f"Votre candidature {submitted.reference} a été confiée à {new_lead.get_full_name()} <{new_lead.email}>"
    )
    assert REASON in to_former.text and "/applications/" not in to_former.text
    assert to_new.subject == f"You now lead the application {submitted.reference}"
    assert REASON in to_new.text
    assert f"/en/applications/{submitted.pk}/" in to_new.text
    assert (
        f'href="{django_settings.PORTAL_BASE_URL}/en/applications/{submitted.pk}/">Open the application' in to_new.html
    )


def test_a_draft_can_be_transferred_and_its_email_names_it_by_its_title(new_lead, staff):
    draft = complete_application(title="A draft to hand over")
    transfer_application(draft, new_lead, REASON, staff)
    notice = transfer_notices(draft).get(recipient=new_lead)
    assert render_message(notice).subject == "You now lead the application A draft to hand over"


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Application.Status.WITHDRAWN, "withdrawn"),
        (Application.Status.DECIDED, "followed as a project"),
    ],
)
def test_a_withdrawn_or_decided_application_is_not_transferred(submitted, new_lead, staff, status, message, english):
    Application.objects.filter(pk=submitted.pk).update(status=status)
    submitted.refresh_from_db()
    with pytest.raises(ValidationError) as refusal:
        transfer_application(submitted, new_lead, REASON, staff)
    assert message in str(refusal.value.message_dict["__all__"])
    assert Application.objects.get(pk=submitted.pk).applicant_id != new_lead.pk
    assert not transfer_notices(submitted).exists()
    assert not events_for(submitted).filter(action="application.transferred").exists()


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("reviewer", "active researcher account"),
        ("inactive", "active researcher account"),
        ("no profile", "no researcher profile"),
        ("current lead", "already leads"),
        ("none", "Give the new lead"),
    ],
)
def test_the_new_lead_must_be_another_active_researcher_with_a_profile(submitted, staff, who, message, english):
    candidates = {
        "reviewer": lambda: ReviewerFactory(),
        "inactive": lambda: ProfileFactory(user__is_active=False).user,
        "no profile": lambda: ResearcherFactory(),
        "current lead": lambda: submitted.applicant,
        "none": lambda: None,
    }
    with pytest.raises(ValidationError) as refusal:
        transfer_application(submitted, candidates[who](), REASON, staff)
    assert message in " ".join(refusal.value.message_dict["new_lead"])
    assert not transfer_notices(submitted).exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001, "nul\x00"])
def test_a_reason_is_required_and_capped(submitted, new_lead, staff, reason):
    with pytest.raises(ValidationError) as refusal:
        transfer_application(submitted, new_lead, reason, staff)
    assert "reason" in refusal.value.message_dict
    assert Application.objects.get(pk=submitted.pk).applicant_id == submitted.applicant_id


def test_a_tremplin_goes_to_no_one_who_already_applied_to_the_same_call(submitted, new_lead, staff, english):
    complete_application(applicant=new_lead, call=submitted.call)
    with pytest.raises(ValidationError) as refusal:
        transfer_application(submitted, new_lead, REASON, staff)
    assert "already has an application to this call" in " ".join(refusal.value.message_dict["new_lead"])


@pytest.mark.parametrize("who", ["researcher", "reviewer", "staff without the permission", "the lead", "nobody"])
def test_only_staff_allowed_to_change_applications_may_transfer(submitted, new_lead, who):
    users = {
        "researcher": lambda: ResearcherFactory(),
        "reviewer": lambda: ReviewerFactory(),
        "staff without the permission": lambda: StaffFactory(is_superuser=False),
        "the lead": lambda: submitted.applicant,
        "nobody": lambda: None,
    }
    with pytest.raises(PermissionError):
        transfer_application(submitted, new_lead, REASON, users[who]())
    assert Application.objects.get(pk=submitted.pk).applicant_id != new_lead.pk


def test_staff_holding_the_change_permission_may_transfer(submitted, new_lead):
    clerk = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="change_application"))
    transfer_application(submitted, new_lead, REASON, clerk)
    assert Application.objects.get(pk=submitted.pk).applicant_id == new_lead.pk


def test_a_reviewer_of_the_new_leads_unit_is_now_in_conflict_and_one_of_the_former_no_longer(
    submitted, new_lead, staff
):
    former_unit = submitted.applicant.researcher_profile.unit_code
    from_new_unit = ReviewerProfileFactory(unit_code="U4242").user
    from_former_unit = ReviewerProfileFactory(unit_code=former_unit).user

    def in_conflict(reviewer):
        return Application.objects.filter(conflict_filter(reviewer), pk=submitted.pk).exists()

    assert (in_conflict(from_new_unit), in_conflict(from_former_unit)) == (False, True)
    transfer_application(submitted, new_lead, REASON, staff)
    assert (in_conflict(from_new_unit), in_conflict(from_former_unit)) == (True, False)


# --- The admin page ------------------------------------------------------------------------------


def transfer_url(application):
    return reverse("admin:applications_application_transfer", args=[application.pk])


def test_the_change_page_offers_the_transfer_to_staff_who_may(client, staff, submitted):
    client.force_login(staff)
    response = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))
    assert transfer_url(submitted) in response.content.decode()


def test_staff_transfer_from_admin_and_come_back_to_the_application(client, staff, submitted, new_lead):
    client.force_login(staff)
    page = client.get(transfer_url(submitted))
    assert page.status_code == 200
    assert 'name="new_lead_email"' in page.content.decode()
    response = client.post(transfer_url(submitted), {"new_lead_email": new_lead.email.upper(), "reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:applications_application_change", args=[submitted.pk])
    assert Application.objects.get(pk=submitted.pk).applicant == new_lead
    assert transfer_notices(submitted).count() == 2


def test_an_unknown_address_is_refused_beside_its_field_with_the_typed_values_kept(client, staff, submitted):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    response = client.post(transfer_url(submitted), {"new_lead_email": "nobody@example.org", "reason": REASON})
    assert response.status_code == 200
    assert response.context["form"].errors["new_lead_email"] == ["No account has this e-mail address."]
    body = response.content.decode()
    assert 'value="nobody@example.org"' in body and REASON in body
    assert Application.objects.get(pk=submitted.pk).applicant_id == submitted.applicant_id


def test_the_services_refusal_is_shown_beside_the_field(client, staff, submitted):
    client.force_login(staff)
    client.cookies["django_language"] = "en"
    response = client.post(transfer_url(submitted), {"new_lead_email": ResearcherFactory().email, "reason": REASON})
    assert response.status_code == 200
    assert response.context["form"].errors["new_lead_email"] == [
        "The new lead has no researcher profile yet: they must fill it in first."
    ]
    assert not transfer_notices(submitted).exists()


def test_a_withdrawn_application_shows_why_and_no_form(client, staff, submitted):
    Application.objects.filter(pk=submitted.pk).update(status=Application.Status.WITHDRAWN)
    client.force_login(staff)
    response = client.get(transfer_url(submitted))
    assert response.status_code == 200
    assert 'name="new_lead_email"' not in response.content.decode()
    assert response.context["problems"]


def test_staff_without_the_permission_get_403_and_no_link(client, submitted, new_lead):
    clerk = StaffFactory(is_superuser=False)
    clerk.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(clerk)
    change = client.get(reverse("admin:applications_application_change", args=[submitted.pk]))
    assert change.status_code == 200
    assert transfer_url(submitted) not in change.content.decode()
    assert client.get(transfer_url(submitted)).status_code == 403
    response = client.post(transfer_url(submitted), {"new_lead_email": new_lead.email, "reason": REASON})
    assert response.status_code == 403
    assert Application.objects.get(pk=submitted.pk).applicant_id != new_lead.pk


@pytest.mark.parametrize("role", ["researcher", "reviewer"])
def test_a_researcher_or_a_reviewer_is_sent_to_log_in(client, submitted, role, new_lead):
    user = ResearcherFactory() if role == "researcher" else ReviewerFactory()
    client.force_login(user)
    response = client.post(transfer_url(submitted), {"new_lead_email": new_lead.email, "reason": REASON})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Application.objects.get(pk=submitted.pk).applicant_id != new_lead.pk


def test_an_unknown_application_is_404(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:applications_application_transfer", args=[999999])).status_code == 404


def test_a_closed_call_does_not_stop_a_transfer(new_lead, staff):
    """Staff transfer after the deadline too (the lead may leave during the review)."""
    from datetime import timedelta

    from django.utils import timezone

    application = complete_application(call=CallFactory())
    application = services.submit_application(application, application.applicant)
    call = application.call
    type(call).objects.filter(pk=call.pk).update(closes_at=timezone.now() - timedelta(days=1))
    transfer_application(application, new_lead, REASON, staff)
    assert Application.objects.get(pk=application.pk).applicant == new_lead


# --- Whatever staff type -------------------------------------------------------------------------

typed = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", "   ", "\x00", "a\x00b", "<script>alert(1)</script>", "\r\n\t", "nobody@example.org"]),
    st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=3), st.integers(300, 1200)),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(email=st.one_of(typed, st.sampled_from(["LEAD", "lead", " lead "])), reason=typed)
def test_the_form_and_the_service_transfer_exactly_what_they_accept_or_nothing(
    submitted, new_lead, staff, email, reason
):
    email = {"LEAD": new_lead.email.upper(), "lead": new_lead.email, " lead ": f" {new_lead.email} "}.get(email, email)

    def check():
        former = Application.objects.get(pk=submitted.pk).applicant_id
        form = TransferForm({"new_lead_email": email, "reason": reason})
        if not form.is_valid():
            assert Application.objects.get(pk=submitted.pk).applicant_id == former
            return
        try:
            transfer_application(submitted, form.cleaned_data["new_lead"], form.cleaned_data["reason"], staff)
        except ValidationError as refusal:
            assert set(refusal.message_dict) <= {"new_lead", "reason", "__all__"}
            assert Application.objects.get(pk=submitted.pk).applicant_id == former
            assert not transfer_notices(submitted).exists()
            return
        assert Application.objects.get(pk=submitted.pk).applicant_id == new_lead.pk
        event = events_for(submitted).filter(action="application.transferred").get()
        assert event.changes["reason"] == reason.strip() != ""
        assert transfer_notices(submitted).count() == 2

    with transaction.atomic():
        check()
        transaction.set_rollback(True)
    submitted.refresh_from_db()
