"""The public page "Inserm in the world" (/fr/international/, /en/international/): the year's
figures, the world map (countries shaded by number of cooperations, the sites as markers by
type), a country's cooperations, sites and funded projects, and the same data as a table.

Open to everyone, anonymous visitors included: nothing personal is shown (no name, no e-mail)."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from accounts import page_cache
from calls.models import Instrument

from . import register, world_map, world_selectors
from .models import Site
from .world_forms import WorldFilter

PER_PAGE = 50
PROJECTS_SHOWN = 50

#: Each kind of site: the marker's shape (cooperation.world_map.MARKER_SHAPES); its colour is the
#: CSS class site-<kind> (static/css/world.css).
MARKER_OF_KIND = {
    Site.Kind.JOINT_UNIT: "star",
    Site.Kind.PRI_CITY: "circle",
    Site.Kind.NETWORK: "square",
    Site.Kind.ANRS_SITE: "triangle",
    Site.Kind.OFFICE: "diamond",
}
#: Sites at the same place (Abidjan's PRI and ANRS-MIE site) are drawn side by side, this far apart.
MARKER_SPREAD = 7

FIGURES = (
    "declared_cooperations",
    "countries",
    "agreements_in_force",
    "international_copublications",
    "international_share",
    "eu_copublications",
    "eu_share",
)


def number(value):
    """A figure as the page's language writes it: 6 580 (fr) or 6,580 (en); "—" when unknown."""
    if value is None:
        return "—"
    places = 0 if value == int(value) else 1
    return formats.number_format(value, places, use_l10n=True, force_grouping=True)


def percent(value):
    """A share: "52 %" in French (a narrow no-break space before the sign), "52%" in English."""
    if value is None:
        return "—"
    space = "\u202f" if (get_language() or "fr").startswith("fr") else ""
    return f"{number(value)}{space}%"


def breaks(highest):
    """The upper bounds of up to five classes from 1 to `highest`, on a geometric scale (a country
    with 3 cooperations and one with 300 both stand out): highest 100 → 3, 6, 16, 40, 100."""
    bounds = []
    for step in range(1, 6):
        bound = max(round(highest ** (step / 5)), bounds[-1] + 1 if bounds else 1)
        if bound >= highest:
            bounds.append(highest)
            break
        bounds.append(bound)
    return bounds if highest > 0 else []


def shade(count, bounds):
    """The CSS class of a country with `count` cooperations: c0 (none) to c5 (the most)."""
    if not count:
        return "c0"
    for index, bound in enumerate(bounds):
        if count <= bound:
            # Fewer than five classes use the darker end of the scale too (c5 is always the top).
            return f"c{5 - len(bounds) + index + 1}"
    return "c5"


def legend(bounds):
    entries = [{"cls": "c0", "label": _("No declared cooperation")}]
    low = 1
    for bound in bounds:
        if low == bound:
            label = ngettext("%(n)s cooperation", "%(n)s cooperations", bound) % {"n": number(bound)}
        else:
            label = _("%(low)s to %(high)s cooperations") % {"low": number(low), "high": number(bound)}
        entries.append({"cls": shade(bound, bounds), "label": label})
        low = bound + 1
    return entries


def country_name(code):
    return str(countries.name(code) or code)


def country_label(name, cooperations, sites):
    """ "Japan: 12 cooperations, 1 site" (the link's accessible name and tooltip)."""
    return _("%(country)s: %(cooperations)s, %(sites)s") % {
        "country": name,
        "cooperations": ngettext("%(n)s cooperation", "%(n)s cooperations", cooperations) % {"n": number(cooperations)},
        "sites": ngettext("%(n)s site", "%(n)s sites", sites) % {"n": number(sites)},
    }


def markers(sites):
    """The sites as markers: shape and colour by kind, placed by the map's projection."""
    seen = {}
    result = []
    for site in sites:
        x, y = world_map.project(site.longitude, site.latitude)
        place = (round(x), round(y))
        x += MARKER_SPREAD * seen.get(place, 0)
        seen[place] = seen.get(place, 0) + 1
        title = f"{site.name} — {site.city}, {country_name(site.country.code)}"
        if site.network:
            title += f" ({site.network})"
        result.append(
            {
                "d": world_map.marker_path(MARKER_OF_KIND[site.kind], x, y),
                "kind": site.kind,
                "title": title,
            }
        )
    return result


def site_legend(kind=""):
    return [
        {
            "kind": value,
            "label": label,
            "d": world_map.marker_path(MARKER_OF_KIND[value], 8, 8),
        }
        for value, label in Site.Kind.choices
        if not kind or kind == value
    ]


def world(request):
    """The public page: its content is the same for every reader of a query (accounts/page_cache.py),
    kept until the register, the sites or the projects change."""
    bad = bool(request.GET) and not WorldFilter(request.GET, instruments=list(Instrument.objects.all())).is_valid()
    content = page_cache.fragment(
        "cooperation.world",
        lambda: render_to_string("cooperation/_world_content.html", world_context(request), request),
        args=(urlencode(sorted(request.GET.lists()), doseq=True),),
        request=request,
    )
    return render(request, "cooperation/world.html", {"fragment": content}, status=400 if bad else 200)


def world_context(request):
    instruments = list(Instrument.objects.order_by("id"))
    form = WorldFilter(request.GET or None, instruments=instruments)
    bad = form.is_bound and not form.is_valid()
    year = form.value("year", None) or world_selectors.default_year()
    kind = form.value("type")
    instrument = form.value("instrument")
    country = form.value("country")
    filters = {key: value for key, value in (("year", year), ("type", kind), ("instrument", instrument)) if value}

    counts = world_selectors.counts_by_country(year, instrument)
    sites = world_selectors.sites(year, kind)
    sites_by_country = {}
    for site in sites:
        sites_by_country.setdefault(site.country.code, []).append(site)

    def link(code):
        return "?" + urlencode({**filters, "country": code}) + "#country"

    bounds = breaks(max(counts.values(), default=0))
    shapes = []
    for shape in world_map.country_shapes():
        code = shape.alpha2
        cooperations, here = counts.get(code, 0), len(sites_by_country.get(code, ()))
        name = country_name(code) if code else shape.name
        linked = bool(code) and bool(cooperations or here)
        shapes.append(
            {
                "d": shape.d,
                "cls": shade(cooperations, bounds) + (" selected" if code and code == country else ""),
                "href": link(code) if linked else "",
                "label": country_label(name, cooperations, here) if linked else name,
            }
        )

    table = sorted(
        (
            {
                "code": code,
                "name": country_name(code),
                "cooperations": number(counts.get(code, 0)),
                "sites": number(len(sites_by_country.get(code, ()))),
                "href": link(code),
                "key": (-counts.get(code, 0), -len(sites_by_country.get(code, ()))),
            }
            for code in set(counts) | set(sites_by_country)
        ),
        key=lambda row: (row["key"], row["name"]),
    )

    values, source = register.figures(year)
    figures = {
        name: {
            "value": percent(values[name].value) if name.endswith("share") else number(values[name].value),
            "raw": values[name].value or 0,
            "entered": values[name].entered,
        }
        for name in FIGURES
    }

    context = {
        "form": form,
        "errors": [error for field in form.errors.values() for error in field] if bad else [],
        "year": year,
        "years": sorted(set(world_selectors.years()) | {year}, reverse=True),
        "kind": kind,
        "instrument": instrument,
        "instruments": instruments,
        "kinds": Site.Kind.choices,
        "figures": figures,
        "any_computed": any(not value.entered for value in values.values()),
        "source": source,
        "map": {
            "width": world_map.WIDTH,
            "height": world_map.HEIGHT,
            "countries": shapes,
            "markers": markers(sites),
            "legend": legend(bounds),
            "sites_legend": site_legend(kind),
        },
        "table": table,
        "sites": sites,
        "total_cooperations": number(sum(counts.values())),
    }
    if country:
        context["country"] = country_section(request, filters, country, sites_by_country.get(country, []))
    return context


def country_section(request, filters, code, sites):
    """A country's cooperations of the year (50 a page), its sites and its funded projects."""
    instrument = filters.get("instrument", "")
    paginator = Paginator(world_selectors.country_cooperations(filters["year"], code, instrument), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    shown = list(world_selectors.country_projects(code, instrument)[: PROJECTS_SHOWN + 1])

    def page_link(number):
        return "?" + urlencode({**filters, "country": code, "page": number}) + "#country"

    return {
        "code": code,
        "name": country_name(code),
        "page": page,
        "previous": page_link(page.previous_page_number()) if page.has_previous() else "",
        "next": page_link(page.next_page_number()) if page.has_next() else "",
        "sites": sites,
        "projects": shown[:PROJECTS_SHOWN],
        "more_projects": len(shown) > PROJECTS_SHOWN,
    }
