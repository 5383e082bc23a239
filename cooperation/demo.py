"""Demo data of "Inserm in the world", loaded by `make run` (idempotent): every site of the source
page's map (2021) with its real coordinates, the source's 2020 figures exactly as published, and a
register of declared cooperations for 2020 (more than half in Europe, a quarter in the United
States, as the source says) so the map has countries to shade."""

import random
from decimal import Decimal

from .models import Cooperation, Site, YearlyFigures

FIGURES_2020 = {
    "declared_cooperations": 6580,
    "countries": 102,
    "agreements_in_force": 24,
    "international_copublications": 8880,
    "international_share": Decimal("52"),
    "eu_copublications": 5502,
    "eu_share": Decimal("32"),
}
SOURCE_2020 = "Inserm, « L'Inserm à l'international », chiffres 2020 (page du site inserm.fr)."

J, P, N, A, OFF = (
    Site.Kind.JOINT_UNIT,
    Site.Kind.PRI_CITY,
    Site.Kind.NETWORK,
    Site.Kind.ANRS_SITE,
    Site.Kind.OFFICE,
)
US_NETWORK = "Réseau CNRS–Inserm Atlanta–Champaign–Princeton"
EU_NETWORK = "Réseau CNRS–Inserm Bâle–Munich–Oxford–Édimbourg"
IL_NETWORK = "Réseau CNRS–Inserm Jérusalem"

# (kind, name fr, name en, network, city, country, latitude, longitude)
SITES = [
    (
        J,
        "Unité mixte internationale d'Irvine",
        "International joint unit, Irvine",
        "",
        "Irvine",
        "US",
        "33.68460",
        "-117.82650",
    ),
    (
        J,
        "Unité mixte internationale de Heidelberg",
        "International joint unit, Heidelberg",
        "",
        "Heidelberg",
        "DE",
        "49.39880",
        "8.67240",
    ),
    (P, "PRI Abidjan", "PRI Abidjan", "", "Abidjan", "CI", "5.36000", "-4.00830"),
    (P, "PRI Montréal", "PRI Montreal", "", "Montréal", "CA", "45.50170", "-73.56730"),
    (P, "PRI Ottawa", "PRI Ottawa", "", "Ottawa", "CA", "45.42150", "-75.69720"),
    (P, "PRI Bethesda", "PRI Bethesda", "", "Bethesda", "US", "38.98070", "-77.10030"),
    (P, "PRI Bloomington", "PRI Bloomington", "", "Bloomington", "US", "39.16530", "-86.52640"),
    (P, "PRI Cleveland", "PRI Cleveland", "", "Cleveland", "US", "41.49930", "-81.69440"),
    (P, "PRI New York", "PRI New York", "", "New York", "US", "40.71280", "-74.00600"),
    (P, "PRI Providence", "PRI Providence", "", "Providence", "US", "41.82400", "-71.41280"),
    (P, "PRI Mexico", "PRI Mexico City", "", "Mexico", "MX", "19.43260", "-99.13320"),
    (P, "PRI Salvador de Bahia", "PRI Salvador, Bahia", "", "Salvador de Bahia", "BR", "-12.97770", "-38.50160"),
    (P, "PRI Harbin", "PRI Harbin", "", "Harbin", "CN", "45.80380", "126.53500"),
    (P, "PRI Nankin", "PRI Nanjing", "", "Nankin", "CN", "32.06030", "118.79690"),
    (P, "PRI Shanghai", "PRI Shanghai", "", "Shanghai", "CN", "31.23040", "121.47370"),
    (P, "PRI Karnataka", "PRI Karnataka", "", "Bangalore (Karnataka)", "IN", "12.97160", "77.59460"),
    (P, "PRI New Delhi", "PRI New Delhi", "", "New Delhi", "IN", "28.61390", "77.20900"),
    (P, "PRI Haïfa", "PRI Haifa", "", "Haïfa", "IL", "32.79400", "34.98960"),
    (P, "PRI Tokyo", "PRI Tokyo", "", "Tokyo", "JP", "35.67620", "139.65030"),
    (P, "PRI Beyrouth", "PRI Beirut", "", "Beyrouth", "LB", "33.89380", "35.50180"),
    (P, "PRI Dresde", "PRI Dresden", "", "Dresde", "DE", "51.05040", "13.73730"),
    (P, "PRI Fribourg", "PRI Freiburg", "", "Fribourg-en-Brisgau", "DE", "47.99900", "7.84210"),
    (P, "PRI Neuherberg", "PRI Neuherberg", "", "Neuherberg", "DE", "48.22170", "11.58720"),
    (P, "PRI Vienne", "PRI Vienna", "", "Vienne", "AT", "48.20820", "16.37380"),
    (P, "PRI Londres", "PRI London", "", "Londres", "GB", "51.50740", "-0.12780"),
    (P, "PRI Sheffield", "PRI Sheffield", "", "Sheffield", "GB", "53.38110", "-1.47010"),
    (P, "PRI Melbourne", "PRI Melbourne", "", "Melbourne", "AU", "-37.81360", "144.96310"),
    (P, "PRI Sydney", "PRI Sydney", "", "Sydney", "AU", "-33.86880", "151.20930"),
    (
        N,
        "Réseau de recherche international — Atlanta",
        "International research network — Atlanta",
        US_NETWORK,
        "Atlanta",
        "US",
        "33.74900",
        "-84.38800",
    ),
    (
        N,
        "Réseau de recherche international — Champaign",
        "International research network — Champaign",
        US_NETWORK,
        "Champaign",
        "US",
        "40.11640",
        "-88.24340",
    ),
    (
        N,
        "Réseau de recherche international — Princeton",
        "International research network — Princeton",
        US_NETWORK,
        "Princeton",
        "US",
        "40.35730",
        "-74.66720",
    ),
    (
        N,
        "Réseau de recherche international — Bâle",
        "International research network — Basel",
        EU_NETWORK,
        "Bâle",
        "CH",
        "47.55960",
        "7.58860",
    ),
    (
        N,
        "Réseau de recherche international — Munich",
        "International research network — Munich",
        EU_NETWORK,
        "Munich",
        "DE",
        "48.13510",
        "11.58200",
    ),
    (
        N,
        "Réseau de recherche international — Oxford",
        "International research network — Oxford",
        EU_NETWORK,
        "Oxford",
        "GB",
        "51.75200",
        "-1.25770",
    ),
    (
        N,
        "Réseau de recherche international — Édimbourg",
        "International research network — Edinburgh",
        EU_NETWORK,
        "Édimbourg",
        "GB",
        "55.95330",
        "-3.18830",
    ),
    (
        N,
        "Réseau de recherche international — Jérusalem",
        "International research network — Jerusalem",
        IL_NETWORK,
        "Jérusalem",
        "IL",
        "31.76830",
        "35.21370",
    ),
    (A, "Site ANRS-MIE d'Abidjan", "ANRS-MIE site, Abidjan", "", "Abidjan", "CI", "5.36000", "-4.00830"),
    (A, "Site ANRS-MIE du Caire", "ANRS-MIE site, Cairo", "", "Le Caire", "EG", "30.04440", "31.23570"),
    (A, "Site ANRS-MIE de Dakar", "ANRS-MIE site, Dakar", "", "Dakar", "SN", "14.71670", "-17.46770"),
    (A, "Site ANRS-MIE de Ouagadougou", "ANRS-MIE site, Ouagadougou", "", "Ouagadougou", "BF", "12.37140", "-1.51970"),
    (A, "Site ANRS-MIE de Yaoundé", "ANRS-MIE site, Yaoundé", "", "Yaoundé", "CM", "3.84800", "11.50210"),
    (A, "Site ANRS-MIE de Brasilia", "ANRS-MIE site, Brasília", "", "Brasilia", "BR", "-15.79390", "-47.88280"),
    (
        A,
        "Site ANRS-MIE d'Hô-Chi-Minh-Ville",
        "ANRS-MIE site, Ho Chi Minh City",
        "",
        "Hô-Chi-Minh-Ville",
        "VN",
        "10.82310",
        "106.62970",
    ),
    (A, "Site ANRS-MIE de Phnom Penh", "ANRS-MIE site, Phnom Penh", "", "Phnom Penh", "KH", "11.55640", "104.92820"),
    (OFF, "Bureau de Washington", "Washington office", "", "Washington", "US", "38.90720", "-77.03690"),
    (OFF, "Bureau de Bruxelles", "Brussels office", "", "Bruxelles", "BE", "50.85030", "4.35170"),
]

# A register for 2020, weighted as the source says: over half in Europe, a quarter in the US.
PARTNERS = {
    "US": [("Harvard Medical School", "Boston"), ("NIH", "Bethesda"), ("Stanford University", "Stanford")],
    "GB": [("University College London", "London"), ("University of Oxford", "Oxford")],
    "DE": [("Charité", "Berlin"), ("DKFZ", "Heidelberg"), ("Helmholtz Munich", "Neuherberg")],
    "IT": [("Università di Milano", "Milan"), ("Sapienza", "Rome")],
    "ES": [("ISCIII", "Madrid"), ("IDIBAPS", "Barcelona")],
    "BE": [("KU Leuven", "Leuven"), ("ULB", "Bruxelles")],
    "CH": [("Université de Genève", "Genève"), ("Universität Basel", "Bâle")],
    "NL": [("Erasmus MC", "Rotterdam")],
    "SE": [("Karolinska Institutet", "Stockholm")],
    "CA": [("Université de Montréal", "Montréal"), ("McGill University", "Montréal")],
    "JP": [("University of Tokyo", "Tokyo"), ("Kyoto University", "Kyoto")],
    "CN": [("Fudan University", "Shanghai")],
    "BR": [("Fiocruz", "Rio de Janeiro")],
    "SN": [("Institut Pasteur de Dakar", "Dakar")],
    "CI": [("Université Félix Houphouët-Boigny", "Abidjan")],
    "AU": [("University of Melbourne", "Melbourne")],
    "IL": [("Weizmann Institute", "Rehovot")],
    "IN": [("ICMR", "New Delhi")],
    "VN": [("Pasteur Institute", "Hô-Chi-Minh-Ville")],
    "LB": [("Université Saint-Joseph", "Beyrouth")],
}
WEIGHTS = {"US": 25, "GB": 12, "DE": 12, "IT": 8, "ES": 7, "BE": 5, "CH": 5, "NL": 4, "SE": 3}
KINDS = list(Cooperation.Kind.values)


def load():
    for kind, name_fr, name_en, network, city, country, lat, lon in SITES:
        Site.objects.update_or_create(
            kind=kind,
            name_en=name_en,
            city=city,
            country=country,
            defaults={"name_fr": name_fr, "network": network, "latitude": Decimal(lat), "longitude": Decimal(lon)},
        )
    YearlyFigures.objects.update_or_create(year=2020, defaults={**FIGURES_2020, "source": SOURCE_2020})
    if Cooperation.objects.filter(year=2020, source=Cooperation.Source.IMPORTED).exists():
        return
    chance = random.Random(2020)
    countries = list(PARTNERS)
    weights = [WEIGHTS.get(code, 1) for code in countries]
    rows = {}
    for _row in range(400):
        country = chance.choices(countries, weights)[0]
        institution, city = chance.choice(PARTNERS[country])
        unit = f"U{1000 + chance.randrange(300)}"
        kind = chance.choice(KINDS)
        key = (unit, institution, city, country, kind)
        rows[key] = Cooperation(
            year=2020,
            unit_code=unit,
            partner_institution=institution,
            city=city,
            country=country,
            kind=kind,
            start_year=2020 - chance.randrange(6),
            source=Cooperation.Source.IMPORTED,
        )
    Cooperation.objects.bulk_create(rows.values(), ignore_conflicts=True)
