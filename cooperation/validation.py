"""The rules of one row of the register, in one place: the staff import (importing.py) and the units'
own declarations (declarations.py) judge a cooperation alike; the import judges a site with them too.

Pure functions over simple values (strings, numbers from a file or a form), no database: each
takes the row's raw values and returns the cleaned values and the list of reasons it is refused,
translated in the active language.
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from applications.validators import UNIT_CODE_RE, normalize_unit_code

from .models import FIRST_YEAR, Cooperation, Site
from .register import INSTITUTE_UNIT

#: A start or end year is within these (the model's PositiveSmallIntegerField holds them).
EARLIEST_START = 1900
LATEST_END = 2100

#: The register's key: one row per unit, year, partner, city, country and kind (the unique
#: constraint of Cooperation); the import's idempotence rests on it.
COOPERATION_KEY = ("unit_code", "year", "partner_institution", "city", "country", "kind")
SITE_KEY = ("kind", "name_en", "city", "country")


def fold(text):
    """'  Établissement   Partenaire ' -> 'etablissement partenaire': case, accents and spacing aside."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def today():
    """The current date in Paris (settings.TIME_ZONE): a year after today's is in the future."""
    return timezone.localdate()


@lru_cache(maxsize=1)
def _country_names():
    """Every country's ISO alpha-2 and alpha-3 code and its English and French name, folded."""
    names = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, name in countries:
                names.setdefault(fold(name), code)
    for code, _name in countries:
        names[fold(code)] = code
        alpha3 = countries.alpha3(code)
        if alpha3:
            names.setdefault(fold(alpha3), code)
    return names


def parse_country(value):
    """'FR', 'fr', 'France', 'Allemagne', 'etats-unis d'amerique' -> the ISO alpha-2 code, or ''."""
    return _country_names().get(fold(value), "")


@lru_cache(maxsize=8)
def _choice_names(choices):
    names = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for code, label in choices.choices:
                names.setdefault(fold(label), code)
    for code in choices.values:
        names[fold(code)] = code
    return names


def parse_choice(choices, value):
    """A kind given by its code or its label in French or English -> its code, or ''."""
    return _choice_names(choices).get(fold(value), "")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def parse_int(value):
    """'2020', 2020, 2020.0 -> 2020; '' -> None; anything else raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        return int(value)
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d{1,6}", text):
        raise ValueError(value)
    return int(text)


def parse_decimal(value):
    """'48.8566', '48,8566', 48.8566 -> Decimal; '' -> None; anything else raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = _text(value).replace(",", ".")
    if not text:
        return None
    if not re.fullmatch(r"[+-]?\d{1,3}(\.\d+)?", text):
        raise ValueError(value)
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise ValueError(value) from error


class Row:
    """Collects a row's cleaned values and the reasons it is refused."""

    def __init__(self, raw, labels):
        self.raw, self.labels = raw, labels
        self.values, self.reasons, self.by_field = {}, [], {}

    def refuse(self, reason, name=None):
        """Refuse the row for `reason`, about the field `name` (None: the row as a whole)."""
        self.reasons.append(reason)
        self.by_field.setdefault(name, []).append(reason)

    def text(self, name, max_length, required=True):
        value = _text(self.raw.get(name))
        if "\x00" in value:
            self.refuse(_("%(field)s: the NUL character is not allowed.") % {"field": self.labels[name]}, name)
            value = value.replace("\x00", "")
        if required and not value:
            self.refuse(_("%(field)s: this field is required.") % {"field": self.labels[name]}, name)
        elif len(value) > max_length:
            self.refuse(
                _("%(field)s: at most %(max)s characters (it has %(length)s).")
                % {"field": self.labels[name], "max": max_length, "length": len(value)},
                name,
            )
        self.values[name] = value
        return value

    def integer(self, name, required=False):
        try:
            value = parse_int(self.raw.get(name))
        except ValueError:
            self.refuse(
                _("%(field)s: “%(value)s” is not a whole number.")
                % {"field": self.labels[name], "value": _text(self.raw.get(name))},
                name,
            )
            value = None
        else:
            if value is None and required:
                self.refuse(_("%(field)s: this field is required.") % {"field": self.labels[name]}, name)
        self.values[name] = value
        return value

    def country(self, name="country"):
        raw = _text(self.raw.get(name))
        code = parse_country(raw)
        if not raw:
            self.refuse(_("%(field)s: this field is required.") % {"field": self.labels[name]}, name)
        elif not code:
            self.refuse(
                _("Unknown country “%(value)s”: give its ISO code (e.g. DE) or its name in French or English.")
                % {"value": raw},
                name,
            )
        self.values[name] = code
        return code

    def choice(self, name, choices):
        raw = _text(self.raw.get(name))
        code = parse_choice(choices, raw)
        if not raw:
            self.refuse(_("%(field)s: this field is required.") % {"field": self.labels[name]}, name)
        elif not code:
            self.refuse(
                _("Unknown type “%(value)s”: expected one of %(choices)s.")
                % {"value": raw, "choices": ", ".join(f"{label} ({code})" for code, label in choices.choices)},
                name,
            )
        self.values[name] = code
        return code


def cooperation_labels():
    return {
        "year": _("Year"),
        "unit_code": _("Unit code"),
        "partner_institution": _("Partner institution"),
        "city": _("City"),
        "country": _("Country"),
        "kind": _("Type"),
        "themes": _("Themes"),
        "start_year": _("Start year"),
        "end_year": _("End year"),
    }


def check_year(year, current):
    """The year a cooperation is declared for: from the register's first year to this one."""
    if year is None:
        return None
    if year < FIRST_YEAR:
        return _("Year %(year)s is before the register's first year (%(first)s).") % {"year": year, "first": FIRST_YEAR}
    if year > current:
        return _("Year %(year)s is in the future (this year is %(current)s).") % {"year": year, "current": current}
    return None


def clean_cooperation(raw, current_year=None, unit_code=None):
    """One cooperation's values -> (cleaned values, reasons): see judge_cooperation."""
    row = judge_cooperation(raw, current_year, unit_code)
    return row.values, row.reasons


def judge_cooperation(raw, current_year=None, unit_code=None):
    """One cooperation's values, judged: a Row with its cleaned values and reasons (by field).
    `unit_code`, when given, is the declaring unit's (a researcher's form has no unit field);
    otherwise the row's own is judged: an Inserm unit (U and digits) or the institute itself."""
    current_year = current_year or today().year
    row = Row(raw, cooperation_labels())
    year = row.integer("year", required=True)
    reason = check_year(year, current_year)
    if reason:
        row.refuse(reason, "year")
    if unit_code is not None:
        row.values["unit_code"] = unit_code
    else:
        unit = normalize_unit_code(_text(raw.get("unit_code")))
        if not unit:
            row.refuse(_("%(field)s: this field is required.") % {"field": row.labels["unit_code"]}, "unit_code")
        elif not (UNIT_CODE_RE.match(unit) or unit == INSTITUTE_UNIT):
            row.refuse(
                _("Unit code “%(value)s”: the letter U followed by digits (e.g. U1234), or %(institute)s.")
                % {"value": unit, "institute": INSTITUTE_UNIT},
                "unit_code",
            )
        row.values["unit_code"] = unit
    row.text("partner_institution", 250)
    row.text("city", 120)
    row.country()
    row.choice("kind", Cooperation.Kind)
    row.text("themes", 300, required=False)
    start = row.integer("start_year")
    end = row.integer("end_year")
    for name, value in (("start_year", start), ("end_year", end)):
        if value is not None and not EARLIEST_START <= value <= LATEST_END:
            row.refuse(
                _("%(field)s: %(value)s is not between %(low)s and %(high)s.")
                % {"field": row.labels[name], "value": value, "low": EARLIEST_START, "high": LATEST_END},
                name,
            )
    if start is not None and end is not None and end < start:
        row.refuse(
            _("A cooperation cannot end before it starts (%(end)s < %(start)s).") % {"end": end, "start": start},
            "end_year",
        )
    if start is not None and year is not None and start > year:
        row.refuse(
            _("A cooperation declared for %(year)s cannot start later, in %(start)s.") % {"year": year, "start": start},
            "start_year",
        )
    return row


def site_labels():
    return {
        "kind": _("Type"),
        "name_fr": _("Name (French)"),
        "name_en": _("Name (English)"),
        "network": _("Network"),
        "city": _("City"),
        "country": _("Country"),
        "latitude": _("Latitude"),
        "longitude": _("Longitude"),
        "active_from": _("Active from (year)"),
        "active_until": _("Active until (year)"),
    }


def _coordinate(row, name, limit):
    raw = row.raw.get(name)
    try:
        value = parse_decimal(raw)
    except ValueError:
        row.refuse(_("%(field)s: “%(value)s” is not a number.") % {"field": row.labels[name], "value": _text(raw)})
        return None
    if value is None:
        return None
    if not -limit <= value <= limit:
        row.refuse(
            _("%(field)s: %(value)s is out of range (−%(limit)s to %(limit)s).")
            % {"field": row.labels[name], "value": value, "limit": limit}
        )
        return None
    return value.quantize(Decimal("0.00001"))


def clean_site(raw):
    """One site's values -> (cleaned values, reasons): a site is drawn on the map, so it needs its
    coordinates, on Earth."""
    row = Row(raw, site_labels())
    row.choice("kind", Site.Kind)
    row.text("name_fr", 200)
    row.text("name_en", 200)
    row.text("network", 200, required=False)
    row.text("city", 120)
    row.country()
    latitude = _coordinate(row, "latitude", 90)
    longitude = _coordinate(row, "longitude", 180)
    if _text(raw.get("latitude")) == "" or _text(raw.get("longitude")) == "":
        row.refuse(_("A site needs its coordinates (latitude and longitude) to be drawn on the map."))
    row.values.update(latitude=latitude, longitude=longitude)
    active_from = row.integer("active_from")
    active_until = row.integer("active_until")
    for name, value in (("active_from", active_from), ("active_until", active_until)):
        if value is not None and not EARLIEST_START <= value <= LATEST_END:
            row.refuse(
                _("%(field)s: %(value)s is not between %(low)s and %(high)s.")
                % {"field": row.labels[name], "value": value, "low": EARLIEST_START, "high": LATEST_END}
            )
    if active_from is not None and active_until is not None and active_until < active_from:
        row.refuse(
            _("A site cannot close before it opens (%(until)s < %(since)s).")
            % {"until": active_until, "since": active_from}
        )
    return row.values, row.reasons
