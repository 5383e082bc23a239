"""A researcher chooses the instruments whose new calls they hear about."""

import pytest

from calls import services
from calls.models import Call, Instrument
from notifications.models import Notification
from notifications.services import set_subscriptions, subscribed_topics
from tests.factories import CallFactory, InstrumentFactory, ResearcherFactory, ReviewerFactory, StaffFactory

pytestmark = pytest.mark.django_db
URL = "/en/calls/alerts/"


@pytest.fixture
def instruments():
    return [InstrumentFactory(code=code) for code in Instrument.Code.values]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("factory", [ReviewerFactory, StaffFactory])
def test_only_researchers_may_set_call_alerts(client, factory):
    """The portal's one answer to "not for you": 404, as the other role pages (accounts.access)."""
    client.force_login(factory(is_researcher=False))
    assert client.get(URL).status_code == 404


def test_the_page_offers_the_instruments_that_have_calls(client, researcher, instruments):
    client.force_login(researcher)
    page = client.get(URL).content.decode()
    assert 'value="TREMPLIN"' in page and 'value="PRI"' in page and 'value="PCT"' in page
    assert 'value="PIC"' not in page


def test_a_researcher_subscribes_and_sees_the_boxes_ticked(client, researcher, instruments):
    client.force_login(researcher)
    response = client.post(URL, {"instruments": ["TREMPLIN", "PCT"]}, follow=True)
    # Spelt out once here: the topics are stored, a change of Instrument.topic must be deliberate.
    assert subscribed_topics(researcher) == {"instrument:TREMPLIN", "instrument:PCT"}
    page = response.content.decode()
    assert "Your call alerts are saved." in page
    assert page.count("checked") == 2


def test_unticking_every_box_keeps_subscriptions_to_other_topics(client, researcher, instruments):
    set_subscriptions(researcher, [Instrument(code="PRI").topic, "digest:weekly"])
    client.force_login(researcher)
    client.post(URL, {})
    assert subscribed_topics(researcher) == {"digest:weekly"}


def test_the_alert_ticked_on_the_page_is_the_one_a_call_opening_notifies(client, researcher, instruments, staff):
    client.force_login(researcher)
    client.post(URL, {"instruments": ["TREMPLIN"]})
    client.force_login(ResearcherFactory())
    client.post(URL, {"instruments": ["PRI", "PCT"]})
    services.open_call(CallFactory(instrument=InstrumentFactory(code="TREMPLIN"), status=Call.Status.DRAFT), staff)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [researcher.pk]


def test_an_unknown_instrument_is_refused_with_a_message(client, researcher, instruments):
    client.force_login(researcher)
    response = client.post(URL, {"instruments": ["PIC"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert subscribed_topics(researcher) == set()


def test_researchers_find_the_page_in_the_menu(client, researcher):
    client.force_login(researcher)
    assert f'href="{URL}"' in client.get("/en/").content.decode()
