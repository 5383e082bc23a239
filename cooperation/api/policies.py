"""The API's policies, named in settings.REST_FRAMEWORK: pagination and throttling. Apart from the
views, which DRF's generic views import these from settings while they load."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class Pagination(PageNumberPagination):
    """Page numbers from 1; ?page_size= from 1 to 200. A page or size that is not such a number is
    a 400 (DRF would quietly use the default); a page past the last is DRF's 404."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def _positive(self, request, name, maximum=None):
        raw = request.query_params.get(name)
        if raw is None or (name == self.page_query_param and raw in self.last_page_strings):
            return None
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1 or (maximum is not None and value > maximum):
            if maximum is None:
                message = _("A page number is a whole number from 1.")
            else:
                message = _("A page size is a whole number from 1 to %(maximum)s.") % {"maximum": maximum}
            raise ValidationError({name: [message]})
        return value

    def paginate_queryset(self, queryset, request, view=None):
        self._positive(request, self.page_query_param)
        self._positive(request, self.page_size_query_param, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)


class AnonymousThrottle(AnonRateThrottle):
    """Per IP address, at the rate of REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"], read at
    each request (DRF reads it once at import, so a test's settings could not lower or raise it)."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
