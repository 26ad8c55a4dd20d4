from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Programme, ScopeItem


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("year", "document_number", "target_compounds", "target_buildings", "target_households",
                    "target_floor_area_m2", "target_budget_yuan", "ready_deadline", "completion_deadline")
    search_fields = ("document_number", "title")


@admin.register(ScopeItem)
class ScopeItemAdmin(SimpleHistoryAdmin):
    list_display = ("order", "name", "category", "subcategory", "national_class", "unit",
                    "is_water_power_road_gas", "clause")
    list_filter = ("category", "national_class", "is_water_power_road_gas")
    search_fields = ("name", "code", "subcategory")
    list_per_page = 100
