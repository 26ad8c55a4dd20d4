from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Building, Community, Compound, Household, Town


@admin.register(Town)
class TownAdmin(SimpleHistoryAdmin):
    list_display = ("name", "county")
    search_fields = ("name", "county")


@admin.register(Community)
class CommunityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "town")
    list_filter = ("town",)
    search_fields = ("name",)
    list_select_related = ("town",)


@admin.register(Compound)
class CompoundAdmin(SimpleHistoryAdmin):
    list_display = ("name", "town", "community", "build_year", "building_count", "household_count",
                    "floor_area_m2", "named_in_plan", "is_demo")
    list_filter = ("town", "community", "is_demo", "named_in_plan", "in_shantytown_plan", "already_renovated")
    search_fields = ("name", "address", "owner_work_unit")
    list_select_related = ("town", "community")


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = ("number", "compound", "build_year", "floors", "units", "household_count", "has_lift")
    list_filter = ("compound__town", "compound__is_demo", "has_lift", "structure_type")
    search_fields = ("number", "compound__name")
    list_select_related = ("compound",)
    raw_id_fields = ("compound",)


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ("building", "unit", "room", "head_name", "phone", "floor_area_m2",
                    "renovation_consent", "lift_consent")
    list_filter = ("renovation_consent", "lift_consent", "building__compound__town")
    search_fields = ("head_name", "building__compound__name", "building__number", "room")
    list_select_related = ("building__compound",)
    raw_id_fields = ("building",)
