"""Opening a call notifies every subscriber of its instrument in a constant number of queries."""

import base64
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from notifications import services
from notifications.models import Notification, Subscription
from tests.factories import CallFactory

CALL_OPENED = {
    "call_title_fr": "Tremplins internationaux 2026",
    "call_title_en": "International springboards 2026",
    "instrument_code": "TREMPLIN",
    "closes_at": "2026-06-30T12:00:00+02:00",
    "url_path": "/calls/3/",
}


def subscribe(topic, count, prefix):
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", password="!", is_researcher=True, language=("fr", "en")[n % 2])
        for n in range(count)
    )
    Subscription.objects.bulk_create(Subscription(user=user, topic=topic) for user in users)
    return users


def queued_notification_ids(broker):
    """The notification ids of the delivery messages waiting in Redis."""
    with broker.connection_for_write() as conn:
        raw = conn.default_channel.client.lrange(broker.conf.task_default_queue, 0, -1)
    ids = []
    for item in raw:
        message = json.loads(item)
        args = json.loads(base64.b64decode(message["body"]))[0]
        assert message["headers"]["task"] in {"notifications.deliver", "notifications.deliver_batch"}
        ids.extend(args[0] if isinstance(args[0], list) else args)
    return ids


def open_call(topic, call):
    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            count = services.notify_topic(topic, "call.opened", CALL_OPENED, target=call)
    return count, len(queries.captured_queries)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_opening_a_call_for_1000_subscribers_queues_1000_notifications_in_constant_queries(broker):
    small_call, big_call = CallFactory(), CallFactory()
    subscribe("instrument:PRI", 10, "pri")
    subscribers = subscribe("instrument:TREMPLIN", 1000, "tremplin")
    subscribe("instrument:OTHER", 5, "other")
    ContentType.objects.get_for_model(big_call)  # warm the content type cache for both runs

    assert open_call("instrument:PRI", small_call)[0] == 10
    small_count, small_queries = open_call("instrument:PRI", small_call)
    big_count, big_queries = open_call("instrument:TREMPLIN", big_call)

    assert (small_count, big_count) == (10, 1000)
    # BEGIN, SELECT subscribers, one INSERT, COMMIT, then on commit one UPDATE of queued_at.
    assert big_queries == small_queries == 5
    created = Notification.objects.filter(object_id=big_call.pk, kind="call.opened")
    assert set(created.values_list("recipient_id", flat=True)) == {user.pk for user in subscribers}
    assert created.filter(language="en").count() == 500
    assert not created.filter(queued_at__isnull=True).exists()
    created_ids = set(created.values_list("pk", flat=True))
    queued = [pk for pk in queued_notification_ids(broker) if pk in created_ids]
    assert sorted(queued) == sorted(created_ids)  # each of the 1,000 queued exactly once
    en = created.filter(language="en").first()
    assert en.subject == "New call open: International springboards 2026"
    assert created.filter(language="fr").first().subject == "Nouvel appel ouvert : Tremplins internationaux 2026"


@pytest.mark.django_db
def test_inactive_subscribers_are_not_notified():
    active, inactive = subscribe("instrument:PRI", 2, "pri")
    inactive.is_active = False
    inactive.save()

    assert services.notify_topic("instrument:PRI", "call.opened", CALL_OPENED) == 1
    assert Notification.objects.get().recipient == active


@pytest.mark.django_db
def test_topic_without_subscribers_creates_nothing():
    assert services.notify_topic("instrument:NOBODY", "call.opened", CALL_OPENED) == 0
    assert not Notification.objects.exists()
