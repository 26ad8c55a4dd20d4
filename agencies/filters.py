"""The FilterSet of the duty list (ui.lists pattern): list, pagination, sorting and export share it."""

import django_filters
from django.db.models import Q

from ui.filters import StableOrderingFilter

from .choices import AgencyKind
from .models import Duty
from .selectors import duty_agencies


def _agencies(request):
    from .models import Agency

    return Agency.objects.none() if request is None else duty_agencies(user=request.user)


class DutyFilterSet(django_filters.FilterSet):
    agency = django_filters.ModelChoiceFilter(queryset=_agencies, label="责任单位", empty_label="全部")
    kind = django_filters.ChoiceFilter(field_name="agency__kind", choices=AgencyKind.choices, label="单位类别",
                                       empty_label="全部")
    q = django_filters.CharFilter(method="filter_q", label="关键词", help_text="职责内容或依据")
    sort = StableOrderingFilter(
        fields=(("agency__order", "agency"), ("order", "order"), ("source", "source")),
        label="排序",
    )

    class Meta:
        model = Duty
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(text__icontains=value) | Q(source__icontains=value))
