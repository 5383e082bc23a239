"""A partner team is e-mailed its link when added, answers on its page (no account), and the
applicant can send the link again; every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEvent
from applications import drafting, partners, services, tasks
from applications.models import Application, Attachment, PartnerAnswer
from applications.partner_links import make_link, read_link
from applications.services import ApplicationError
from calls.models import Call
from notifications.models import Notification
from notifications.services import deliver
from tests.factories import ResearcherFactory

from .factories import ApplicationFactory, PartnerFactory, ProfileFactory, complete_application, pdf_bytes
from .helpers import step_url

pytestmark = pytest.mark.django_db

TEAM = {
    "institution": "Universidade de São Paulo",
    "city": "São Paulo",
    "country": "BR",
    "team_leader": "Dr Ana Souza",
    "email": "ana@usp.example",
}


@pytest.fixture
def draft():
    return ApplicationFactory(applicant=ProfileFactory().user, title="Ageing cohorts", abstract="Two cohorts.")


def invitations(partner):
    return Notification.objects.filter(kind="partner.invitation", object_id=partner.pk).order_by("pk")


def page(partner, language="en"):
    with translation.override(language):
        return reverse("applications:partner_answer", args=[make_link(partner)])


def answer_data(**changes):
    return {"answer": "confirmed", **{k: v for k, v in TEAM.items() if k != "team_leader"}} | changes


# --- Invitations -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "en"])
def test_adding_a_partner_emails_its_leader_a_link_in_the_language_chosen(draft, language):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM, language=language)
    [notification] = invitations(partner)
    assert notification.recipient is None and notification.to_email == "ana@usp.example"
    assert notification.language == language
    token = notification.context["url_path"].removeprefix("/partners/").rstrip("/")
    assert read_link(token, timezone.now()) == (partner, None)
    assert partner.answer == PartnerAnswer.WAITING and partner.invited_at is not None
    assert AuditEvent.objects.filter(action="application.partner_invited").count() == 1


def test_a_partner_given_another_address_gets_a_new_link_and_the_old_one_dies(draft, client):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM)
    old_page = page(partner)
    drafting.update_partner(partner, draft.applicant, email="souza@usp.example")
    partner.refresh_from_db()
    assert partner.link_version == 2
    assert [n.to_email for n in invitations(partner)] == ["ana@usp.example", "souza@usp.example"]
    assert client.get(old_page).status_code == 410
    assert client.get(page(partner)).status_code == 200


def test_changing_another_value_sends_no_new_link(draft):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM)
    drafting.update_partner(partner, draft.applicant, city="Campinas")
    assert invitations(partner).count() == 1


def test_only_the_applicant_resends_a_link_and_it_asks_the_team_again(draft):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM)
    partners.answer_as_partner(partner, PartnerAnswer.CONFIRMED, {})
    with pytest.raises(ApplicationError):
        partners.resend_partner_link(partner, ResearcherFactory())
    partner = partners.resend_partner_link(partner, draft.applicant)
    assert (partner.link_version, partner.answer, partner.answered_at) == (2, PartnerAnswer.WAITING, None)
    assert invitations(partner).count() == 2


def test_the_resend_button_is_the_owners_alone(client, draft):
    partner = PartnerFactory(application=draft)
    url = reverse("applications:partner_resend", args=[draft.pk, partner.pk])
    client.force_login(ResearcherFactory())
    assert client.post(url).status_code == 404
    assert not invitations(partner).exists()
    client.force_login(draft.applicant)
    response = client.post(url)
    assert response.status_code == 302
    assert invitations(partner).count() == 1


def test_the_partners_step_shows_each_answer_and_the_button(client, draft):
    waiting = drafting.add_partner(draft, draft.applicant, **TEAM)
    confirmed = drafting.add_partner(
        draft, draft.applicant, **(TEAM | {"institution": "Fiocruz", "email": "f@x.example"})
    )
    partners.answer_as_partner(confirmed, PartnerAnswer.CONFIRMED, {})
    client.force_login(draft.applicant)
    html = client.get(step_url(draft, "partners")).content.decode()
    assert "Waiting (link sent on" in html
    assert "Confirmed on" in html
    assert html.count("Send the link again") == 2
    # A new link takes a confirmed team back to waiting: its button says so, the waiting one's not.
    assert html.count("Its confirmation would be asked again.") == 1
    assert f'aria-describedby="partner-{confirmed.pk}-asked-again"' in html
    assert waiting.pk != confirmed.pk


# --- The partner's page ------------------------------------------------------------------------------


def test_the_page_shows_the_application_and_the_partners_own_entry_only(client, draft):
    partner = PartnerFactory(application=draft, institution="Universidade de São Paulo")
    PartnerFactory(application=draft, institution="Secret Institute", email="secret@x.example")
    Attachment.objects.create(
        application=draft, kind=Attachment.Kind.PROJECT, file="x.pdf", original_name="plan.pdf", size=1, sha256="0"
    )
    response = client.get(page(partner))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ageing cohorts" in html and "Two cohorts." in html and draft.call.instrument.name in html
    assert "Universidade de São Paulo" in html
    assert "Secret Institute" not in html and "secret@x.example" not in html
    assert "plan.pdf" not in html and "/attachments/" not in html
    assert response["Referrer-Policy"] == "same-origin"  # the link never sent to another site


def test_a_partner_confirms_with_corrections_and_a_letter(client, draft, media_root):
    partner = PartnerFactory(application=draft)
    letter = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(page(partner), answer_data(city="Ribeirão Preto", letter=letter))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.answer == PartnerAnswer.CONFIRMED and partner.answered_at is not None
    assert (partner.institution, partner.city, partner.country.code) == (TEAM["institution"], "Ribeirão Preto", "BR")
    [stored] = partner.letters.all()
    assert stored.kind == Attachment.Kind.LETTER and stored.application == draft
    event = AuditEvent.objects.get(action="application.partner_answered")
    assert event.changes["answer"] == "confirmed" and "city" in event.changes["corrections"]


def test_a_partner_declines(client, draft):
    partner = PartnerFactory(application=draft)
    assert client.post(page(partner), answer_data(answer="declined")).status_code == 302
    partner.refresh_from_db()
    assert partner.answer == PartnerAnswer.DECLINED


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"country": "FR"}, "country"),
        ({"country": "XX"}, "country"),
        ({"email": "not an address"}, "email"),
        ({"city": "x" * 121}, "city"),
        ({"answer": "maybe"}, "answer"),
        ({"letter": SimpleUploadedFile("letter.pdf", b"<html>not a pdf</html>")}, "letter"),
    ],
)
def test_a_refused_answer_keeps_what_was_typed_and_changes_nothing(client, draft, changes, field):
    partner = PartnerFactory(application=draft)
    response = client.post(page(partner), answer_data(institution="Typed Institute", **changes))
    assert response.status_code == 200
    assert response.context["form"].errors.get(field)
    assert "Typed Institute" in response.content.decode()
    partner.refresh_from_db()
    assert partner.answer == PartnerAnswer.WAITING and partner.institution == "University of Tokyo"
    assert not Attachment.objects.filter(partner=partner).exists()


def test_a_letter_with_a_refusal_to_take_part_is_refused(draft):
    partner = PartnerFactory(application=draft)
    letter = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")
    with pytest.raises(partners.PartnerAnswerRefused):
        partners.answer_as_partner(partner, PartnerAnswer.DECLINED, {}, letter)
    partner.refresh_from_db()
    assert partner.answer == PartnerAnswer.WAITING


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_dead_link_says_why_with_410_and_changes_nothing(client, draft, language):
    partner = PartnerFactory(application=draft)
    url = page(partner, language)
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.WITHDRAWN)
    response = client.post(url, answer_data())
    assert response.status_code == 410
    partner.refresh_from_db()
    assert partner.answer == PartnerAnswer.WAITING
    tampered = client.get(url[:-3] + "xx/")
    assert tampered.status_code == 410


@pytest.mark.parametrize(
    ("refusal", "says"),
    [
        ("replaced", "A newer link was sent for your team"),
        ("closed", "no longer takes answers from its partner teams"),
        ("expired", "The call this application was written for has closed"),
        ("tampered", "This link is not one the portal sent"),
    ],
)
def test_a_dead_link_says_the_reason_it_died(client, draft, time_machine, refusal, says):
    partner = PartnerFactory(application=draft)
    url = page(partner)
    if refusal == "replaced":
        partners.resend_partner_link(partner, draft.applicant)
    elif refusal == "closed":
        Application.objects.filter(pk=draft.pk).update(status=Application.Status.WITHDRAWN)
    elif refusal == "expired":
        time_machine.move_to(draft.call.closes_at, tick=False)
    else:
        url = url[:-3] + "xx/"
    response = client.get(url)
    assert response.status_code == 410
    html = response.content.decode()
    assert says in html and "Nothing was changed." in html
    # A new link helps a team whose link was replaced or cut, never one whose application is closed.
    assert ("ask the Inserm researcher who invited you" in html) == (refusal in ("replaced", "tampered"))


def test_the_link_stops_at_the_second_the_call_closes(client, draft, time_machine):
    partner = PartnerFactory(application=draft)
    url = page(partner)
    time_machine.move_to(draft.call.closes_at - timedelta(seconds=1), tick=False)
    assert client.get(url).status_code == 200
    time_machine.move_to(draft.call.closes_at, tick=False)
    assert client.get(url).status_code == 410


# --- The reminder ------------------------------------------------------------------------------------


def test_a_team_that_has_not_answered_is_reminded_once_after_seven_days(draft):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM)
    answered = drafting.add_partner(draft, draft.applicant, **(TEAM | {"email": "b@x.example"}))
    partners.answer_as_partner(answered, PartnerAnswer.CONFIRMED, {})
    now = timezone.now()
    assert partners.remind_partners(now + timedelta(days=6, hours=23)) == 0
    assert partners.remind_partners(now + timedelta(days=7, minutes=1)) == 1
    assert partners.remind_partners(now + timedelta(days=8)) == 0
    reminders = Notification.objects.filter(kind="partner.reminder")
    assert [(n.object_id, n.to_email) for n in reminders] == [(partner.pk, "ana@usp.example")]


# --- The checklist and submission --------------------------------------------------------------------


def test_submission_waits_for_every_partner_when_the_call_requires_it(draft):
    application = complete_application(call=draft.call)
    Call.objects.filter(pk=draft.call_id).update(partners_must_confirm=True)
    application = Application.objects.get(pk=application.pk)
    partner = application.partners.get()
    codes = {f.code: f.outcome for f in services.eligibility(application)}
    assert codes["partners.confirmed"] == "fail"
    with pytest.raises(services.SubmissionRefused):
        services.submit_application(application, application.applicant)
    partners.answer_as_partner(partner, PartnerAnswer.CONFIRMED, {})
    submitted = services.submit_application(Application.objects.get(pk=application.pk), application.applicant)
    assert submitted.status == Application.Status.SUBMITTED


def test_beat_runs_the_partner_reminders_every_hour_and_twice_sends_one(draft, settings, time_machine):
    entry = settings.CELERY_BEAT_SCHEDULE["applications-partner-reminders"]
    assert entry["task"] == tasks.partner_reminders.name == "applications.partner_reminders"
    drafting.add_partner(draft, draft.applicant, **TEAM)
    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1), tick=False)
    assert tasks.partner_reminders() == {"notifications": 1}
    assert tasks.partner_reminders() == {"notifications": 0}
    assert Notification.objects.filter(kind="partner.reminder").count() == 1


@pytest.mark.parametrize("language, greeting", [("fr", "Bonjour Dr Ana Souza"), ("en", "Dear Dr Ana Souza")])
def test_the_invitation_has_the_absolute_link_in_the_teams_language(draft, settings, mailoutbox, language, greeting):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM, language=language)
    [notification] = invitations(partner)
    assert deliver(notification.pk).result == "sent"
    [message] = mailoutbox
    assert message.to == ["ana@usp.example"]
    assert greeting in message.body and "Ageing cohorts" in message.body
    link = f"{settings.PORTAL_BASE_URL}/{language}{notification.context['url_path']}"
    assert link in message.body


def test_a_new_link_or_a_team_removed_cancels_the_e_mails_not_sent_yet(draft):
    partner = drafting.add_partner(draft, draft.applicant, **TEAM)
    [first] = invitations(partner)
    partners.resend_partner_link(partner, draft.applicant)
    first.refresh_from_db()
    assert first.status == Notification.Status.CANCELLED
    second = invitations(partner).last()
    drafting.remove_partner(partner, draft.applicant)
    second.refresh_from_db()
    assert second.status == Notification.Status.CANCELLED


@pytest.mark.parametrize("language, name", [("fr", "Allemagne"), ("en", "Germany")])
def test_the_partner_page_names_countries_in_its_language(client, draft, language, name):
    partner = PartnerFactory(application=draft)
    assert f'<option value="DE">{name}</option>' in client.get(page(partner, language)).content.decode()


@pytest.mark.parametrize("language, says", [("fr", "Un PDF de 10 Mo au plus"), ("en", "A PDF of at most 10 MB")])
def test_the_letter_field_is_explained_in_the_pages_language(client, draft, language, says):
    partner = PartnerFactory(application=draft)
    for other_language in ("fr", "en"):  # whichever language imported the form first
        client.get(page(partner, other_language))
        assert says in client.get(page(partner, language)).content.decode()
