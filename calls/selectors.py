"""Querysets behind the calls pages: each costs a constant number of queries."""

from .models import Call


def open_calls():
    return Call.objects.open_now().select_related("instrument").order_by("closes_at", "id")
