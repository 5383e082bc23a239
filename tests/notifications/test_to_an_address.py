"""The outbox writes to someone without an account (a partner team's leader): an address, in the
language given, named by the context."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from notifications import services
from notifications.models import Notification
from tests.factories import ResearcherFactory

pytestmark = pytest.mark.django_db

RECEIPT = {"reference": "PRI-2026-0001", "application_title": "Cohorts", "url_path": "/applications/1/"}


def test_a_notification_to_an_address_is_delivered_there_in_the_language_given(mailoutbox):
    notification = services.notify(
        None, "application.receipt", {**RECEIPT, "recipient_name": "Ana Souza"}, to_email="ana@usp.br", language="fr"
    )
    assert notification.recipient is None
    assert notification.language == "fr"
    assert services.deliver(notification.pk).result == "sent"
    assert [message.to for message in mailoutbox] == [["ana@usp.br"]]
    assert mailoutbox[0].extra_headers["Content-Language"] == "fr"
    assert "ana@usp.br" in str(notification)


def test_notify_many_writes_to_users_and_addresses_alike():
    user = ResearcherFactory()
    created = services.notify_many(
        [
            services.Message(recipient=user, kind="application.receipt", context=RECEIPT),
            services.Message(
                recipient=None, kind="application.receipt", context=RECEIPT, to_email="lee@nus.sg", language="en"
            ),
        ]
    )
    assert [(n.recipient, n.to_email) for n in created] == [(user, ""), (None, "lee@nus.sg")]


def test_an_address_needs_its_language_and_a_valid_address_and_never_comes_with_a_user():
    with pytest.raises(ValueError):
        services.notify(None, "application.receipt", RECEIPT, to_email="ana@usp.br")
    with pytest.raises(ValidationError):
        services.notify(None, "application.receipt", RECEIPT, to_email="not an address", language="en")
    with pytest.raises(ValueError):
        services.notify(ResearcherFactory(), "application.receipt", RECEIPT, to_email="ana@usp.br", language="en")
    with pytest.raises(ValueError):
        services.notify(None, "application.receipt", RECEIPT, language="en")
    assert not Notification.objects.exists()


def test_the_database_refuses_a_row_with_both_or_neither():
    user = ResearcherFactory()
    for recipient, address in ((user, "ana@usp.br"), (None, "")):
        with pytest.raises(IntegrityError), transaction.atomic():
            Notification.objects.create(
                recipient=recipient, to_email=address, kind="application.receipt", language="en"
            )
