"""The state changes of calls: one function each, in one transaction, with who did it.

Staff open and close calls in Django admin; the admin actions call these functions, and so does
anything else (a Celery task, the demo loader). Nothing sets `Call.status` elsewhere.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries as world

from accounts.audit import record
from accounts.states import InvalidTransition as StateMachineRefusal
from notifications.services import notify_topic

from . import rules
from .actions import CallAction
from .models import Call, Instrument, ReviewCriterion, RotationYear, Zone, ZoneCountry
from .notices import CALL_OPENED

# Review criteria every new call starts with (source, PRI: "des projets scientifiques
# d'excellence, à fort potentiel d'impact ... la complémentarité entre les équipes impliquées,
# ainsi que la valeur ajoutée de leur collaboration"). Staff edit them per call.
DEFAULT_CRITERIA = [
    ("Excellence scientifique", "Scientific excellence"),
    ("Potentiel d'impact", "Impact potential"),
    ("Complémentarité des équipes", "Complementarity of the teams"),
    ("Valeur ajoutée de la collaboration", "Added value of the collaboration"),
]


class CallRuleError(ValidationError):
    """A state change the rules refuse; `findings` says why, in the reader's language."""

    def __init__(self, findings=(), message=None):
        self.findings = list(findings)
        messages = [str(f.message) for f in self.findings] if self.findings else [message]
        super().__init__(messages)


class InvalidTransition(CallRuleError):
    pass


def call_facts(call):
    """The call as plain values for the rules: zones' countries and themes in 2 queries at most
    (none when they were prefetched)."""
    zones = call.zones.all()
    codes = set()
    if zones:
        if all("countries" in getattr(zone, "_prefetched_objects_cache", {}) for zone in zones):
            codes = {c.country.code for zone in zones for c in zone.countries.all()}
        else:
            codes = set(ZoneCountry.objects.filter(zone__calls=call).values_list("country", flat=True))
    themes = {theme.code for theme in call.priority_themes.all()}
    return call.facts(zone_countries=codes, priority_themes=themes)


def call_url_path(call):
    """The call page's path without the language prefix, as notifications expect it."""
    with translation.override("fr"):
        path = reverse("call_detail", args=[call.pk])
    return path.removeprefix("/fr")


def _move(call, to_status, by_user):
    """Lock the call and move it along the state machine; record who did it."""
    locked = Call.objects.select_for_update().select_related("instrument").get(pk=call.pk)
    try:
        locked.transition(to_status, by=by_user)  # the state machine, audited (accounts/states.py)
    except StateMachineRefusal as refusal:
        raise InvalidTransition(message=str(refusal)) from None
    call.status = to_status
    return locked


def check_opening(call, now):
    """Raise what stops `call` from opening at `now`: InvalidTransition when it is not a draft,
    CallRuleError with the rules' findings when its dates, ceilings, zones or themes are wrong."""
    if not call.can_become(Call.Status.OPEN):
        message = _("Only a draft call can be opened; this one is %(status)s.")
        raise InvalidTransition(message=message % {"status": call.get_status_display()})
    problems = [f for f in rules.check_call(call_facts(call), call.instrument.facts(), now) if not f.passed]
    if problems:
        raise CallRuleError(problems)


def opening_problems(call, now=None):
    """Why open_call would refuse to open `call` now, in words (empty: it would open it); the
    admin's confirmation page shows them before staff confirm."""
    try:
        check_opening(call, now or timezone.now())
    except CallRuleError as refusal:
        return refusal.messages
    return []


def closing_problems(call):
    """Why close_call would refuse to close `call`, in words (empty: it would close it): the state
    machine's own refusal."""
    if call.can_become(Call.Status.CLOSED):
        return []
    return [str(StateMachineRefusal(Call, call.status, Call.Status.CLOSED))]


def open_call(call, by_user, now=None):
    """Open a draft call once the rules accept its dates, ceilings, zones and themes; tell the
    researchers subscribed to its instrument. Raises CallRuleError with the reasons otherwise."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Call.objects.select_for_update().select_related("instrument").get(pk=call.pk)
        check_opening(locked, now)
        locked = _move(locked, Call.Status.OPEN, by_user)
        notify_topic(
            locked.instrument.topic,
            CALL_OPENED,
            {
                "call_title_fr": locked.title_fr,
                "call_title_en": locked.title_en,
                "instrument_code": locked.instrument.code,
                "closes_at": locked.closes_at.isoformat(),
                "url_path": call_url_path(locked),
            },
            target=locked,
        )
    call.status = locked.status
    return locked


def close_call(call, by_user):
    """Close an open call (before its deadline too, e.g. a call opened by mistake)."""
    with transaction.atomic():
        return _move(call, Call.Status.CLOSED, by_user)


def start_review(call, by_user):
    with transaction.atomic():
        return _move(call, Call.Status.IN_REVIEW, by_user)


_closing_consequences = []


def register_closing_consequence(describe):
    """Let an app above say what closing calls does to its records: `describe(call_ids)` returns
    {call_id: [message, ...]} (the applications app counts the drafts cut off). Called from an
    AppConfig.ready(), so that calls never imports the apps above it."""
    if describe not in _closing_consequences:
        _closing_consequences.append(describe)
    return describe


def closing_consequences(calls, now=None):
    """{call_id: [message, ...]}: what closing each of `calls` now would do, for staff to read
    before they confirm (an early closing, the drafts it cuts off)."""
    now = now or timezone.now()
    consequences = {call.pk: [] for call in calls}
    for call in calls:
        if call.status == Call.Status.OPEN and now < call.closes_at:
            consequences[call.pk].append(
                gettext("Its deadline is %(closes)s: closing it now ends it early.")
                % {"closes": formats.date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT")}
            )
    for describe in _closing_consequences:
        for call_id, messages in describe(list(consequences)).items():
            consequences.setdefault(call_id, []).extend(messages)
    return consequences


def mark_decided(call, by_user):
    with transaction.atomic():
        return _move(call, Call.Status.DECIDED, by_user)


def zones_for_year(year):
    """The zones the PRI rotation targets in `year` (the cycle repeats beyond its last year)."""
    years = list(RotationYear.objects.values_list("year", flat=True))
    rotation_year = rules.rotation_year_for(year, years)
    if rotation_year is None:
        return Zone.objects.none()
    return Zone.objects.filter(rotation_years__year=rotation_year)


@dataclass(frozen=True)
class CycleReport:
    years: dict  # year -> list of zone names
    missing_countries: set  # ISO codes no year of the cycle targets


def rotation_cycle():
    """The rotation as staff see it in admin, with the countries a full cycle never targets."""
    cycle_zone_ids = {}
    years = {}
    for rotation in RotationYear.objects.prefetch_related("zones"):
        cycle_zone_ids[rotation.year] = {z.pk for z in rotation.zones.all()}
        years[rotation.year] = [z.name for z in rotation.zones.all()]
    by_zone = {}
    for zone_id, code in ZoneCountry.objects.values_list("zone_id", "country"):
        by_zone.setdefault(zone_id, set()).add(code)
    cycle = {year: set().union(*(by_zone.get(z, set()) for z in ids)) for year, ids in cycle_zone_ids.items()}
    missing = rules.rotation_gaps(cycle, [code for code, _name in world])
    return CycleReport(years=years, missing_countries=missing)


def create_call_from_instrument(
    instrument,
    year,
    *,
    by_user=None,
    title_fr=None,
    title_en=None,
    opens_at,
    closes_at,
    zones=None,
    priority_themes=(),
    **overrides,
):
    """A draft call of `instrument` for `year` with the instrument's duration, ceilings and partner
    bounds, the default review criteria and (PRI) the zones of the year's rotation unless `zones`
    is given; audited as created by `by_user` (None: the system, e.g. the demo data). Raises
    ValidationError (nothing saved) when the values break a rule."""
    if not instrument.has_calls:
        raise CallRuleError(rules.check_call(None, instrument.facts()))
    call = Call(
        instrument=instrument,
        year=year,
        title_fr=title_fr or f"{instrument.name_fr} {year}",
        title_en=title_en or f"{instrument.name_en} {year}",
        opens_at=opens_at,
        closes_at=closes_at,
        status=Call.Status.DRAFT,
        **instrument.call_defaults(),
    )
    for name, value in overrides.items():
        setattr(call, name, value)
    with transaction.atomic():
        call.full_clean()
        call.save()
        if zones is None and instrument.code == Instrument.Code.PRI:
            zones = zones_for_year(year)
        if zones:
            call.zones.set(zones)
        if priority_themes:
            call.priority_themes.set(priority_themes)
        ReviewCriterion.objects.bulk_create(
            [
                ReviewCriterion(call=call, name_fr=fr, name_en=en, position=index)
                for index, (fr, en) in enumerate(DEFAULT_CRITERIA, start=1)
            ]
        )
        record(by_user, CallAction.CREATED, call, instrument=instrument.code, year=year)
    return call
