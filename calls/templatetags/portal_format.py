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


@register.simple_tag
def page_links(page_obj):
    """The numbers a pager shows around `page_obj`: the first, the last, two on each side of the
    current one, None for the gaps (templates/partials/pagination.html)."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=2, on_ends=1)
    ]
