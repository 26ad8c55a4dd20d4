"""Filters and chart tags every page uses: {% load ui %}.

Dates read 2024年5月31日, money reads in 万元 with two decimals, and charts are SVG drawn on the
server (no CDN, no script), so they print and work offline.
"""

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.template import engines
from django.utils import timezone
from django.utils.safestring import mark_safe

from ui.people import display_name as _display_name

register = template.Library()

@register.simple_tag
def jinja(template_name: str, **context) -> str:
    """{% jinja "ui/list_rows.html" rows=rows %}: a partial from templates/jinja2/, rendered by Jinja2.

    The page's own hot part (a table body of a list) renders in the faster engine; its markup stays a
    template (ui/jinja2.py). Jinja2 escapes every value itself (autoescape), so its output is safe."""
    html = engines["jinja2"].get_template(template_name).render(context)
    return mark_safe(html)  # noqa: S308 - rendered by Jinja2 with autoescape on


@register.filter
def display_name(user, nobody: str = "系统") -> str:
    """{{ upload.uploaded_by|display_name }}: the person's display name, never the login name (ui.people)."""
    return _display_name(user, nobody=nobody)

_TWO_PLACES = Decimal("0.01")
_TEN_THOUSAND = Decimal(10000)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def cn_date(value) -> str:
    """2024-05-31 → 2024年5月31日 (datetimes are shown in local time)."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def wan(value) -> str:
    """An amount in 元 (or ㎡) shown in 万 with two decimals: 270180200 → 27018.02."""
    amount = _decimal(value)
    if amount is None:
        return "—"
    return str((amount / _TEN_THOUSAND).quantize(_TWO_PLACES, rounding=ROUND_HALF_UP))


@register.filter
def two_places(value) -> str:
    amount = _decimal(value)
    return "—" if amount is None else str(amount.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP))


@register.filter
def percent_of(value, total) -> str:
    """value / total as a percentage with one decimal: "6.5%"; "—" when there is no total."""
    part, whole = _decimal(value), _decimal(total)
    if part is None or not whole:
        return "—"
    return f"{(part * 100 / whole).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@register.filter
def minutes_cn(value) -> str:
    """A wait as people read it: timedelta(minutes=15) → 「15 分钟」, 90 min → 「1 小时 30 分钟」."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(1, math.ceil(value.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    return " ".join(part for part in (f"{hours} 小时" if hours else "", f"{minutes} 分钟" if minutes else "") if part)


@register.filter
def days_phrase(days) -> str:
    """剩余 12 天 / 今天到期 / 已过 30 天."""
    if days is None:
        return ""
    days = int(days)
    if days > 0:
        return f"剩余 {days} 天"
    if days == 0:
        return "今天到期"
    return f"已过 {-days} 天"


@register.filter
def display(value) -> str:
    """A cell as people read it: 是/否 for facts, — for unknown or empty."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return value


@register.filter
def fact(value) -> str:
    """A yes/no/unknown survey fact: 是, 否, or 未知 while nobody has surveyed it."""
    return {True: "是", False: "否"}.get(value, "未知")


def _fraction(value, total) -> float:
    part, whole = _decimal(value), _decimal(total)
    if part is None or not whole or whole <= 0:
        return 0.0
    return max(0.0, min(1.0, float(part / whole)))


@register.inclusion_tag("ui/charts/bars.html")
def bar_chart(items, title=""):
    """Horizontal bars, one per item: {"label", "value", "total" (optional), "url" (optional), "text",
    "tone" (optional: ok, warn, bad, muted, demo — colour by meaning)}.

    With a total each bar shows value/total; without one, bars are scaled to the largest value.
    Each bar links to the list behind its figure when the item has a url. Labels and figures are text
    of the page, not of a scaled drawing, so they keep their size on a desk and on a phone.
    """
    items = list(items)
    largest = max((_decimal(i.get("value")) or 0 for i in items), default=0) or 1
    rows = []
    for item in items:
        total = item.get("total")
        fraction = _fraction(item.get("value"), total if total else largest)
        rows.append({**item, "percent": round(100 * fraction, 1), "text": item.get("text") or str(item.get("value"))})
    return {"rows": rows, "title": title}


@register.inclusion_tag("ui/charts/ring.svg.html")
def progress_ring(value, total, label="", url="", size=120):
    """A progress ring: value of total, with the percentage in the middle."""
    fraction = _fraction(value, total)
    radius = size / 2 - 10
    circumference = 2 * math.pi * radius
    return {
        "size": size, "centre": size / 2, "radius": round(radius, 2),
        "circumference": round(circumference, 2),
        "dash": round(circumference * fraction, 2),
        "percent": percent_of(value, total), "label": label, "url": url,
        "value": value, "total": total,
    }
