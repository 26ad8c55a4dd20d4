"""The FilterSet of the duty list (ui.lists pattern): list, pagination, sorting and export share it."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from ui.filters import NameChoiceFilter, StableOrderingFilter, YesNoFilter

from .choices import AgencyKind, Role
from .models import Duty
from .selectors import duty_agencies


def _agencies(request):
    from .models import Agency

    return Agency.objects.none() if request is None else duty_agencies(user=request.user)


class DutyFilterSet(django_filters.FilterSet):
    agency = NameChoiceFilter(queryset=_agencies, label="责任单位", empty_label="全部")
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


class AccountFilterSet(django_filters.FilterSet):
    """The staff's account list (issue 17): by role, by active, by name."""

    role = django_filters.ChoiceFilter(choices=Role.choices, label="角色", empty_label="全部", method="filter_role")
    is_active = YesNoFilter(label="启用")
    q = django_filters.CharFilter(method="filter_q", label="关键词", help_text="用户名或姓名")
    sort = StableOrderingFilter(fields=(("username", "username"), ("last_login", "last_login")), label="排序")

    class Meta:
        model = get_user_model()
        fields = ["role", "is_active", "q"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(role_group=Role(value).label)

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(first_name__icontains=value))
