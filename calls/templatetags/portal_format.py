"""Amounts as people read them: `{{ amount|money }}` → "12 500" (fr) / "12,500" (en), cents only
when there are some; "—" for no amount. The same rule as the eligibility messages (rules.Money)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

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


@register.simple_tag
def page_links(page_obj):
    """The numbers a pager shows around `page_obj`: the first, the last, two on each side of the
    current one, None for the gaps (templates/partials/pagination.html)."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]


@register.filter
def amount_input(value):
    """An amount as a form field holds it for the page's language: "9000", "9000,50" (fr) or
    "9000.50" (en); no grouping, so that it reads back as typed (reviews.services.decisions)."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if amount == amount.to_integral_value():
        return str(amount.quantize(Decimal("1")))
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=False)
