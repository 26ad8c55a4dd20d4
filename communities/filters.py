"""FilterSets of the compound, building and household lists and of the eligibility review queue.

Each drives its HTML list, pagination, sorting and xlsx export, so a filter means the same everywhere.
"""

import django_filters
from django import forms
from django.db.models import Q

from agencies.access import compounds_for, may_search_personal_data
from ui.filters import NameChoiceFilter, StableOrderingFilter, YesNoFilter

from .choices import Consent, ReviewStatus, StructureType, Verdict
from .models import Building, Community, Compound, Household, SurveyUpload, Town


def _visible_compounds(request):
    if request is None:
        return Compound.objects.none()
    return compounds_for(request.user, Compound.objects.order_by("name"))


class CompoundFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="关键词", help_text="小区名称、地址或产权单位")
    town = NameChoiceFilter(queryset=Town.objects.all(), label="乡镇", empty_label="全部")
    community = NameChoiceFilter(queryset=Community.objects.all(), label="社区", empty_label="全部")
    built_before = django_filters.NumberFilter(field_name="build_year", lookup_expr="lt", label="建成早于（年）")
    named_in_plan = YesNoFilter(label="工作方案点名")
    is_demo = YesNoFilter(label="演示数据")
    sort = StableOrderingFilter(
        fields=(("name", "name"), ("town__name", "town"), ("build_year", "build_year"),
                ("building_count", "building_count"), ("household_count", "household_count"),
                ("floor_area_m2", "floor_area_m2"), ("recorded_buildings", "recorded_buildings")),
        field_labels={"recorded_buildings": "已录入楼栋"},
        label="排序",
    )

    class Meta:
        model = Compound
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)
                               | Q(owner_work_unit__icontains=value))


class BuildingFilterSet(django_filters.FilterSet):
    # By id from the compound page's links (hidden: a drop-down of every compound would be tens of
    # thousands of options at province scale); people filter by name.
    compound = django_filters.ModelChoiceFilter(queryset=_visible_compounds, widget=forms.HiddenInput, label="小区")
    compound_name = django_filters.CharFilter(field_name="compound__name", lookup_expr="icontains", label="小区")
    number = django_filters.CharFilter(field_name="number", lookup_expr="icontains", label="楼栋号")
    town = NameChoiceFilter(field_name="compound__town", queryset=Town.objects.all(), label="乡镇",
                                            empty_label="全部")
    built_before = django_filters.NumberFilter(field_name="build_year", lookup_expr="lt", label="建成早于（年）")
    structure_type = django_filters.ChoiceFilter(choices=StructureType.choices, label="结构类型", empty_label="全部")
    has_lift = YesNoFilter(label="有无电梯")
    is_demo = YesNoFilter(field_name="compound__is_demo", label="演示数据")
    sort = StableOrderingFilter(
        fields=(("compound__name", "compound"), ("number", "number"), ("build_year", "build_year"),
                ("floors", "floors"), ("household_count", "household_count"), ("floor_area_m2", "floor_area_m2"),
                ("recorded_households", "recorded_households")),
        field_labels={"recorded_households": "已录入住户"},
        label="排序",
    )

    class Meta:
        model = Building
        fields = []


class HouseholdFilterSet(django_filters.FilterSet):
    compound = django_filters.ModelChoiceFilter(field_name="building__compound", queryset=_visible_compounds,
                                                widget=forms.HiddenInput, label="小区")
    compound_name = django_filters.CharFilter(field_name="building__compound__name", lookup_expr="icontains",
                                              label="小区")
    # Set by the links on a building's page; a hidden field, so the form stays short.
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.all(), widget=forms.HiddenInput, label="楼栋")
    building_number = django_filters.CharFilter(field_name="building__number", lookup_expr="exact", label="楼栋号")
    room = django_filters.CharFilter(field_name="room", lookup_expr="icontains", label="房号")
    renovation_consent = django_filters.ChoiceFilter(choices=Consent.choices, label="改造意愿", empty_label="全部")
    lift_consent = django_filters.ChoiceFilter(choices=Consent.choices, label="加装电梯意愿", empty_label="全部")
    resident = django_filters.CharFilter(method="filter_resident", label="户主或电话",
                                         help_text="仅有权查看住户信息的角色可按此查找")
    is_demo = YesNoFilter(field_name="building__compound__is_demo", label="演示数据")
    sort = StableOrderingFilter(
        fields=(("building__compound__name", "compound"), ("building__number", "building"), ("unit", "unit"),
                ("room", "room"), ("floor_area_m2", "floor_area_m2"), ("renovation_consent", "renovation_consent")),
        label="排序",
    )

    class Meta:
        model = Household
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is None or not may_search_personal_data(self.request.user):
            del self.filters["resident"]

    def filter_resident(self, queryset, name, value):
        # Matching on a name the user may not read would reveal it one guess at a time.
        if self.request is None or not may_search_personal_data(self.request.user):
            return queryset.none()
        return queryset.filter(Q(head_name__icontains=value) | Q(phone__icontains=value))


CONSENT_CHOICES = [("meets", "达到门槛"), ("below", "低于门槛"), ("unknown", "尚无数据")]
REVIEWED_CHOICES = [("no", "未现场审核"), ("yes", "已现场审核")]


def _towns(request):
    visible = compounds_for(request.user, Compound.objects.all()).values("town_id") if request else []
    return Town.objects.filter(pk__in=visible)


def _communities(request):
    visible = compounds_for(request.user, Compound.objects.all()).values("community_id") if request else []
    return Community.objects.filter(pk__in=visible)


DEMO_CHOICES = [("include", "含演示数据"), ("only", "仅演示数据")]


class CompoundReviewFilterSet(django_filters.FilterSet):
    """Filters of the review queue (认定审核): verdict, town, 社区, priority, consent, reviewed or not."""

    verdict = django_filters.ChoiceFilter(field_name="assessment__verdict", choices=Verdict.choices,
                                          label="认定结论", empty_label="全部")
    town = NameChoiceFilter(queryset=_towns, label="乡镇", empty_label="全部")
    community = NameChoiceFilter(queryset=_communities, label="社区", empty_label="全部")
    priority_min = django_filters.NumberFilter(field_name="assessment__priority", lookup_expr="gte",
                                               label="优先度不低于", min_value=0)
    consent = django_filters.ChoiceFilter(choices=CONSENT_CHOICES, method="filter_consent", label="改造意愿",
                                          empty_label="全部")
    reviewed = django_filters.ChoiceFilter(choices=REVIEWED_CHOICES, method="filter_reviewed", label="审核",
                                           empty_label="全部")
    review_status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label="审核状态", empty_label="全部")
    # Demo compounds are 演示数据: left out unless asked for, as the dashboard's verdict counts leave them out.
    demo = django_filters.ChoiceFilter(choices=DEMO_CHOICES, method="filter_demo", label="演示数据",
                                       empty_label="不含演示数据（默认）")
    sort = StableOrderingFilter(
        fields=(("assessment__priority", "priority"), ("name", "name"), ("town__name", "town"),
                ("build_year", "build_year"), ("assessment__verdict", "verdict"), ("review_status", "review_status")),
        field_labels={"assessment__priority": "优先度", "name": "小区名称", "town__name": "乡镇",
                      "build_year": "建成年份", "assessment__verdict": "认定结论", "review_status": "审核状态"},
        label="排序",
    )

    class Meta:
        model = Compound
        fields = ["verdict", "town", "community", "priority_min", "consent", "reviewed", "review_status", "demo"]

    @property
    def qs(self):
        if not hasattr(self, "_qs_scoped"):
            queryset = super().qs
            self._qs_scoped = queryset if self.demo_choice() else queryset.filter(is_demo=False)
        return self._qs_scoped

    def demo_choice(self) -> str:
        """"" (real data only, the default), "include" or "only"."""
        return (self.form.cleaned_data.get("demo") or "") if self.is_valid() else ""

    def demo_scope(self) -> bool | None:
        """The is_demo the counts above the list read: False by default, True for only demo, None for both."""
        return {"": False, "only": True, "include": None}[self.demo_choice()]

    def filter_demo(self, queryset, name, value):
        return queryset.filter(is_demo=True) if value == "only" else queryset

    def filter_consent(self, queryset, name, value):
        if value == "meets":
            return queryset.filter(assessment__consent_meets_threshold=True)
        if value == "below":
            return queryset.filter(assessment__consent_meets_threshold=False)
        return queryset.filter(Q(assessment__isnull=True) | Q(assessment__consent_meets_threshold__isnull=True))

    def filter_reviewed(self, queryset, name, value):
        unreviewed = Q(review_status__in=[ReviewStatus.NOT_SURVEYED, ReviewStatus.SURVEYED])
        return queryset.filter(unreviewed) if value == "no" else queryset.exclude(unreviewed)


class SurveyUploadFilterSet(django_filters.FilterSet):
    """The upload history list (and any export of it) filters through this one set."""

    sort = StableOrderingFilter(
        fields=(("uploaded_at", "uploaded_at"), ("town__name", "town"), ("original_name", "original_name"),
                ("state", "state"), ("error_count", "error_count"), ("warning_count", "warning_count")),
        field_labels={"uploaded_at": "上传时间", "town__name": "乡镇", "original_name": "文件名", "state": "状态",
                      "error_count": "错误", "warning_count": "提示"},
        label="排序",
    )

    class Meta:
        model = SurveyUpload
        fields = ["town", "state"]
