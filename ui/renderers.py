"""A form renderer that draws the commonest widgets in Python, with Django's exact markup.

Django renders every <option> of a drop-down through its own template include; a filter form with a
drop-down of 126 towns spent 25–33 ms per request doing that (benchmarks/latency.py). This renderer
produces the same HTML as Django's stock templates for <select> (with stock option templates) and the
<input> widgets, directly from the widget context Django builds; anything else, or any widget whose
template was changed, goes through the templates as usual. tests/ui/test_renderers.py compares the
two renderers' output for every form and filter set of the application.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_OPTION = "django/forms/widgets/select_option.html"
_INPUTS = {f"django/forms/widgets/{name}.html" for name in (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search",
    "tel", "text", "time", "url", "input")}


def _text(value) -> str:
    return str(conditional_escape(value))


def _attrs(attrs: dict) -> str:
    # {% for name, value in widget.attrs.items %}{% if value is not False %} {{ name }}
    # {% if value is not True %}="{{ value|stringformat:'s' }}"{% endif %}{% endif %}{% endfor %}
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_text(str(value))}"')
    return "".join(parts)


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            parts.append(f'\n  <option value="{_text(str(option["value"]))}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')  # the option template ends in a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(str(widget["value"]))}"'
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


class FastWidgetRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: stock templates, with <select> and <input> drawn in Python."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and widget.get("template_name") == template_name:
            html = None
            if template_name == "django/forms/widgets/select.html":
                html = _select(widget)
            elif template_name in _INPUTS:
                html = _input(widget)
            if html is not None:
                return mark_safe(html)  # noqa: S308 (every value above went through conditional_escape)
        return super().render(template_name, context, request=request)
