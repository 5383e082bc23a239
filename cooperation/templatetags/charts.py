"""Bar charts drawn as SVG on the server (no script, nothing fetched): each bar a <rect> with its
value written beside it; the table below each chart carries the same figures for everyone."""

from decimal import Decimal

from django import template

register = template.Library()

WIDTH, LABEL, BAR, GAP = 640, 220, 18, 8


@register.inclusion_tag("cooperation/_bar_chart.html")
def bar_chart(rows, value, title, chart_id, limit=15, suffix=""):
    """A horizontal bar per row (at most `limit`), sized on the largest `value` among them."""
    shown = [row for row in rows if getattr(row, value) is not None][:limit]
    top = max((Decimal(getattr(row, value)) for row in shown), default=Decimal("0")) or Decimal("1")
    room = WIDTH - LABEL - 60
    bars = []
    for index, row in enumerate(shown):
        amount = Decimal(getattr(row, value))
        y = index * (BAR + GAP)
        bars.append(
            {
                "label": row.label if len(row.label) <= 32 else row.label[:31] + "…",
                "full_label": row.label,
                "value": amount,
                "y": y,
                "text_y": y + BAR - 4,
                "width": max(1, int(room * amount / top)) if amount else 0,
            }
        )
    return {
        "bars": bars,
        "title": title,
        "chart_id": chart_id,
        "suffix": suffix,
        "label_width": LABEL,
        "bar_height": BAR,
        "value_x": LABEL,
        "width": WIDTH,
        "height": max(BAR, len(bars) * (BAR + GAP)),
    }
