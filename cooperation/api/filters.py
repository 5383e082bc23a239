"""The API's filters: each value is checked, and a bad one is a 400 that says why (never a 500).

Country codes are ISO 3166-1 alpha-2 (upper or lower case), instruments their code (TREMPLIN, PRI,
PIC, PCT), years four digits."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from calls.models import Call, Instrument
from projects.models import Project

from ..models import FIRST_YEAR, Site

LAST_YEAR = 2100


class CountryCodeField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value).strip().upper()
        if value and value not in countries:
            raise ValidationError(
                _("“%(code)s” is not a country code (ISO 3166-1 alpha-2, such as FR or JP)."),
                code="invalid_country",
                params={"code": value},
            )
        return value


class CountryFilter(django_filters.CharFilter):
    field_class = CountryCodeField


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


def instrument_filter():
    return django_filters.ChoiceFilter(
        field_name="instrument__code", choices=Instrument.Code.choices, help_text="An instrument's code."
    )


class CallFilter(django_filters.FilterSet):
    OPEN, UPCOMING = "open", "upcoming"

    status = django_filters.ChoiceFilter(
        choices=[(OPEN, OPEN), (UPCOMING, UPCOMING)],
        method="filter_status",
        help_text="open: accepting applications now; upcoming: announced, opening later.",
    )
    instrument = instrument_filter()
    country = CountryFilter(
        method="filter_country",
        help_text="Calls open to a partner in this country: targeting it, or no zone at all.",
    )

    class Meta:
        model = Call
        fields = ["status", "instrument", "country"]

    def filter_status(self, queryset, name, value):
        now = timezone.now()
        return queryset.open_at(now) if value == self.OPEN else queryset.upcoming_at(now)

    def filter_country(self, queryset, name, value):
        # Subqueries rather than joins: each call once, however many zones match.
        targeting = Call.objects.filter(zones__countries__country=value).values("pk")
        with_zones = Call.objects.filter(zones__isnull=False).values("pk")
        return queryset.filter(Q(pk__in=targeting) | ~Q(pk__in=with_zones))


class ProjectFilter(django_filters.FilterSet):
    year = YearFilter(field_name="start_date__year", help_text="The year the project starts.")
    instrument = instrument_filter()
    country = CountryFilter(method="filter_country", help_text="Projects with a partner team in this country.")

    class Meta:
        model = Project
        fields = ["year", "instrument", "country"]

    def filter_country(self, queryset, name, value):
        with_partner = Project.objects.filter(partners__country=value, partners__left_on__isnull=True).values("pk")
        return queryset.filter(pk__in=with_partner)


class SiteFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Site.Kind.choices)
    country = CountryFilter(field_name="country")

    class Meta:
        model = Site
        fields = ["kind", "country"]


class FiguresForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
