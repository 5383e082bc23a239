"""factory_boy factories shared by the test folders. Each app's issue adds its own below."""

from datetime import timedelta
from decimal import Decimal

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


# The figures of the source for each instrument: a factory-made instrument behaves like the real one.
INSTRUMENT_FIGURES = {
    Instrument.Code.TREMPLIN: {
        "name_fr": "Tremplins internationaux",
        "name_en": "International springboards",
        "default_duration_months": 12,
        "ceiling_policy": Instrument.CeilingPolicy.SINGLE,
        "ceiling": Decimal("10000"),
        "min_partners": 1,
        "max_partners": 1,
    },
    Instrument.Code.PRI: {
        "name_fr": "Projets de recherche internationaux",
        "name_en": "International research projects",
        "default_duration_months": 60,
        "ceiling_policy": Instrument.CeilingPolicy.BY_REGION,
        "european_ceiling": Decimal("60000"),
        "non_european_ceiling": Decimal("75000"),
        "min_partners": 1,
        "max_partners": None,
    },
    Instrument.Code.PIC: {
        "name_fr": "Partenariats internationaux clés",
        "name_en": "Key international partnerships",
        "has_calls": False,
        "ceiling_policy": Instrument.CeilingPolicy.NONE,
    },
    Instrument.Code.PCT: {
        "name_fr": "Programmes de coordination thématique",
        "name_en": "Thematic coordination programmes",
        "default_duration_months": 60,
        "ceiling_policy": Instrument.CeilingPolicy.PER_CALL,
        "min_partners": 4,
        "max_partners": 5,
    },
}


def _figure(name, default=None):
    return factory.LazyAttribute(lambda o: INSTRUMENT_FIGURES[o.code].get(name, default))


class InstrumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instrument
        django_get_or_create = ("code",)

    code = Instrument.Code.TREMPLIN
    name_fr = _figure("name_fr")
    name_en = _figure("name_en")
    has_calls = _figure("has_calls", True)
    default_duration_months = _figure("default_duration_months")
    ceiling_policy = _figure("ceiling_policy")
    ceiling = _figure("ceiling")
    european_ceiling = _figure("european_ceiling")
    non_european_ceiling = _figure("non_european_ceiling")
    min_partners = _figure("min_partners", 1)
    max_partners = _figure("max_partners")


class CallFactory(factory.django.DjangoModelFactory):
    """An open call of the instrument, with the instrument's duration, ceilings and partner bounds.

    Zones (PRI) and priority themes (PCT) are many-to-many: pass `zones=[...]` or
    `priority_themes=[...]`."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    instrument = factory.SubFactory(InstrumentFactory)
    year = 2026
    title_fr = factory.Sequence(lambda n: f"Appel Tremplins {n}")
    title_en = factory.Sequence(lambda n: f"Springboards call {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=20))
    status = Call.Status.OPEN
    duration_months = factory.LazyAttribute(lambda o: o.instrument.default_duration_months)
    ceiling = factory.LazyAttribute(lambda o: o.instrument.ceiling)
    european_ceiling = factory.LazyAttribute(lambda o: o.instrument.european_ceiling)
    non_european_ceiling = factory.LazyAttribute(lambda o: o.instrument.non_european_ceiling)
    min_partners = factory.LazyAttribute(lambda o: o.instrument.min_partners)
    max_partners = factory.LazyAttribute(lambda o: o.instrument.max_partners)

    @factory.post_generation
    def zones(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.zones.set(extracted)

    @factory.post_generation
    def priority_themes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.priority_themes.set(extracted)
