"""The app's form renderer (ui.widget_renderer) draws a drop-down's options in one template loop instead of
an include per option: every select it draws must be byte for byte what Django's own Jinja2 widget
templates draw, and a widget with an option template of its own keeps it."""

import pytest
from django import forms
from django.forms.renderers import Jinja2

from ui.widget_renderer import WidgetRenderer

HOSTILE = '<b>"甲" & \'乙\'</b>'


class OwnOption(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"  # a stock template other than the option's


class Form(forms.Form):
    plain = forms.ChoiceField(choices=[("", "全部"), ("a&b", HOSTILE), ("c", "丙")])
    grouped = forms.ChoiceField(choices=[("镇", [("1", "乌兰镇"), ("2", HOSTILE)]), ("其他", [("3", "县直")]),
                                         ("4", "不分组")])
    many = forms.MultipleChoiceField(choices=[(str(n), f"第{n}项") for n in range(1, 6)])
    yes_no = forms.NullBooleanField()
    attrs = forms.ChoiceField(choices=[("x", "X")], widget=forms.Select(attrs={"class": "wide", "data-q": HOSTILE,
                                                                             "disabled": True, "hidden": False}))
    own = forms.ChoiceField(choices=[("x", "X"), ("y", "Y")], widget=OwnOption)


@pytest.mark.parametrize("data", [None, {"plain": "a&b", "grouped": "2", "many": ["2", "5"], "yes_no": "false",
                                         "attrs": "x", "own": "y"}])
def test_every_select_is_drawn_as_djangos_own_templates_draw_it(data):
    form = Form(data)
    for field in form:
        attrs = field.build_widget_attrs({"id": field.auto_id})
        stock = field.field.widget.render(field.html_name, field.value(), attrs=attrs, renderer=Jinja2())
        ours = field.field.widget.render(field.html_name, field.value(), attrs=attrs, renderer=WidgetRenderer())
        assert ours == stock, field.name
    html = str(form)
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<label><input" in str(form["own"]) and "<option" not in str(form["own"])  # its own option template
    if data:
        assert '<option value="a&amp;b" selected>' in html and '<option value="5" selected>第5项</option>' in html


def test_the_site_renders_forms_with_the_app_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "ui.widget_renderer.WidgetRenderer"
    assert isinstance(get_default_renderer(), WidgetRenderer)
