"""Drafts not yet submitted: their applicant is reminded 7 days and 1 day before the call closes,
once each, in their language, unless they turned the reminders off."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from applications.reminders import reminder_due, send_draft_reminders
from applications.transfer import transfer_application
from calls.models import Call
from notifications.models import Notification
from notifications.rendering import render_message
from tests.factories import CallFactory

from .factories import ApplicationFactory, ProfileFactory, complete_application

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# A Monday of winter time: 17:00 in Paris is 16:00 UTC.
CLOSES = datetime(2027, 3, 15, 17, 0, tzinfo=PARIS)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


@pytest.fixture
def call():
    return CallFactory(closes_at=CLOSES, title_fr="Tremplins 2027", title_en="Springboards 2027")


@pytest.fixture
def draft(call):
    return ApplicationFactory(call=call, applicant=ProfileFactory().user, title="Neurons abroad")


def reminders():
    return Notification.objects.filter(kind="application.draft_reminder")


@pytest.mark.parametrize(
    ("before_closing", "expected"),
    [
        (7 * DAY + SECOND, None),
        (7 * DAY, 7),
        (6 * DAY + SECOND, 7),
        (6 * DAY, None),
        (DAY + SECOND, None),
        (DAY, 1),
        (SECOND, 1),
        (timedelta(0), None),
        (-SECOND, None),
    ],
)
def test_each_reminder_is_due_in_its_window_to_the_second(draft, before_closing, expected):
    assert reminder_due(before_closing) == expected
    created = send_draft_reminders(now=CLOSES - before_closing)
    assert created == (0 if expected is None else 1)
    assert [n.context["days"] for n in reminders()] == ([] if expected is None else [expected])


def test_hourly_runs_send_the_7_day_and_the_1_day_reminder_once_each(draft):
    sent = []
    moment = CLOSES - 8 * DAY
    while moment <= CLOSES + DAY:
        sent.append(send_draft_reminders(now=moment))
        moment += timedelta(hours=1)
    assert sum(sent) == 2
    notices = list(reminders().order_by("pk"))
    assert [(n.recipient, n.context["days"]) for n in notices] == [(draft.applicant, 7), (draft.applicant, 1)]
    assert all(n.object_id == draft.pk for n in notices)


def test_a_run_missed_sends_the_reminder_due_but_never_the_7_day_one_with_a_day_left(draft):
    assert send_draft_reminders(now=CLOSES - 2 * DAY) == 0  # the 7-day window is over
    assert send_draft_reminders(now=CLOSES - timedelta(hours=20)) == 1
    assert [n.context["days"] for n in reminders()] == [1]


def test_running_again_sends_nothing_twice(draft):
    now = CLOSES - DAY
    assert send_draft_reminders(now=now) == 1
    assert send_draft_reminders(now=now) == 0
    assert send_draft_reminders(now=now + timedelta(hours=3)) == 0
    assert reminders().count() == 1


def test_a_call_moved_later_reminds_again(draft, call):
    assert send_draft_reminders(now=CLOSES - DAY) == 1
    Call.objects.filter(pk=call.pk).update(closes_at=CLOSES + 2 * DAY)
    assert send_draft_reminders(now=CLOSES + DAY) == 1
    assert reminders().count() == 2


@pytest.mark.parametrize("status", [Application.Status.SUBMITTED, Application.Status.WITHDRAWN])
def test_a_submitted_or_withdrawn_application_is_not_reminded(draft, status):
    Application.objects.filter(pk=draft.pk).update(status=status)
    assert send_draft_reminders(now=CLOSES - DAY) == 0
    assert not reminders().exists()


def test_a_call_staff_closed_early_reminds_no_one(draft, call):
    Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)
    assert send_draft_reminders(now=CLOSES - DAY) == 0


def test_a_closed_call_reminds_no_one(draft):
    assert send_draft_reminders(now=CLOSES + SECOND) == 0


def test_an_applicant_who_turned_the_reminders_off_gets_none(draft):
    draft.applicant.draft_reminders = False
    draft.applicant.save(update_fields=["draft_reminders"])
    other = ApplicationFactory(call=draft.call, applicant=ProfileFactory().user)
    assert send_draft_reminders(now=CLOSES - DAY) == 1
    assert [n.recipient for n in reminders()] == [other.applicant]


def test_an_inactive_applicant_gets_none(draft):
    draft.applicant.is_active = False
    draft.applicant.save(update_fields=["is_active"])
    assert send_draft_reminders(now=CLOSES - DAY) == 0


def test_a_transferred_draft_reminds_its_new_lead(draft, staff):
    former = draft.applicant
    assert send_draft_reminders(now=CLOSES - DAY) == 1
    new_lead = ProfileFactory().user
    transfer_application(draft, new_lead, "The lead left the unit.", staff)
    assert send_draft_reminders(now=CLOSES - DAY + SECOND) == 1
    assert [n.recipient for n in reminders().order_by("pk")] == [former, new_lead]


def test_the_sweep_refuses_a_naive_datetime(draft):
    with pytest.raises(ValueError):
        send_draft_reminders(now=datetime(2027, 3, 14, 17, 0))


def test_the_email_is_in_the_applicants_language_with_the_deadline_in_paris_time_and_what_is_missing(call):
    french = ApplicationFactory(call=call, applicant=ProfileFactory().user, title="Neurones", keywords="")
    english = complete_application(call=call, title="Neurons", applicant=ProfileFactory(user__language="en").user)
    send_draft_reminders(now=CLOSES - DAY)

    to_french = render_message(reminders().get(recipient=french.applicant))
    assert to_french.subject == "Rappel : déposez votre brouillon pour Tremplins 2027 avant le 15 mars 2027 17:00"
    assert "L'appel ferme le 15 mars 2027 17:00 (heure de Paris) : il reste moins d'un jour." in to_french.text
    assert "« Neurones »" in to_french.text
    # What the draft lacks, in the steps' own words.
    missing = [line for line in to_french.text.splitlines() if line.startswith("- ")]
    assert missing == [
        "- Donnez au moins un mot-clé.",
        "- Ajoutez au moins une équipe partenaire.",
        "- Ajoutez au moins une ligne de budget.",
        "- Indiquez si la collaboration est nouvelle.",
        "- Déposez la description du projet (PDF).",
    ]
    assert "<li>Donnez au moins un mot-clé.</li>" in to_french.html
    assert f"/fr/applications/{french.pk}/" in to_french.text
    assert f"/fr/applications/{french.pk}/" in to_french.html

    to_english = render_message(reminders().get(recipient=english.applicant))
    assert to_english.subject == "Reminder: submit your draft to Springboards 2027 before March 15, 2027, 17:00"
    assert "closes on March 15, 2027, 17:00 (Paris time): less than a day left." in to_english.text
    assert "Every part is filled in: check the eligibility checklist, then submit it." in to_english.text
    assert "\n- " not in to_english.text
    assert f"/en/applications/{english.pk}/" in to_english.text


def test_the_7_day_email_says_a_week_is_left(draft):
    send_draft_reminders(now=CLOSES - 7 * DAY)
    assert "il reste une semaine" in render_message(reminders().get()).text


def test_the_sweep_costs_the_same_queries_for_2_and_8_drafts(call):
    def queries(drafts):
        for _index in range(drafts):
            ApplicationFactory(call=call, applicant=ProfileFactory().user)
        Notification.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            assert send_draft_reminders(now=CLOSES - DAY) == Application.objects.filter(call=call).count()
        return len(context.captured_queries)

    assert queries(2) == queries(6)


# --- The opt-out, on the call alerts page --------------------------------------------------------


def test_the_alerts_page_turns_the_reminders_off_and_on(client, researcher):
    client.force_login(researcher)
    url = reverse("call_subscriptions")
    page = client.get(url)
    assert page.context["form"]["draft_reminders"].value() is True
    assert 'name="draft_reminders"' in page.content.decode()

    assert client.post(url, {}).status_code == 302
    researcher.refresh_from_db()
    assert researcher.draft_reminders is False
    assert client.get(url).context["form"]["draft_reminders"].value() is False

    client.post(url, {"draft_reminders": "on"})
    researcher.refresh_from_db()
    assert researcher.draft_reminders is True
