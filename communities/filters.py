"""One FilterSet per listed model: the review queue's HTML page and its xlsx export share it."""

import django_filters
from django.db.models import Q

from agencies.access import compounds_for

from .choices import ReviewStatus, Verdict
from .models import Community, Compound, Town

CONSENT_CHOICES = [("meets", "达到门槛"), ("below", "低于门槛"), ("unknown", "尚无数据")]
REVIEWED_CHOICES = [("no", "未现场审核"), ("yes", "已现场审核")]


def _towns(request):
    visible = compounds_for(request.user, Compound.objects.all()).values("town_id") if request else []
    return Town.objects.filter(pk__in=visible)


def _communities(request):
    visible = compounds_for(request.user, Compound.objects.all()).values("community_id") if request else []
    return Community.objects.filter(pk__in=visible)


class CompoundReviewFilterSet(django_filters.FilterSet):
    """Filters of the review queue (认定审核): verdict, town, 社区, priority, consent, reviewed or not."""

    verdict = django_filters.ChoiceFilter(field_name="assessment__verdict", choices=Verdict.choices,
                                          label="认定结论", empty_label="全部")
    town = django_filters.ModelChoiceFilter(queryset=_towns, label="乡镇", empty_label="全部")
    community = django_filters.ModelChoiceFilter(queryset=_communities, label="社区", empty_label="全部")
    priority_min = django_filters.NumberFilter(field_name="assessment__priority", lookup_expr="gte",
                                               label="优先度不低于", min_value=0)
    consent = django_filters.ChoiceFilter(choices=CONSENT_CHOICES, method="filter_consent", label="改造意愿",
                                          empty_label="全部")
    reviewed = django_filters.ChoiceFilter(choices=REVIEWED_CHOICES, method="filter_reviewed", label="审核",
                                           empty_label="全部")
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label="审核状态", empty_label="全部")
    ordering = django_filters.OrderingFilter(
        fields=(("assessment__priority", "priority"), ("name", "name"), ("build_year", "build_year")),
        field_labels={"assessment__priority": "优先度", "name": "小区名称", "build_year": "建成年份"},
        label="排序",
    )

    class Meta:
        model = Compound
        fields = ["verdict", "town", "community", "priority_min", "consent", "reviewed", "review_status"]

    def filter_consent(self, queryset, name, value):
        if value == "meets":
            return queryset.filter(assessment__consent_meets_threshold=True)
        if value == "below":
            return queryset.filter(assessment__consent_meets_threshold=False)
        return queryset.filter(Q(assessment__isnull=True) | Q(assessment__consent_meets_threshold__isnull=True))

    def filter_reviewed(self, queryset, name, value):
        unreviewed = Q(review_status=ReviewStatus.SURVEYED)
        return queryset.filter(unreviewed) if value == "no" else queryset.exclude(unreviewed)
