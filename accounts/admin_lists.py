"""What the admin's lists of tens of thousands of rows a year share (issue 21: each changelist
within 5x the trivial page at a year's scale).

- 50 rows a page: Django admin renders every cell in Python (about 0.3 ms a row for the portal's
  lists on this 2-core machine), so a page of 100 rows costs twice the chrome of the page around
  it; staff reach the rest with the filters, the search and the date drill-down.
- The partner countries a list filters by, kept in the cache (country_lookups below).
- No second COUNT of the whole table for "N results (M total)" (show_full_result_count).
- The actions' checkbox of each row written directly: Django renders a form widget through the
  template engine for each row (a fifth of a page of 50 rows with actions).
"""

from django.contrib.admin import helpers
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_countries import countries


class YearScaleListMixin:
    list_per_page = 50
    show_full_result_count = False

    def action_checkbox(self, obj):
        """The same input as Django's CheckboxInput renders (name, value, class, label)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


# How long a list filter's countries are kept: a country that appears (a first partner team
# there) is offered at most this late; filtering by it works at once (?partner_country=XX).
COUNTRY_LOOKUPS_SECONDS = 600


def country_lookups(name, codes):
    """(code, name) of the countries `codes()` returns, by name in the reader's language, kept in
    the cache: at a year's scale the partner teams' countries are a DISTINCT over 35,000 rows and
    236 names to translate and sort (a third of the applications list's time), on each view."""
    key = f"admin-lists:countries:{name}:{get_language() or ''}"
    lookups = cache.get(key)
    if lookups is None:
        lookups = sorted(((code, str(countries.name(code) or code)) for code in set(codes())), key=lambda item: item[1])
        cache.set(key, lookups, COUNTRY_LOOKUPS_SECONDS)
    return lookups
