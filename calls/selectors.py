"""Querysets behind the calls pages: each costs a constant number of queries."""

from django.db.models import Prefetch

from .models import Call, Instrument, ReviewCriterion, Zone, ZoneCountry


def open_calls():
    return Call.objects.open_now().select_related("instrument").order_by("closes_at", "id")


def listed_calls(queryset):
    """The public list's calls with everything its rows show, in three queries."""
    return queryset.select_related("instrument").prefetch_related("zones").order_by("opens_at", "closes_at", "id")


def call_for_page(pk):
    """One public call with its zones' countries, themes and criteria (drafts are never shown)."""
    zones = Prefetch("zones", queryset=Zone.objects.prefetch_related(Prefetch("countries", ZoneCountry.objects.all())))
    criteria = Prefetch("criteria", queryset=ReviewCriterion.objects.order_by("position", "id"))
    return (
        Call.objects.public()
        .select_related("instrument")
        .prefetch_related(zones, "priority_themes", criteria)
        .get(pk=pk)
    )


def instruments_with_calls():
    return Instrument.objects.filter(has_calls=True).order_by("id")


# Apps above this one tell the call's page about the visitor's own application to it (the
# applications app registers it), so that calls never imports them.
_application_finders = []


def register_application_finder(find):
    """`find(user, call)` returns (title, url) of the user's current application to `call`, or None."""
    if find not in _application_finders:
        _application_finders.append(find)


def own_application(user, call):
    if user is None or not user.is_authenticated:
        return None
    for find in _application_finders:
        found = find(user, call)
        if found is not None:
            return found
    return None
