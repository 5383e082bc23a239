"""submit_application, create_draft and withdraw_application: the rules on the server's clock."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.audit import events_for
from applications import services
from applications.actions import ApplicationAction
from applications.models import Application
from calls.models import Call, Instrument
from notifications.models import Notification
from tests.factories import CallFactory, InstrumentFactory, ResearcherFactory

from .factories import ApplicationFactory, PartnerFactory, ProfileFactory, complete_application
from .helpers import formset_data, partner_row, step_url

pytestmark = pytest.mark.django_db


def receipts(application):
    return Notification.objects.filter(kind="application.receipt", object_id=application.pk)


def test_submission_freezes_the_report_in_both_languages_and_queues_one_receipt():
    application = complete_application()
    submitted = services.submit_application(application, application.applicant)
    assert submitted.status == Application.Status.SUBMITTED
    assert submitted.reference == "TREMPLIN-2026-0001"
    codes = {entry["code"] for entry in submitted.eligibility_report}
    assert {"call.not_open", "tremplin.applicant_not_eligible", "amount.over_ceiling"} <= codes
    entry = next(e for e in submitted.eligibility_report if e["code"] == "amount.over_ceiling")
    assert entry["outcome"] == "pass"
    assert "8,000 EUR" in entry["message_en"]
    assert "8\xa0000" in entry["message_fr"]  # rendered in French at submission time
    assert receipts(application).count() == 1
    assert events_for(application).filter(action=ApplicationAction.SUBMITTED).count() == 1


def test_second_submit_returns_the_submitted_application_unchanged_without_a_second_receipt():
    application = complete_application()
    first = services.submit_application(application, application.applicant)
    again = services.submit_application(application, application.applicant)
    assert again.reference == first.reference
    assert again.submitted_at == first.submitted_at
    assert receipts(application).count() == 1


def test_double_click_and_retry_in_the_browser_give_one_submission(client):
    application = complete_application()
    client.force_login(application.applicant)
    url = f"/en/applications/{application.pk}/submit/"
    first = client.post(url)
    second = client.post(url, follow=True)
    assert first.status_code == 302
    assert any("already submitted" in str(m) for m in second.context["messages"])
    assert Application.objects.get(pk=application.pk).reference == "TREMPLIN-2026-0001"
    assert receipts(application).count() == 1


def test_a_retry_after_the_deadline_of_an_application_submitted_in_time_still_succeeds():
    application = complete_application()
    services.submit_application(application, application.applicant)
    later = application.call.closes_at + timedelta(hours=1)
    assert services.submit_application(application, application.applicant, now=later).reference


def test_reference_numbers_follow_one_sequence_per_instrument_and_year():
    call = CallFactory()
    other_call = CallFactory()
    refs = [
        services.submit_application(app, app.applicant).reference
        for app in (complete_application(call=call), complete_application(call=other_call))
    ]
    assert refs == ["TREMPLIN-2026-0001", "TREMPLIN-2026-0002"]
    assert services.next_reference("PRI", 2026) == "PRI-2026-0001"
    assert services.next_reference("TREMPLIN", 2027) == "TREMPLIN-2027-0001"


@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_at_the_same_time_give_one_submission_and_distinct_references():
    same = complete_application()
    other = complete_application(call=same.call)
    results, errors = [], []
    barrier = threading.Barrier(3)

    def submit(application):
        try:
            barrier.wait()
            results.append(services.submit_application(application, application.applicant).reference)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(app,)) for app in (same, same, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 2
    assert sorted(set(results)) == ["TREMPLIN-2026-0001", "TREMPLIN-2026-0002"]
    assert receipts(same).count() == 1 and receipts(other).count() == 1


def test_submission_over_the_ceiling_is_refused_with_the_reason_and_nothing_is_frozen(english):
    application = complete_application(amount=Decimal("10000.01"))
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit_application(application, application.applicant)
    assert any("ceiling" in reason for reason in refusal.value.reasons)
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.reference is None and application.eligibility_report == []
    assert not receipts(application).exists()


def test_incomplete_application_is_refused_with_what_is_missing(english):
    application = ApplicationFactory(applicant=ProfileFactory().user, title="", collaboration_is_new=True)
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit_application(application, application.applicant)
    reasons = refusal.value.reasons
    assert "Give a title." in reasons
    assert "Add at least one partner team." in reasons
    assert "Upload the project description (PDF)." in reasons


def test_researcher_without_a_tremplin_profile_cannot_submit():
    application = complete_application()
    profile = application.applicant.researcher_profile
    profile.grade, profile.recruited_on = "DR2", None
    profile.save()
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit_application(application, application.applicant)
    assert any("ATIP-Avenir" in reason for reason in refusal.value.reasons)


def test_only_french_partners_are_refused_by_the_form_and_by_the_rules(client, english):
    application = complete_application()
    application.partners.update(country="FR")
    with pytest.raises(services.SubmissionRefused) as refusal:
        services.submit_application(application, application.applicant)
    assert (
        "At least one partner team must be abroad: France, overseas France included, is not abroad."
        in refusal.value.reasons
    )

    client.force_login(application.applicant)
    partner = application.partners.get()
    response = client.post(
        step_url(application, "partners"),
        formset_data("partners", [partner_row("FR", id=str(partner.pk))], initial=1),
    )
    assert response.status_code == 200
    assert "France, overseas France included, is not abroad" in response.content.decode()


def test_closed_call_refuses_the_submission_on_the_server_clock(english):
    application = complete_application()
    with time_machine.travel(application.call.closes_at + timedelta(seconds=1), tick=False):
        with pytest.raises(services.SubmissionRefused) as refusal:
            services.submit_application(application, application.applicant)
    assert any("closed" in reason for reason in refusal.value.reasons)
    assert Application.objects.get(pk=application.pk).status == Application.Status.DRAFT


def test_the_last_second_before_the_deadline_is_still_in_time():
    application = complete_application()
    with time_machine.travel(application.call.closes_at - timedelta(seconds=1), tick=False):
        assert services.submit_application(application, application.applicant).reference


def test_only_the_applicant_may_submit():
    application = complete_application()
    with pytest.raises(services.SubmissionRefused):
        services.submit_application(application, ResearcherFactory())


def test_one_tremplin_application_per_researcher_and_call(english):
    call = CallFactory()
    researcher = ProfileFactory().user
    first = services.create_draft(researcher, call)
    with pytest.raises(services.ApplicationError) as refusal:
        services.create_draft(researcher, call)
    assert "only one Tremplin application per call" in str(refusal.value)
    services.withdraw_application(first, researcher)
    assert services.create_draft(researcher, call).pk != first.pk


def test_one_tremplin_rule_is_shown_on_the_page(client):
    call = CallFactory()
    researcher = ProfileFactory().user
    services.create_draft(researcher, call)
    client.force_login(researcher)
    response = client.post(f"/en/applications/new/{call.pk}/", follow=True)
    assert "only one Tremplin application per call" in response.content.decode()
    assert Application.objects.filter(applicant=researcher).count() == 1


def test_a_pri_call_accepts_two_applications_of_one_researcher():
    call = CallFactory(instrument=InstrumentFactory(code=Instrument.Code.PRI))
    researcher = ProfileFactory().user
    services.create_draft(researcher, call)
    assert services.create_draft(researcher, call)


def test_no_draft_on_a_closed_call():
    call = CallFactory(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.ApplicationError):
        services.create_draft(ProfileFactory().user, call)
    closed = CallFactory(status=Call.Status.CLOSED)
    with pytest.raises(services.ApplicationError):
        services.create_draft(ProfileFactory().user, closed)


def test_a_reviewer_who_is_not_a_researcher_cannot_start_a_draft(reviewer):
    with pytest.raises(services.ApplicationError):
        services.create_draft(reviewer, CallFactory())


def test_withdrawal_is_possible_until_the_call_closes():
    application = complete_application()
    services.submit_application(application, application.applicant)
    with time_machine.travel(application.call.closes_at, tick=False):
        with pytest.raises(services.ApplicationError):
            services.withdraw_application(application, application.applicant)
    withdrawn = services.withdraw_application(application, application.applicant)
    assert withdrawn.status == Application.Status.WITHDRAWN and withdrawn.withdrawn_at


def test_reviews_move_a_submitted_application_along_the_state_machine_only():
    application = complete_application()
    with pytest.raises(services.ApplicationError):
        services.change_status(application, Application.Status.IN_REVIEW)
    services.submit_application(application, application.applicant)
    assert services.change_status(application, "in_review").status == "in_review"
    with pytest.raises(services.ApplicationError):
        services.withdraw_application(application, application.applicant)
    assert services.change_status(application, "decided").status == "decided"


def test_partner_factory_defaults_are_abroad():
    assert PartnerFactory().country.code == "JP"
