"""The open API (issue 19): read-only lists of the open and upcoming calls, the funded projects,
the sites abroad and the yearly figures; its OpenAPI schema and documentation page.

Every list is paginated (50 a page, up to 200 with ?page_size=), filtered (a bad value is a 400
that says why), throttled per IP address, and answers a conditional GET with 304 (ETag). Each
costs the same number of queries whatever the number of rows."""

from django.db.models import Prefetch
from django.middleware.http import ConditionalGetMiddleware
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import decorator_from_middleware
from django.views.generic import TemplateView
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts import page_cache
from calls.models import Call, Zone, ZoneCountry
from projects.models import Project, ProjectPartner

from ..models import Site
from . import filters, serializers
from .figures import figures_of, years_with_figures

#: Answers a GET whose If-None-Match holds the response's ETag (a hash of its body) with a 304.
conditional = decorator_from_middleware(ConditionalGetMiddleware)


class CachedList:
    """A list's page of data, kept until the portal's data change (accounts/page_cache.py): the
    same for every reader of a URL, since the API shows public fields only. The throttle and the
    filters' validation run first, on every request (a bad filter is never kept)."""

    def list(self, request, *args, **kwargs):
        data = page_cache.value(
            f"api.{type(self).__name__}",
            lambda: super(CachedList, self).list(request, *args, **kwargs).data,
            args=(request.get_host(), request.get_full_path()),  # its links name the host
        )
        return Response(data)


class CallList(CachedList, generics.ListAPIView):
    """Calls for projects open now or announced (opening later), the next deadline first."""

    serializer_class = serializers.CallSerializer
    filterset_class = filters.CallFilter

    def get_queryset(self):
        zones = Prefetch(
            "zones",
            queryset=Zone.objects.order_by("code").prefetch_related(
                Prefetch("countries", ZoneCountry.objects.order_by("country"))
            ),
        )
        return (
            Call.objects.listed_at(getattr(self, "now", None) or timezone.now())
            .select_related("instrument")
            .prefetch_related(zones)
            .order_by("closes_at", "id")
        )

    def initial(self, request, *args, **kwargs):
        self.now = timezone.now()
        super().initial(request, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": getattr(self, "now", timezone.now())}


class ProjectList(CachedList, generics.ListAPIView):
    """Funded projects: public fields only (never the lead, a team leader or an address)."""

    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter

    def get_queryset(self):
        partners = Prefetch(
            "partners",
            queryset=ProjectPartner.objects.filter(left_on__isnull=True).order_by("id"),
            to_attr="current_partners",
        )
        return Project.objects.select_related("instrument").prefetch_related(partners).order_by("-start_date", "-id")


class SiteList(CachedList, generics.ListAPIView):
    """Inserm's sites abroad: joint units, PRI cities, research networks, ANRS-MIE sites, offices."""

    serializer_class = serializers.SiteSerializer
    filterset_class = filters.SiteFilter
    queryset = Site.objects.order_by("kind", "country", "city", "pk")


@extend_schema(
    parameters=[OpenApiParameter("year", int, description="One year (its figures even if nothing was declared).")]
)
class FiguresList(generics.GenericAPIView):
    """Each year's figures, the latest first: declared cooperations, countries, agreements in
    force, co-publications; each entered by staff (with its source) or computed from the register."""

    serializer_class = serializers.FiguresSerializer
    filter_backends = []

    def get(self, request, *args, **kwargs):
        form = filters.FiguresForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        year = form.cleaned_data.get("year")
        years = [year] if year is not None else years_with_figures()
        page = self.paginate_queryset(years)
        serializer = self.get_serializer(figures_of(page), many=True)
        return self.get_paginated_response(serializer.data)


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI 3 schema in JSON, in English whatever the visitor's language (?lang=fr for French)."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        with translation.override(request.GET.get("lang") or "en"):
            return super().get(request, *args, **kwargs)


class ApiDocsView(TemplateView):
    """The API's documentation (Swagger UI from drf-spectacular-sidecar, no CDN), started by
    static/js/api-docs.js from the schema address in a data- attribute: no inline script, so the
    Content-Security-Policy holds. In English, as the API's own descriptions."""

    template_name = "cooperation/api_docs.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "schema_url": reverse("api:schema")}
