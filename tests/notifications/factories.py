import factory

from notifications.models import Notification, Subscription
from tests.factories import ResearcherFactory, UserFactory


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    user = factory.SubFactory(ResearcherFactory)
    topic = "instrument:TREMPLIN"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "application.receipt"
    language = factory.SelfAttribute("recipient.language")
    context = factory.LazyFunction(
        lambda: {"reference": "TREMPLIN-2026-0001", "application_title": "Cohorte", "url_path": "/applications/1/"}
    )
    status = Notification.Status.PENDING
