"""Pages of compounds, buildings and households: lists (ui.lists pattern) and detail pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies import access
from ui.history import history_entries
from ui.lists import Column, FilteredListView

from . import selectors
from .filters import BuildingFilterSet, CompoundFilterSet, HouseholdFilterSet

_PERSONAL_FIELDS = {"head_name": "name", "phone": "phone"}


class CompoundListView(FilteredListView):
    title = "小区"
    intro = "调查录入的小区。演示数据名称以“示例小区-”开头，不计入真实进度。"
    roles = access.COMMUNITY_READERS
    filterset_class = CompoundFilterSet
    detail_url_name = "communities:compound_detail"
    export_name = "小区"
    columns = [
        Column("小区名称", "name", sort="name", link=True),
        Column("乡镇", "town.name", sort="town"),
        Column("社区", "community.name"),
        Column("详细地址", "address", export_only=True),
        Column("产权单位", "owner_work_unit", export_only=True),
        Column("建成年份", "build_year", sort="build_year", numeric=True),
        Column("楼栋数（调查）", "building_count", sort="building_count", numeric=True),
        Column("已录入楼栋", "recorded_buildings", sort="recorded_buildings", numeric=True),
        Column("户数（调查）", "household_count", sort="household_count", numeric=True),
        Column("建筑面积(㎡)", "floor_area_m2", sort="floor_area_m2", numeric=True),
        Column("工作方案点名", "named_in_plan"),
        Column("演示数据", "is_demo"),
    ]

    def get_queryset(self):
        return selectors.compound_list(user=self.request.user)


class BuildingListView(FilteredListView):
    title = "楼栋"
    roles = access.COMMUNITY_READERS
    filterset_class = BuildingFilterSet
    detail_url_name = "communities:building_detail"
    export_name = "楼栋"
    columns = [
        Column("小区", "compound.name", sort="compound"),
        Column("楼栋号", "number", sort="number", link=True),
        Column("乡镇", "compound.town.name", export_only=True),
        Column("建成年份", "build_year", sort="build_year", numeric=True),
        Column("层数", "floors", sort="floors", numeric=True),
        Column("单元数", "units", numeric=True),
        Column("户数（调查）", "household_count", sort="household_count", numeric=True),
        Column("已录入住户", "recorded_households", sort="recorded_households", numeric=True),
        Column("建筑面积(㎡)", "floor_area_m2", sort="floor_area_m2", numeric=True),
        Column("结构类型", "get_structure_type_display"),
        Column("有无电梯", "has_lift"),
    ]

    def get_queryset(self):
        return selectors.building_list(user=self.request.user)


class HouseholdListView(FilteredListView):
    title = "住户"
    intro = "户主姓名和联系电话仅对县住建局工作人员和本乡镇调查员显示，其他角色看到的是遮蔽后的信息（导出同样遮蔽）。"
    roles = access.COMMUNITY_READERS
    filterset_class = HouseholdFilterSet
    detail_url_name = "communities:household_detail"
    export_name = "住户"
    columns = [
        Column("小区", "building.compound.name", sort="compound"),
        Column("楼栋", "building.number", sort="building"),
        Column("单元", "unit", sort="unit"),
        Column("房号", "room", sort="room", link=True),
        Column("户主姓名", "head_name", personal="name"),
        Column("联系电话", "phone", personal="phone"),
        Column("建筑面积(㎡)", "floor_area_m2", sort="floor_area_m2", numeric=True),
        Column("改造意愿", "get_renovation_consent_display", sort="renovation_consent"),
        Column("加装电梯意愿", "get_lift_consent_display"),
        Column("愿意出资", "willing_to_contribute"),
    ]

    def get_queryset(self):
        return selectors.household_list(user=self.request.user)

    def personal_town_id(self, row):
        return row.building.compound.town_id


@login_required
@require_GET
def compound_detail(request, pk: int):
    access.require_role(request.user, *access.COMMUNITY_READERS)
    compound = selectors.compound_get(user=request.user, pk=pk)
    return render(request, "communities/compound_detail.html", {
        "compound": compound,
        "buildings": selectors.compound_buildings(compound=compound),
        "consent": selectors.consent_counts(
            households=selectors.household_list(user=request.user).filter(building__compound=compound)
        ),
        "history": history_entries(compound),
    })


@login_required
@require_GET
def building_detail(request, pk: int):
    access.require_role(request.user, *access.COMMUNITY_READERS)
    building = selectors.building_get(user=request.user, pk=pk)
    town_id = building.compound.town_id
    households = [
        {
            "household": household,
            "head_name": access.personal_value(request.user, household.head_name, kind="name", town_id=town_id),
            "phone": access.personal_value(request.user, household.phone, kind="phone", town_id=town_id),
        }
        for household in selectors.building_households(building=building)
    ]
    return render(request, "communities/building_detail.html", {
        "building": building, "households": households, "history": history_entries(building),
    })


@login_required
@require_GET
def household_detail(request, pk: int):
    access.require_role(request.user, *access.COMMUNITY_READERS)
    household = selectors.household_get(user=request.user, pk=pk)
    town_id = household.building.compound.town_id
    visible = access.may_see_personal_data(request.user, town_id=town_id)
    return render(request, "communities/household_detail.html", {
        "household": household,
        "head_name": access.personal_value(request.user, household.head_name, kind="name", town_id=town_id),
        "phone": access.personal_value(request.user, household.phone, kind="phone", town_id=town_id),
        "personal_visible": visible,
        "history": history_entries(household, masked=None if visible else _PERSONAL_FIELDS),
    })
