"""The staff's project list filters (django-filter), shared by the list and its exports."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from calls.models import Call, Instrument, Zone, ZoneCountry

from . import selectors
from .models import Project

YES, NO = "yes", "no"


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text", label=_("Search"), help_text=_("Reference, title or lead researcher's name.")
    )
    instrument = django_filters.ModelChoiceFilter(
        queryset=Instrument.objects.order_by("code"),
        to_field_name="code",
        label=_("Instrument"),
        empty_label=_("All instruments"),
    )
    call = django_filters.ModelChoiceFilter(
        queryset=Call.objects.filter(Exists(Project.objects.filter(call=OuterRef("pk")))).order_by("-year", "pk"),
        label=_("Call"),
        empty_label=_("All calls"),
    )
    year = django_filters.NumberFilter(field_name="call__year", label=_("Year of the call"), min_value=2000)
    zone = django_filters.ModelChoiceFilter(
        queryset=Zone.objects.all(),
        to_field_name="code",
        method="filter_zone",
        label=_("Zone of a partner team"),
        empty_label=_("All zones"),
    )
    country = django_filters.ChoiceFilter(
        choices=countries, method="filter_country", label=_("Country of a partner team"), empty_label=_("All countries")
    )
    status = django_filters.ChoiceFilter(
        choices=Project.Status.choices, label=_("Status"), empty_label=_("All statuses")
    )
    overdue = django_filters.ChoiceFilter(
        choices=[(YES, _("With an overdue report")), (NO, _("No overdue report"))],
        method="filter_overdue",
        label=_("Overdue reports"),
        empty_label=_("All projects"),
    )

    class Meta:
        model = Project
        fields = ["q", "instrument", "call", "year", "zone", "country", "status", "overdue"]

    def fields_for_page(self):
        """(bound field, options) of each filter, options None for a text or number input. The page
        writes the selects itself (as the calls' list does: Django's widget templates cost more
        than the rows), reading each choice list once."""
        return [(self.form[name], self._options(field)) for name, field in self.form.fields.items()]

    @staticmethod
    def _options(field):
        if not hasattr(field, "choices"):
            return None
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            return list(field.choices)
        options = [] if field.empty_label is None else [("", field.empty_label)]
        return options + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in queryset.all()]

    def filter_text(self, queryset, name, value):
        query = Q()
        for word in value.split()[:10]:
            query &= (
                Q(reference__icontains=word)
                | Q(title__icontains=word)
                | Q(lead__first_name__icontains=word)
                | Q(lead__last_name__icontains=word)
            )
        return queryset.filter(query)

    def filter_zone(self, queryset, name, zone):
        countries_of_zone = ZoneCountry.objects.filter(zone=zone).values("country")
        partners = selectors.current_partners().filter(project=OuterRef("pk"), country__in=countries_of_zone)
        return queryset.filter(Exists(partners))

    def filter_country(self, queryset, name, code):
        return queryset.filter(Exists(selectors.current_partners().filter(project=OuterRef("pk"), country=code)))

    def filter_overdue(self, queryset, name, value):
        return selectors.with_overdue_reports(queryset, overdue=value == YES)
