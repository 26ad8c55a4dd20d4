"""The Jinja2 environment for the app's hot partials (table bodies) and, through
django.forms.renderers.Jinja2, for every form widget.

Pages stay Django templates; a table body of 50 rows × 9 cells renders about twice as fast in Jinja2 as
in Django's engine (benchmarks/templates.py), so each list's <tbody> is a Jinja2 template that the page
includes with {% jinja "…" %} (ui/templatetags/ui.py). Markup stays in templates either way.
"""

import datetime as dt

from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat, linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from jinja2 import Environment


def cell_text(value) -> str:
    """A list cell as the lists print it: — for nothing, 是/否 for yes/no, numbers and dates localised."""
    if type(value) is str and value:  # most cells: names, numbers of buildings, choice labels
        return value
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize() prints for an int without grouping, at a tenth of the cost
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(localize(value))


def percent(value) -> str:
    """A share (0..1) as a whole percentage, — when unknown (what {% widthratio v 1 100 %}% printed)."""
    return "—" if value is None else f"{round(float(value) * 100)}%"


def date(value, format_string: str = "Y-m-d") -> str:
    """{{ step.planned_end|date }}: Django's date filter ("" for none), a datetime in local time first."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_filter(value, format_string)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update({"url": lambda name, *args: reverse(name, args=args)})
    env.filters.update({
        "cell": cell_text,
        "percent": percent,
        "floatformat": floatformat,
        "date": date,
        "linebreaksbr": lambda value: linebreaksbr(value, autoescape=True),
    })
    return env
