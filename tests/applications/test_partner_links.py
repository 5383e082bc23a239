"""The signed link of a partner team: one partner, one version, until the call closes (to the
second), refused when tampered with, replaced or once the application is no longer a draft."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import signing

from applications.models import Application
from applications.partner_links import SALT, LinkRefused, expires_at, make_link, make_token, read_link

from .factories import PartnerFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
CLOSES = datetime(2026, 5, 12, 12, 0, 0, tzinfo=PARIS)


@pytest.fixture
def partner():
    partner = PartnerFactory(
        application__call__opens_at=CLOSES - timedelta(days=60), application__call__closes_at=CLOSES
    )
    return partner


def test_a_link_opens_its_partner_a_second_before_the_call_closes(partner):
    token = make_link(partner)
    assert read_link(token, CLOSES - timedelta(seconds=1)) == (partner, None)
    assert expires_at(token) == CLOSES


def test_a_link_is_refused_at_the_second_the_call_closes_and_after(partner):
    token = make_link(partner)
    assert read_link(token, CLOSES) == (None, LinkRefused.EXPIRED)
    assert read_link(token, CLOSES + timedelta(days=1)) == (None, LinkRefused.EXPIRED)


def test_a_link_changed_by_one_character_or_signed_with_another_salt_is_refused(partner):
    token = make_link(partner)
    now = CLOSES - timedelta(days=1)
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert read_link(changed, now) == (None, LinkRefused.TAMPERED)
    assert read_link("", now) == (None, LinkRefused.TAMPERED)
    forged = signing.dumps({"p": partner.pk, "v": 1, "e": int(CLOSES.timestamp())}, salt="another")
    assert read_link(forged, now) == (None, LinkRefused.TAMPERED)
    assert signing.loads(token, salt=SALT)["p"] == partner.pk


def test_a_link_signed_later_than_the_call_cannot_outlive_it(partner):
    late = make_token(partner.pk, partner.link_version, CLOSES + timedelta(days=30))
    assert read_link(late, CLOSES + timedelta(seconds=1)) == (None, LinkRefused.CLOSED)


def test_an_older_link_dies_when_the_link_is_sent_again(partner):
    old = make_link(partner)
    partner.link_version += 1
    partner.save(update_fields=["link_version"])
    now = CLOSES - timedelta(days=1)
    assert read_link(old, now) == (None, LinkRefused.REPLACED)
    assert read_link(make_link(partner), now) == (partner, None)


def test_a_link_of_an_application_no_longer_a_draft_or_of_a_partner_removed_is_refused(partner):
    token = make_link(partner)
    now = CLOSES - timedelta(days=1)
    Application.objects.filter(pk=partner.application_id).update(status=Application.Status.WITHDRAWN)
    assert read_link(token, now) == (None, LinkRefused.CLOSED)
    partner.delete()
    assert read_link(token, now) == (None, LinkRefused.TAMPERED)
