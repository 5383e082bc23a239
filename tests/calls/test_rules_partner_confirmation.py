"""A call may require every partner team's confirmation before submission (issue 17): none, one
or every team confirmed, a team that declined; required or only reported."""

import dataclasses
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from calls import rules
from calls.models import Call, Instrument
from calls.rules import Outcome, check_partners_confirmed
from tests.factories import CallFactory, InstrumentFactory

from .facts import finding, paris, pri_facts, proposal

NOW = paris(2026, 11, 2, 10)


def answers(*values):
    return dataclasses.replace(proposal(partners=("DE",) * len(values)), partner_answers=tuple(values))


@pytest.mark.parametrize(
    "given, outcome",
    [
        (("waiting", "waiting"), Outcome.FAIL),
        (("confirmed", "waiting"), Outcome.FAIL),
        (("confirmed", "declined"), Outcome.FAIL),
        (("confirmed", "confirmed"), Outcome.PASS),
        (("confirmed",), Outcome.PASS),
    ],
)
def test_a_call_requiring_confirmation_fails_until_every_team_has_confirmed(given, outcome):
    findings = rules.check_application(None, pri_facts(partners_must_confirm=True), answers(*given), NOW)
    assert finding(findings, "partners.confirmed").outcome == outcome
    assert rules.is_eligible(findings) == (outcome == Outcome.PASS)


@pytest.mark.parametrize(
    "given, outcome",
    [(("waiting", "declined"), Outcome.WARNING), (("confirmed", "confirmed"), Outcome.PASS)],
)
def test_a_call_not_requiring_it_only_reports_the_answers(given, outcome):
    findings = rules.check_application(None, pri_facts(partners_must_confirm=False), answers(*given), NOW)
    assert finding(findings, "partners.confirmed").outcome == outcome
    assert rules.is_eligible(findings)


def test_the_message_names_how_many_wait_and_how_many_declined():
    result = check_partners_confirmed(pri_facts(partners_must_confirm=True), answers("waiting", "declined", "waiting"))
    with translation.override("en"):
        message = str(result.message)
    assert "waiting for an answer: 2" in message and "declined: 1" in message


def test_no_partner_yet_says_nothing_here():
    empty = dataclasses.replace(proposal(partners=()), amount=Decimal("0"))
    assert check_partners_confirmed(pri_facts(partners_must_confirm=True), empty) is None


def call_page(call):
    with translation.override("en"):
        return reverse("call_detail", args=[call.pk])


@pytest.mark.django_db
def test_a_new_call_takes_the_setting_of_its_instrument_and_the_page_states_it(client):
    instrument = InstrumentFactory(code=Instrument.Code.PRI, partners_must_confirm=True)
    call = CallFactory(instrument=instrument, partners_must_confirm=instrument.partners_must_confirm)
    assert instrument.call_defaults()["partners_must_confirm"] is True
    assert call.facts().partners_must_confirm is True
    html = client.get(call_page(call)).content.decode()
    assert "Every partner team must confirm its participation before you submit" in html
    Call.objects.filter(pk=call.pk).update(partners_must_confirm=False)
    html = client.get(call_page(call)).content.decode()
    assert "you may submit before they answer" in html
