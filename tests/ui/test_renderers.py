"""The Python-drawn widgets (ui.renderers) give exactly the HTML of Django's own templates, for every
form and filter set in the application and for hostile labels and values."""

import importlib
import inspect

import django_filters
import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from communities.models import Town
from ui.renderers import FastWidgetRenderer

pytestmark = pytest.mark.django_db

STOCK, FAST = DjangoTemplates(), FastWidgetRenderer()
MODULES = ["agencies.filters", "communities.filters", "communities.forms", "funding.filters", "funding.forms",
           "projects.filters", "projects.forms", "ui.filters"]


def _classes(base):
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, base) and cls.__module__ == name and cls is not base]
    return found


def _html(form, renderer) -> str:
    form.renderer = renderer
    return str(form) + "".join(str(field) for field in form)


class Hostile(forms.Form):
    kind = forms.ChoiceField(choices=[("a&b", 'A "quoted" <b>'), ("组", [("x<", "选项<1>"), ("y", "选项 2")]),
                                      (3, 3)], initial="x<")
    many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], initial=["1", "2"], required=False)
    town = forms.ModelChoiceField(queryset=Town.objects.all(), required=False)
    flag = forms.BooleanField(initial=True, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial='<"&>')
    amount = forms.DecimalField(initial="12.50", widget=forms.NumberInput(attrs={"step": "0.01", "data-x": True}))
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", "disabled": False}))
    text = forms.CharField(initial="", required=False, widget=forms.TextInput(attrs={"placeholder": "名称 & 地址"}))


def test_hostile_labels_values_and_attributes_render_exactly_as_django_does(wulan):
    Town.objects.create(name='<script>"镇"&</script>')
    for form in (Hostile(), Hostile({"kind": "a&b", "many": ["2"], "town": str(wulan.pk), "flag": "on",
                                     "hidden": "1", "amount": "x", "text": "<i>"})):
        fast = _html(form, FAST)
        assert fast == _html(form, STOCK)
        assert "<script>" not in fast and "&lt;script&gt;" in fast


@pytest.mark.parametrize("filterset_class", _classes(django_filters.FilterSet), ids=lambda c: c.__name__)
def test_every_filter_form_renders_as_django_does(filterset_class, programme, wulan):
    model = filterset_class._meta.model
    queryset = model.objects.all() if model else None
    for data in (None, {"sort": "-name", "town": str(wulan.pk), "is_demo": "true", "q": "<x>"}):
        try:
            filterset = filterset_class(data, queryset=queryset, request=None)
        except TypeError:
            filterset = filterset_class(data, queryset=queryset)
        filterset.is_valid()
        assert _html(filterset.form, FAST) == _html(filterset.form, STOCK)


@pytest.mark.parametrize("form_class", _classes(forms.BaseForm), ids=lambda c: c.__name__)
def test_every_form_renders_as_django_does(form_class, programme, world, users):
    """Each form with the objects it is built for (its project, compound, programme or user)."""
    available = {"programme": programme, "project": world["project"], "compound": world["own_compound"],
                 "user": users["staff"]}
    needed = [name for name, parameter in inspect.signature(form_class.__init__).parameters.items()
              if parameter.kind == parameter.KEYWORD_ONLY]
    form = form_class(**{name: available[name] for name in needed})
    assert _html(form, FAST) == _html(form, STOCK)
