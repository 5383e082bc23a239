"""Factories of the calls app beyond the shared Instrument and Call factories."""

import factory

from calls.models import InstitutionalAgreement, PriorityTheme, RotationYear, Zone, ZoneCountry


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"zone-{n}")
    name_fr = factory.Sequence(lambda n: f"Zone {n}")
    name_en = factory.Sequence(lambda n: f"Zone {n}")

    @factory.post_generation
    def countries(obj, create, extracted, **kwargs):
        """ZoneFactory(countries=["JP", "CN"]) puts those countries in the zone."""
        if create and extracted:
            ZoneCountry.objects.bulk_create([ZoneCountry(zone=obj, country=code) for code in extracted])


class RotationYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RotationYear
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2030 + n)

    @factory.post_generation
    def zones(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.zones.set(extracted)


class PriorityThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityTheme
        django_get_or_create = ("code",)

    code = "ageing"
    name_fr = "Vieillissement en bonne santé"
    name_en = "Healthy ageing"


class InstitutionalAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionalAgreement

    partner_institution = factory.Sequence(lambda n: f"Institute {n}")
    country = "US"
