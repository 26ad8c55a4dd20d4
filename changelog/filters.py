"""The change log's one FilterSet: the page, its pages and its export select the same lines."""

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from communities.models import Town
from projects.models import Project
from ui.filters import NameChoiceFilter
from ui.people import display_name

from .models import ACTIONS, Change
from .writer import object_type, tracked_models


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _object_types():
    return sorted(((object_type(m), str(m._meta.verbose_name)) for m in tracked_models()), key=lambda c: c[1])


def _people():
    """Everyone who has an account, by display name (never the login name)."""
    return [(u.pk, display_name(u)) for u in get_user_model().objects.order_by("first_name", "pk")]


def _projects():
    return list(Project.objects.order_by("code").values_list("pk", "code"))


class _DateInput(forms.DateInput):
    input_type = "date"


class ChangeFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return data


class ChangeFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(label="起始日期", method="filter_from", widget=_DateInput())
    date_to = django_filters.DateFilter(label="截止日期", method="filter_to", widget=_DateInput())
    user = django_filters.ChoiceFilter(label="操作人", choices=_people, empty_label="全部")
    object_type = django_filters.ChoiceFilter(label="对象类型", choices=_object_types, empty_label="全部")
    action = django_filters.ChoiceFilter(label="操作", choices=ACTIONS, empty_label="全部")
    town = NameChoiceFilter(label="乡镇", queryset=Town.objects.order_by("name"), empty_label="全部")
    project = django_filters.ChoiceFilter(label="项目", choices=_projects, empty_label="全部",
                                          field_name="project_id")

    class Meta:
        model = Change
        fields = []
        form = ChangeFilterForm

    def filter_from(self, queryset, name, value):
        return queryset.filter(changed_at__gte=_start_of(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(changed_at__lt=_start_of(value + dt.timedelta(days=1)))
