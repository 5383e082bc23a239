"""Amounts as people read them: `{{ amount|money }}` → "12 500" (fr) / "12,500" (en), cents only
when there are some; "—" for no amount. The same rule as the eligibility messages (rules.Money)."""

from decimal import Decimal, InvalidOperation

from django import template

from calls.rules.base import Money

register = template.Library()


@register.filter
def money(value):
    if value in (None, ""):
        return "—"
    try:
        return str(Money(Decimal(str(value))))
    except InvalidOperation:
        return str(value)
