"""factory_boy factories shared by the test folders. Each app's issue adds its own below."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from calls.models import Call, Instrument

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ResearcherFactory(UserFactory):
    is_researcher = True


class ReviewerFactory(UserFactory):
    is_reviewer = True


class StaffFactory(UserFactory):
    is_staff = True
    is_superuser = True


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ("code",)

    code = Instrument.Code.TREMPLIN
    name_fr = "Tremplins internationaux"
    name_en = "International springboards"


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    instrument = factory.SubFactory(InstrumentFactory)
    year = 2026
    title_fr = factory.Sequence(lambda n: f"Appel Tremplins {n}")
    title_en = factory.Sequence(lambda n: f"Springboards call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    status = Call.Status.OPEN
