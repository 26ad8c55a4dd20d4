"""Filter pieces shared by every FilterSet (see ui.lists for the list pattern)."""

import django_filters
from django import forms

from .lists import StableOrderingFilter

__all__ = ["StableOrderingFilter", "YesNoFilter"]


class YesNoFilter(django_filters.BooleanFilter):
    """全部 / 是 / 否 (Django's own widget says 未知 for "any", which reads as "the fact is unknown")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")]))
        super().__init__(*args, **kwargs)
