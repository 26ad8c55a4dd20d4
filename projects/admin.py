from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingyuan_renovation.admin import ReadOnlyAdmin

from .models import (
    AcceptanceRecord,
    AgencyTask,
    FourItemsAcknowledgement,
    Programme,
    Project,
    ProjectCompound,
    ProjectDocument,
    ProjectNote,
    ProjectStep,
    ReportRun,
    ScopeItem,
    ScopeLine,
    TaskNote,
)


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = (
        "year",
        "document_number",
        "target_compounds",
        "target_buildings",
        "target_households",
        "target_floor_area_m2",
        "target_budget_yuan",
        "ready_deadline",
        "completion_deadline",
    )
    search_fields = ("document_number", "title")


@admin.register(ScopeItem)
class ScopeItemAdmin(SimpleHistoryAdmin):
    list_display = (
        "order",
        "name",
        "category",
        "subcategory",
        "national_class",
        "unit",
        "is_water_power_road_gas",
        "clause",
    )
    list_filter = ("category", "national_class", "is_water_power_road_gas")
    search_fields = ("name", "code", "subcategory")
    list_per_page = 100


class ProjectCompoundInline(admin.TabularInline):
    model = ProjectCompound
    extra = 0
    raw_id_fields = ("compound",)


# Steps, scope and tasks change through the project pages, whose services enforce the order of 六
# and the scope rules of 五; the admin shows them read-only so nobody bypasses those checks.


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "programme", "centrally_subsidised", "responsible_agency", "is_demo")
    list_filter = ("centrally_subsidised", "is_demo", "programme")
    search_fields = ("code", "name")
    inlines = [ProjectCompoundInline]


@admin.register(ProjectStep)
class ProjectStepAdmin(ReadOnlyAdmin):
    list_display = ("project", "order", "code", "responsible_agency", "planned_end", "actual_end", "status")
    list_filter = ("code", "status")
    search_fields = ("project__code", "project__name")
    list_select_related = ("project", "responsible_agency")


@admin.register(ScopeLine)
class ScopeLineAdmin(ReadOnlyAdmin):
    list_display = ("project", "compound", "scope_item", "quantity", "unit", "estimated_cost_yuan")
    search_fields = ("project__code", "compound__name", "scope_item__name")
    list_select_related = ("project", "compound", "scope_item")


@admin.register(AgencyTask)
class AgencyTaskAdmin(SimpleHistoryAdmin):
    list_display = ("agency", "project", "title", "due_date", "status")
    list_filter = ("status", "agency")
    search_fields = ("title", "agency__name", "project__code")
    list_select_related = ("agency", "project")


@admin.register(TaskNote)
class TaskNoteAdmin(ReadOnlyAdmin):
    """Progress notes are a log: kept as written, read here, never edited (issue 17)."""

    list_display = ("task", "status", "written_by", "written_at")
    list_filter = ("status",)
    search_fields = ("text", "task__title", "task__agency__name")
    list_select_related = ("task__agency", "written_by")


@admin.register(ProjectCompound)
class ProjectCompoundAdmin(ReadOnlyAdmin):
    list_display = ("project", "compound", "phase")
    search_fields = ("project__code", "compound__name")
    list_select_related = ("project", "compound")


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(ReadOnlyAdmin):
    search_fields = ("project__code", "title")


@admin.register(ProjectNote)
class ProjectNoteAdmin(ReadOnlyAdmin):
    search_fields = ("project__code", "text")


@admin.register(AcceptanceRecord)
class AcceptanceRecordAdmin(ReadOnlyAdmin):
    search_fields = ("project__code",)


@admin.register(FourItemsAcknowledgement)
class FourItemsAcknowledgementAdmin(ReadOnlyAdmin):
    search_fields = ("project__code", "reason")


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "cutoff", "trigger", "state", "progress", "attempts", "requested_at")
    list_filter = ("kind", "state", "trigger")
    search_fields = ("sha256", "reason", "task_id")
