"""Where partners are: a country of the ISO 3166 list, France, geographic Europe, and the PRI
zone rotation."""

from django_countries.data import COUNTRIES as ISO_3166_NAMES  # the standard's table, not a model

FRANCE = "FR"
# Every country and territory of ISO 3166-1 (alpha-2 codes): the list every country field of the
# portal offers. A code outside it names no country, so a team "there" is nowhere, not abroad.
ISO_COUNTRIES = frozenset(ISO_3166_NAMES)


def is_country(code):
    """A country or territory of ISO 3166-1 (its alpha-2 code, in capitals or not)."""
    return (code or "").upper() in ISO_COUNTRIES


def unknown_countries(countries):
    """The codes that name no country of ISO 3166-1, in order and without repetition, as given."""
    seen = []
    for code in countries:
        if not is_country(code) and code not in seen:
            seen.append(code)
    return tuple(seen)


# Overseas France is France: the overseas departments and regions (Guadeloupe, Martinique, French
# Guiana, Réunion, Mayotte) and the overseas collectivities and territories (Saint-Pierre-et-
# Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, French Polynesia, New Caledonia, the
# French Southern and Antarctic Lands), each with its own ISO 3166 code. A team there is never a
# partner "abroad", and no PRI zone targets them.
FRENCH_TERRITORIES = frozenset({FRANCE, *"GP MQ GF RE YT PM BL MF WF PF NC TF".split()})


def is_france(code):
    """Metropolitan or overseas France."""
    return (code or "").upper() in FRENCH_TERRITORIES


# Geographic Europe (UN M49 region "Europe", which includes the United Kingdom, Switzerland,
# Norway, the Balkans, Belarus, Ukraine and Russia), plus Cyprus, a member of the European Union.
# Turkey and the Caucasus are counted outside Europe. domain.md: "a partnership is European when
# every foreign partner is in a European country (geographic Europe, not only the EU: the United
# Kingdom, Switzerland, Norway count)".
EUROPEAN_COUNTRIES = frozenset(
    """
    AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU
    LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA
    """.split()
)


def foreign(countries):
    """The partner countries that are abroad, in order and without repetition: a country of
    ISO 3166-1 that is not France (overseas France included). A code of no country is not abroad."""
    seen = []
    for code in countries:
        code = (code or "").upper()
        if is_country(code) and not is_france(code) and code not in seen:
            seen.append(code)
    return tuple(seen)


def is_european_partnership(partner_countries):
    """Source: "à hauteur de 60 000 € dans le cas partenariats européens, et de 75 000 € pour les
    partenariats hors Europe": European when every foreign partner is in geographic Europe."""
    return all(code in EUROPEAN_COUNTRIES for code in foreign(partner_countries))


def rotation_gaps(cycle, all_countries):
    """Countries that one full rotation cycle never targets (France and overseas France excepted:
    they are never foreign).

    Source: "Les appels sont ciblés géographiquement, en alternant les zones d'une année sur
    l'autre, de manière à couvrir l'ensemble des pays et territoires." `cycle` maps each year of
    the cycle to the set of country codes its zones target.
    """
    covered = set()
    for countries in cycle.values():
        covered |= {code.upper() for code in countries}
    return {code.upper() for code in all_countries} - covered - FRENCH_TERRITORIES


def rotation_year_for(year, cycle_years):
    """The year of the rotation table whose zones a call of `year` targets.

    Staff enter one cycle of consecutive years; later (or earlier) years repeat it, so the
    rotation never runs out. None when the table is empty.
    """
    years = sorted(cycle_years)
    if not years:
        return None
    if year in years:
        return year
    first, length = years[0], years[-1] - years[0] + 1
    candidate = first + (year - first) % length
    return candidate if candidate in years else None
