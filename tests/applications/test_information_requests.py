"""Staff ask for more information: the service's checks, the state flow there and back, the
sections open for changes, the frozen copies, idempotence, and the lapse told to staff once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.audit import events_for
from applications import drafting, information, services
from applications.models import Application, InformationRequest, SubmittedVersion
from notifications.models import Notification
from notifications.rendering import render_message
from tests.factories import ResearcherFactory

from .factories import BudgetLineFactory, complete_application

pytestmark = pytest.mark.django_db

MESSAGE = "Please detail the travel budget of year 1."


def in_days(days):
    return timezone.now() + dt.timedelta(days=days)


@pytest.fixture
def submitted():
    application = complete_application(title="Neurons abroad")
    return services.submit_application(application, application.applicant)


def ask(application, staff, sections=("budget",), deadline=None, message=MESSAGE):
    return information.request_information(application, staff, message, list(sections), deadline or in_days(14))


def test_the_first_submission_freezes_version_one(submitted):
    version = SubmittedVersion.objects.get(application=submitted)
    assert version.number == 1
    assert version.submitted_by == submitted.applicant
    assert version.content["title"] == "Neurons abroad"
    assert version.content["budget"][0]["amount"] == "8000.00"
    assert version.eligible is True
    assert version.eligibility_report == submitted.eligibility_report


def test_staff_ask_for_more_information_and_the_application_waits(submitted, staff):
    request = ask(submitted, staff, sections=("budget", "general"))

    submitted.refresh_from_db()
    assert submitted.status == Application.Status.MORE_INFO
    assert request.previous_status == Application.Status.SUBMITTED
    assert request.sections == ["general", "budget"]
    assert events_for(submitted).filter(action="application.information_requested", actor=staff).exists()
    notice = Notification.objects.get(kind="application.info_requested", recipient=submitted.applicant)
    with translation.override("en"):
        notice.language = "en"
        message = render_message(notice)
    assert MESSAGE in message.text
    assert "Budget" in message.text and "General information" in message.text
    notice.language = "fr"
    assert "Informations générales" in render_message(notice).text or "Budget" in render_message(notice).text


@pytest.mark.parametrize(
    ("sections", "field"),
    [([], "sections"), (["nowhere"], "sections"), ("budget", "sections"), ([1], "sections")],
)
def test_bad_sections_are_refused_with_nothing_changed(submitted, staff, sections, field):
    with pytest.raises(ValidationError) as refusal:
        information.request_information(submitted, staff, MESSAGE, sections, in_days(3))
    assert field in refusal.value.message_dict
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    assert not InformationRequest.objects.exists()


def test_declarations_are_a_section_of_tremplins_only(staff):
    application = complete_application()
    application.call.instrument.code = "PRI"
    assert "declarations" not in information.steps_of(application)
    tremplin = complete_application()
    assert "declarations" in information.steps_of(tremplin)


def test_a_past_deadline_an_empty_message_and_a_draft_are_refused(staff):
    draft = complete_application()
    with pytest.raises(ValidationError) as refusal:
        information.request_information(draft, staff, "  ", ["budget"], in_days(-1))
    problems = refusal.value.message_dict
    assert {"__all__", "message", "deadline"} <= set(problems)
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_naive_deadline_is_refused(submitted, staff):
    with pytest.raises(ValidationError) as refusal:
        information.request_information(submitted, staff, MESSAGE, ["budget"], dt.datetime(2099, 1, 1))
    assert "deadline" in refusal.value.message_dict


def test_a_researcher_may_not_ask(submitted):
    with pytest.raises(PermissionError):
        ask(submitted, submitted.applicant)
    with pytest.raises(PermissionError):
        ask(submitted, None)


def test_a_second_request_while_one_is_open_is_refused(submitted, staff):
    ask(submitted, staff)
    with pytest.raises(ValidationError):
        ask(submitted, staff)
    assert InformationRequest.objects.count() == 1


def test_the_deadline_a_day_means_is_the_end_of_that_day_in_paris():
    deadline = information.end_of_day(dt.date(2027, 3, 1))
    assert deadline.isoformat() == "2027-03-01T23:59:59+01:00"
    summer = information.end_of_day(dt.date(2027, 7, 1))
    assert summer.utcoffset() == dt.timedelta(hours=2)


def test_only_the_open_sections_may_change(submitted, staff):
    ask(submitted, staff, sections=("budget",))
    lead = submitted.applicant
    with pytest.raises(services.ApplicationError):
        drafting.update_draft(submitted, lead, title="Another title")
    partner = submitted.partners.get()
    with pytest.raises(services.ApplicationError):
        drafting.update_partner(partner, lead, city="Kyoto")
    with pytest.raises(services.ApplicationError):
        services.delete_attachment(submitted.attachments.get(), lead)
    submitted.refresh_from_db()
    assert submitted.title == "Neurons abroad"
    assert submitted.partners.get().city == "Tokyo"
    assert submitted.attachments.count() == 1


def test_nobody_else_changes_an_open_section(submitted, staff):
    ask(submitted, staff, sections=("general",))
    with pytest.raises(services.ApplicationError):
        drafting.update_draft(submitted, ResearcherFactory(), title="Hijacked")
    drafting.update_draft(submitted, submitted.applicant, title="Neurons abroad, revised")
    submitted.refresh_from_db()
    assert submitted.title == "Neurons abroad, revised"


def test_resubmission_freezes_version_two_and_goes_back_to_submitted(submitted, staff):
    request = ask(submitted, staff, sections=("budget", "general"))
    lead = submitted.applicant
    drafting.update_draft(submitted, lead, title="Neurons abroad, revised")
    BudgetLineFactory(application=submitted, year=1, category="consumables", amount=Decimal("500.00"))
    first = SubmittedVersion.objects.get(application=submitted, number=1)
    first_content = dict(first.content)

    information.resubmit(submitted, lead)

    submitted.refresh_from_db()
    request.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.requested_amount == Decimal("8500.00")
    assert request.answered_at is not None
    second = SubmittedVersion.objects.get(application=submitted, number=2)
    assert second.information_request == request
    assert second.content["title"] == "Neurons abroad, revised"
    first.refresh_from_db()
    assert first.content == first_content
    assert events_for(submitted).filter(action="application.resubmitted").exists()
    assert Notification.objects.filter(kind="application.info_answered", recipient=staff).count() == 1
    assert Notification.objects.filter(kind="application.resubmitted", recipient=lead).count() == 1


def test_a_double_resubmission_freezes_one_version(submitted, staff):
    ask(submitted, staff)
    information.resubmit(submitted, submitted.applicant)
    information.resubmit(submitted, submitted.applicant)
    assert SubmittedVersion.objects.filter(application=submitted).count() == 2


def test_in_review_goes_back_to_in_review(submitted, staff):
    services.change_status(submitted, Application.Status.IN_REVIEW)
    ask(submitted, staff)
    information.resubmit(submitted, submitted.applicant)
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.IN_REVIEW


def test_a_resubmission_after_the_call_closed_is_judged_as_at_the_first_submission(submitted, staff):
    ask(submitted, staff)
    later = submitted.call.closes_at + dt.timedelta(days=3)
    information.resubmit(submitted, submitted.applicant, now=later)
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.eligible is True


@translation.override("en")
def test_a_resubmission_with_a_blocker_is_refused_like_a_submission(submitted, staff):
    ask(submitted, staff, sections=("budget",))
    submitted.budget_lines.all().delete()
    with pytest.raises(services.SubmissionRefused) as refusal:
        information.resubmit(submitted, submitted.applicant)
    assert any("budget line" in reason for reason in refusal.value.reasons)
    submitted.refresh_from_db()
    assert submitted.is_more_info
    assert SubmittedVersion.objects.filter(application=submitted).count() == 1


def test_only_the_lead_resubmits(submitted, staff):
    ask(submitted, staff)
    with pytest.raises(services.SubmissionRefused):
        information.resubmit(submitted, ResearcherFactory())
    with pytest.raises(services.SubmissionRefused):
        information.resubmit(submitted, staff)


def test_a_resubmission_after_the_deadline_is_accepted_and_staff_told_it_was_late(submitted, staff):
    ask(submitted, staff, deadline=in_days(1))
    information.resubmit(submitted, submitted.applicant, now=in_days(2))
    notice = Notification.objects.get(kind="application.info_answered")
    assert notice.context["late"] is True


def test_staff_are_told_once_of_a_request_left_unanswered(submitted, staff):
    request = ask(submitted, staff, deadline=in_days(1))
    assert information.tell_staff_of_lapsed_requests(in_days(0.5)) == 0
    assert information.tell_staff_of_lapsed_requests(in_days(2)) == 1
    assert information.tell_staff_of_lapsed_requests(in_days(3)) == 0
    request.refresh_from_db()
    assert request.lapsed_at is not None
    assert Notification.objects.filter(kind="application.info_lapsed", recipient=staff).count() == 1


def test_an_answered_request_never_lapses(submitted, staff):
    ask(submitted, staff, deadline=in_days(1))
    information.resubmit(submitted, submitted.applicant)
    assert information.tell_staff_of_lapsed_requests(in_days(2)) == 0
    assert not Notification.objects.filter(kind="application.info_lapsed").exists()


def test_the_beat_schedules_the_lapse_task():
    from django.conf import settings

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "applications.lapsed_information_requests" in tasks


# --- Partner teams while staff ask about them -----------------------------------------------------


def closed_and_asked(staff, sections):
    from calls.models import Call

    application = complete_application()
    services.submit_application(application, application.applicant, now=timezone.now() - dt.timedelta(hours=2))
    Call.objects.filter(pk=application.call_id).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    deadline = in_days(7).replace(microsecond=0)
    information.request_information(application, staff, MESSAGE, list(sections), deadline)
    application.refresh_from_db()
    return application, deadline


def test_a_team_added_while_staff_ask_about_the_partners_confirms_until_the_deadline(staff):
    from applications.models import PartnerAnswer
    from applications.partner_links import LinkRefused, expires_at, make_link, read_link
    from applications.partners import answer_as_partner

    application, deadline = closed_and_asked(staff, ["partners"])
    # The team that could not come is replaced (a Tremplin has one partner team).
    drafting.remove_partner(application.partners.get(), application.applicant)
    partner = drafting.add_partner(
        application,
        application.applicant,
        institution="Charité",
        city="Berlin",
        country="DE",
        team_leader="Dr Weber",
        email="weber@charite.example",
        language="en",
    )
    assert Notification.objects.filter(kind="partner.invitation", object_id=partner.pk).exists()
    partner.refresh_from_db()
    token = make_link(partner)
    assert expires_at(token) == deadline
    assert read_link(token, timezone.now()) == (partner, None)
    answer_as_partner(partner, PartnerAnswer.CONFIRMED)
    partner.refresh_from_db()
    assert partner.answer == PartnerAnswer.CONFIRMED
    assert read_link(token, deadline + dt.timedelta(seconds=1)) == (None, LinkRefused.EXPIRED)
    information.resubmit(application, application.applicant)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert read_link(token, timezone.now()) == (None, LinkRefused.CLOSED)


def test_a_request_about_other_sections_takes_no_partner_answer(staff):
    from applications.partner_links import LinkRefused, make_token, read_link

    application, _deadline = closed_and_asked(staff, ["budget"])
    partner = application.partners.get()
    token = make_token(partner.pk, partner.link_version, timezone.now() + dt.timedelta(days=30))
    assert read_link(token, timezone.now()) == (None, LinkRefused.CLOSED)


def test_a_request_on_an_application_withdrawn_meanwhile_never_lapses(submitted, staff):
    ask(submitted, staff, deadline=in_days(1))
    services.withdraw_application(submitted, submitted.applicant)
    assert information.tell_staff_of_lapsed_requests(in_days(2)) == 0
    assert not Notification.objects.filter(kind="application.info_lapsed").exists()


def test_the_co_applicants_who_accepted_are_told_too(submitted, staff):
    from applications.models import CoApplicant

    accepted = ResearcherFactory(language="en")
    CoApplicant.objects.create(application=submitted, email=accepted.email, user=accepted, accepted_at=timezone.now())
    CoApplicant.objects.create(application=submitted, email="invited@example.org")
    ask(submitted, staff)
    told = set(Notification.objects.filter(kind="application.info_requested").values_list("recipient", flat=True))
    assert told == {submitted.applicant_id, accepted.pk}
    notice = Notification.objects.get(kind="application.info_requested", recipient=accepted)
    assert notice.language == "en"
