"""What the API shows of each object: public fields only, both languages side by side.

Nothing here names a person: no lead, applicant, team leader, e-mail address or unit
(tests/cooperation/test_api.py walks every endpoint and field to make sure)."""

from decimal import Decimal

from django.urls import reverse
from django.utils import translation
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.models import Call, Instrument, Zone
from projects.models import Project, ProjectPartner

from ..models import Site


class InstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = ["code", "name_fr", "name_en"]


class ZoneSerializer(serializers.ModelSerializer):
    countries = serializers.SerializerMethodField(help_text="ISO 3166-1 alpha-2 codes of the zone's countries.")

    class Meta:
        model = Zone
        fields = ["code", "name_fr", "name_en", "countries"]

    def get_countries(self, zone) -> list[str]:
        return sorted(row.country.code for row in zone.countries.all())


class CeilingsSerializer(serializers.Serializer):
    """A call's ceilings in euros (decimal strings); null where the call has none of that kind."""

    ceiling = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    european_ceiling = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    non_european_ceiling = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    currency = serializers.CharField(default="EUR")


class CallSerializer(serializers.ModelSerializer):
    instrument = InstrumentSerializer()
    status = serializers.SerializerMethodField(help_text="open (accepting applications) or upcoming.")
    opens_at = serializers.DateTimeField(help_text="ISO 8601, Paris time.")
    closes_at = serializers.DateTimeField(help_text="ISO 8601, Paris time: the deadline.")
    eligibility_fr = serializers.CharField(source="instrument.description_fr", help_text="Who may apply (French).")
    eligibility_en = serializers.CharField(source="instrument.description_en", help_text="Who may apply (English).")
    ceilings = serializers.SerializerMethodField()
    zones = ZoneSerializer(many=True, help_text="The targeted zones; none: every country.")
    countries = serializers.SerializerMethodField(
        help_text="ISO codes of the targeted countries; empty: every country."
    )
    url_fr = serializers.SerializerMethodField(help_text="The call's public page, in French.")
    url_en = serializers.SerializerMethodField(help_text="The call's public page, in English.")

    class Meta:
        model = Call
        fields = [
            "id",
            "instrument",
            "year",
            "title_fr",
            "title_en",
            "status",
            "opens_at",
            "closes_at",
            "eligibility_fr",
            "eligibility_en",
            "duration_months",
            "min_partners",
            "max_partners",
            "ceilings",
            "zones",
            "countries",
            "url_fr",
            "url_en",
        ]

    def get_status(self, call) -> str:
        return "upcoming" if call.is_upcoming_at(self.context["now"]) else "open"

    @extend_schema_field(CeilingsSerializer)
    def get_ceilings(self, call):
        return CeilingsSerializer(call).data

    def get_countries(self, call) -> list[str]:
        return sorted({row.country.code for zone in call.zones.all() for row in zone.countries.all()})

    def _url(self, call, language):
        with translation.override(language):
            path = reverse("call_detail", args=[call.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url_fr(self, call) -> str:
        return self._url(call, "fr")

    def get_url_en(self, call) -> str:
        return self._url(call, "en")


class PartnerSerializer(serializers.ModelSerializer):
    """A partner team by its institution only (never its team leader or e-mail address)."""

    country = serializers.CharField(source="country.code")

    class Meta:
        model = ProjectPartner
        fields = ["institution", "city", "country"]


class ProjectSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code", help_text="The instrument's code.")
    year = serializers.IntegerField(source="start_date.year", help_text="The year the project starts.")
    awarded = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Amount awarded, in euros.")
    currency = serializers.SerializerMethodField()
    partners = PartnerSerializer(source="current_partners", many=True, help_text="The current partner teams.")
    countries = serializers.SerializerMethodField(help_text="ISO codes of the partner teams' countries.")

    class Meta:
        model = Project
        fields = [
            "reference",
            "title",
            "instrument",
            "year",
            "start_date",
            "end_date",
            "status",
            "awarded",
            "currency",
            "partners",
            "countries",
        ]

    def get_currency(self, project) -> str:
        return "EUR"

    def get_countries(self, project) -> list[str]:
        return sorted({partner.country.code for partner in project.current_partners})


class SiteSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", help_text="ISO 3166-1 alpha-2.")
    latitude = serializers.DecimalField(max_digits=8, decimal_places=5, coerce_to_string=False)
    longitude = serializers.DecimalField(max_digits=8, decimal_places=5, coerce_to_string=False)

    class Meta:
        model = Site
        fields = [
            "id",
            "name_fr",
            "name_en",
            "kind",
            "network",
            "city",
            "country",
            "latitude",
            "longitude",
            "active_from",
            "active_until",
        ]


@extend_schema_field(
    {"oneOf": [{"type": "integer"}, {"type": "string", "format": "decimal"}], "nullable": True},
)
class FigureValueField(serializers.Field):
    """A count (an integer) or a share in per cent (a decimal string); null when unknown."""

    def to_representation(self, value):
        return str(value) if isinstance(value, Decimal) else value


class FigureSerializer(serializers.Serializer):
    value = FigureValueField()
    entered = serializers.BooleanField(
        help_text="true: entered by staff (see source); false: computed from the register."
    )
    source = serializers.CharField(allow_null=True, help_text="Where an entered figure comes from; null if computed.")


class FiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    declared_cooperations = FigureSerializer()
    countries = FigureSerializer()
    agreements_in_force = FigureSerializer()
    international_copublications = FigureSerializer()
    international_share = FigureSerializer(help_text="Share of Inserm's publications, per cent.")
    eu_copublications = FigureSerializer()
    eu_share = FigureSerializer(help_text="Share of Inserm's publications with the EU, per cent.")

    def to_representation(self, instance):
        flat = {"year": instance["year"]}
        for name, figure in instance["figures"].items():
            flat[name] = {**figure, "source": (instance["source"] or None) if figure["entered"] else None}
        return super().to_representation(flat)
