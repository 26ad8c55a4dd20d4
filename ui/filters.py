"""Filter pieces shared by every FilterSet (see ui.lists for the list pattern)."""

import django_filters
from django import forms
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from .lists import StableOrderingFilter

__all__ = ["NameChoiceFilter", "StableOrderingFilter", "YesNoFilter"]


class _NameChoiceIterator(ModelChoiceIterator):
    """The options as (id, name) from one query of two columns: no model instance per option, and no
    server-side cursor (ModelChoiceIterator's iterator() declares one per drop-down on PostgreSQL)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.queryset.values_list("pk", "name")


class _NameChoiceField(ModelChoiceField):
    iterator = _NameChoiceIterator


class NameChoiceFilter(django_filters.ModelChoiceFilter):
    """ModelChoiceFilter for a model whose str() is its `name` (towns, communities): the same options and
    the same validation, drawn from values instead of instances."""

    field_class = _NameChoiceField


class YesNoFilter(django_filters.BooleanFilter):
    """全部 / 是 / 否 (Django's own widget says 未知 for "any", which reads as "the fact is unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")]))
        super().__init__(*args, **kwargs)
