"""Demo data of the calls app, loaded by `make run`. Idempotent: loading it twice changes nothing.

France, overseas France included, is in no zone: a partner there is never "abroad", so no PRI
call ever targets it.
Every other ISO 3166 country is in exactly one zone, and the rotation 2025-2028 targets each zone
at least once (the cycle then repeats).
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from . import rules, services
from .models import Call, InstitutionalAgreement, Instrument, PriorityTheme, RotationYear, Zone, ZoneCountry

INSTRUMENTS = [
    {
        "code": Instrument.Code.TREMPLIN,
        "name_fr": "Tremplins internationaux",
        "name_en": "International springboards (Tremplins)",
        "description_fr": "Explorer : démarrer une nouvelle collaboration entre un jeune chercheur Inserm et une "
        "équipe étrangère. 10 000 € sur un an.",
        "description_en": "Explore: start a new collaboration between a young Inserm researcher and a team abroad. "
        "10,000 EUR over one year.",
        "has_calls": True,
        "default_duration_months": 12,
        "ceiling_policy": Instrument.CeilingPolicy.SINGLE,
        "ceiling": Decimal("10000"),
        "min_partners": 1,
        "max_partners": 1,
    },
    {
        "code": Instrument.Code.PRI,
        "name_fr": "Projets de recherche internationaux (PRI)",
        "name_en": "International research projects (PRI)",
        "description_fr": "Consolider un partenariat établi avec une ou plusieurs équipes étrangères. 5 ans, "
        "60 000 € (partenariat européen) ou 75 000 € (hors Europe).",
        "description_en": "Consolidate an established partnership with one or more teams abroad. 5 years, "
        "60,000 EUR (European partnership) or 75,000 EUR (outside Europe).",
        "has_calls": True,
        "default_duration_months": 60,
        "ceiling_policy": Instrument.CeilingPolicy.BY_REGION,
        "european_ceiling": Decimal("60000"),
        "non_european_ceiling": Decimal("75000"),
        "min_partners": 1,
        "max_partners": None,
        "partners_must_confirm": True,
    },
    {
        "code": Instrument.Code.PIC,
        "name_fr": "Partenariats internationaux clés (PIC)",
        "name_en": "Key international partnerships (PIC)",
        "description_fr": "Structurer : accords institutionnels identifiés par la Direction générale.",
        "description_en": "Structure: institutional agreements chosen by Inserm's top management.",
        "has_calls": False,
        "default_duration_months": None,
        "ceiling_policy": Instrument.CeilingPolicy.NONE,
        "min_partners": 1,
        "max_partners": None,
    },
    {
        "code": Instrument.Code.PCT,
        "name_fr": "Programmes de coordination thématique (PCT)",
        "name_en": "Thematic coordination programmes (PCT)",
        "description_fr": "Intégrer : fédérer 4 à 5 partenaires autour d'une thématique prioritaire, sur 5 ans.",
        "description_en": "Integrate: federate 4 to 5 partners around a priority theme, over 5 years.",
        "has_calls": True,
        "default_duration_months": 60,
        "ceiling_policy": Instrument.CeilingPolicy.PER_CALL,
        "min_partners": 4,
        "max_partners": 5,
        "partners_must_confirm": True,
    },
]

ZONES = {
    # code: (French name, English name, ISO 3166 codes)
    "europe": ("Europe", "Europe", sorted(rules.EUROPEAN_COUNTRIES - rules.FRENCH_TERRITORIES)),
    "north-america": ("Amérique du Nord", "North America", "US CA MX GL BM".split()),
    "latin-america": (
        "Amérique latine et Caraïbes",
        "Latin America and the Caribbean",
        """AG AI AR AW BB BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GT GY HN HT JM KN KY LC
        MS NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI GS BV""".split(),
    ),
    "africa": (
        "Afrique",
        "Africa",
        """DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML MR MU
        MA MZ NA NE NG RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW IO""".split(),
    ),
    "middle-east": (
        "Moyen-Orient et Caucase",
        "Middle East and Caucasus",
        "AE AM AZ BH GE IL IQ IR JO KW LB OM PS QA SA SY TR YE".split(),
    ),
    "asia": (
        "Asie",
        "Asia",
        """AF BD BN BT CN HK ID IN JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG TH TJ TL TM TW UZ VN
        CC CX""".split(),
    ),
    "oceania": (
        "Océanie et Antarctique",
        "Oceania and Antarctica",
        "AS AU CK FJ FM GU HM KI MH MP NF NR NU NZ PG PN PW SB TK TO TV UM VU WS AQ".split(),
    ),
}

ROTATION = {
    2025: ["europe"],
    2026: ["asia", "oceania"],
    2027: ["north-america", "latin-america"],
    2028: ["africa", "middle-east"],
}

THEMES = [
    ("ageing", "Vieillissement en bonne santé", "Healthy ageing"),
    ("chronic-diseases", "Maladies chroniques", "Chronic diseases"),
    ("mental-health", "Santé mentale", "Mental health"),
    ("climate-health", "Changements climatiques et répercussions sanitaires", "Climate change and its health effects"),
]

AGREEMENTS = [
    # (institution, country, themes FR, themes EN, start, notes)
    ("National Institutes of Health (NIH)", "US", "", "", None, "Partenariat historique."),
    (
        "Fondation Oswaldo-Cruz (Fiocruz)",
        "BR",
        "Neurosciences, maladies infectieuses émergentes",
        "Neurosciences, emerging infectious diseases",
        None,
        "",
    ),
    (
        "Fonds de recherche en santé du Québec (FRSQ)",
        "CA",
        "Santé mentale, psychiatrie",
        "Mental health, psychiatry",
        None,
        "",
    ),
    (
        "University of Sydney",
        "AU",
        "Prévention en santé publique, science des données",
        "Public-health prevention, data science",
        None,
        "",
    ),
    (
        "National University of Singapore",
        "SG",
        "Vieillissement, intelligence artificielle",
        "Ageing, artificial intelligence",
        None,
        "",
    ),
    (
        "Indian Council of Medical Research (ICMR)",
        "IN",
        "Maladies métaboliques et diabète",
        "Metabolic diseases and diabetes",
        date(2018, 1, 1),
        "Accord renouvelé en 2018.",
    ),
    (
        "Ministère de la Santé du Rwanda",
        "RW",
        "Création d'un centre d'investigation clinique",
        "Setting up a clinical investigation centre",
        date(2021, 1, 1),
        "Accord signé en 2021.",
    ),
]

DEMO_PCT_CEILING = Decimal("300000")  # the source gives no figure: staff set it per call


def _paris(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _load_reference_data():
    instruments = {}
    for figures in INSTRUMENTS:
        values = dict(figures)
        code = values.pop("code")
        instruments[code], _ = Instrument.objects.get_or_create(code=code, defaults=values)
    zones = {}
    for code, (name_fr, name_en, countries) in ZONES.items():
        zone, _ = Zone.objects.update_or_create(code=code, defaults={"name_fr": name_fr, "name_en": name_en})
        zones[code] = zone
        for country in countries:
            ZoneCountry.objects.update_or_create(country=country, defaults={"zone": zone})
    # Overseas France is France (an older demo put it in zones).
    ZoneCountry.objects.filter(country__in=rules.FRENCH_TERRITORIES).delete()
    for year, codes in ROTATION.items():
        rotation, _ = RotationYear.objects.get_or_create(year=year)
        rotation.zones.set([zones[c] for c in codes])
    themes = {}
    for code, name_fr, name_en in THEMES:
        themes[code], _ = PriorityTheme.objects.update_or_create(
            code=code, defaults={"name_fr": name_fr, "name_en": name_en}
        )
    for institution, country, themes_fr, themes_en, start, notes in AGREEMENTS:
        InstitutionalAgreement.objects.update_or_create(
            partner_institution=institution,
            country=country,
            defaults={
                "themes_fr": themes_fr,
                "themes_en": themes_en,
                "starts_on": start,
                "status": InstitutionalAgreement.Status.ACTIVE,
                "notes": notes,
            },
        )
    return instruments, themes


def _open_demo_call(instrument, year, title_fr, title_en, opens_in_days, closes_in_days, staff, **extra):
    """Create and open the call once; a second load finds it and leaves it alone."""
    existing = Call.objects.filter(instrument=instrument, year=year, title_fr=title_fr).first()
    if existing is not None:
        return existing
    today = timezone.localdate()
    call = services.create_call_from_instrument(
        instrument,
        year,
        title_fr=title_fr,
        title_en=title_en,
        opens_at=_paris(today + timedelta(days=opens_in_days), 9),
        closes_at=_paris(today + timedelta(days=closes_in_days), 17),
        **extra,
    )
    services.open_call(call, staff)
    return call


def load():
    instruments, themes = _load_reference_data()
    staff = get_user_model().objects.filter(is_staff=True).order_by("id").first()
    year = timezone.localdate().year
    _open_demo_call(
        instruments[Instrument.Code.TREMPLIN],
        year,
        f"Tremplins internationaux {year}",
        f"International springboards {year}",
        -14,
        42,
        staff,
        description_fr="Démarrez une nouvelle collaboration avec une équipe étrangère : 10 000 € sur un an.",
        description_en="Start a new collaboration with a team abroad: 10,000 EUR over one year.",
    )
    _open_demo_call(
        instruments[Instrument.Code.PRI],
        year,
        f"Projets de recherche internationaux {year} — Asie et Océanie",
        f"International research projects {year} — Asia and Oceania",
        -7,
        56,
        staff,
        description_fr="Consolidez un partenariat établi avec des équipes des pays ciblés cette année.",
        description_en="Consolidate an established partnership with teams in this year's targeted countries.",
    )
    _open_demo_call(
        instruments[Instrument.Code.PCT],
        year,
        f"PCT {year} — Vieillissement en bonne santé",
        f"PCT {year} — Healthy ageing",
        -3,
        70,
        staff,
        ceiling=DEMO_PCT_CEILING,
        priority_themes=[themes["ageing"]],
        description_fr="Fédérez 4 à 5 partenaires autour du vieillissement en bonne santé, dans la lignée "
        "d'InterAging.",
        description_en="Federate 4 to 5 partners around healthy ageing, in the wake of InterAging.",
    )
