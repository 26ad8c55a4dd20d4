"""One FilterSet per listed model: the budget-line list and its xlsx export filter the same way."""

import django_filters
from django import forms
from django.db.models import Q

from ui.filters import NameChoiceFilter, StableOrderingFilter, YesNoFilter

from .choices import FundingClass
from .models import BudgetLine, FundingSourceKind


class BudgetLineFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label="关键字", method="filter_q", help_text="项目编号、名称或说明")
    # By id, from the project funding page's link: a drop-down of every project would weigh more than
    # the page itself at county scale (2,000 projects); people search by code or name in `q`.
    project = django_filters.NumberFilter(label="项目", field_name="project_id", widget=forms.HiddenInput)
    source = NameChoiceFilter(label="资金来源", queryset=FundingSourceKind.objects.all(),
                                              to_field_name="code")
    funding_class = django_filters.ChoiceFilter(label="改造内容类别", choices=FundingClass.choices)
    is_central = YesNoFilter(label="中央补助来源", field_name="source__is_central")
    programme_level = YesNoFilter(label="全计划层面", field_name="project", lookup_expr="isnull")
    is_demo = YesNoFilter(label="演示数据", method="filter_demo")
    sort = StableOrderingFilter(
        label="排序",
        fields=(("project__code", "project"), ("source__order", "source"), ("funding_class", "funding_class"),
                ("amount_yuan", "amount"), ("updated_at", "updated_at")),
    )

    class Meta:
        model = BudgetLine
        fields = ["q", "project", "source", "funding_class", "is_central", "programme_level", "is_demo"]

    def filter_demo(self, queryset, name, value):
        # Programme-level lines (no project) are never demo data.
        return queryset.filter(project__is_demo=True) if value else queryset.exclude(project__is_demo=True)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(project__code__icontains=value) | Q(project__name__icontains=value)
                               | Q(note__icontains=value))
