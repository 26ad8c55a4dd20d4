from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingyuan_renovation.admin import ReadOnlyAdmin

from .models import (
    Building,
    Community,
    Compound,
    CompoundAssessment,
    CompoundMerge,
    EligibilityRelaxation,
    Household,
    SiteVerification,
    SurveyUpload,
    Town,
    TownTotals,
)
from .services import compound_assess
from .totals import town_totals_refresh

# Where each editable model's town is: the admin keeps the stored per-town totals in step.
_TOWN = {Compound: "town_id", Building: "compound__town_id", Household: "building__compound__town_id"}


def _towns(model, pks) -> set[int]:
    return set(model.objects.filter(pk__in=pks).values_list(_TOWN[model], flat=True))


class ReassessOnSaveMixin:
    """Facts edited in the admin are facts changed: the compound is re-assessed (三、认定标准), and the
    towns the row was in before and after are recounted (communities.totals), as the services do."""

    def compound_of(self, obj):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        before = _towns(self.model, [obj.pk]) if obj.pk else set()
        super().save_model(request, obj, form, change)
        compound_assess(compound=self.compound_of(obj), user=request.user)
        town_totals_refresh(town_ids=before | _towns(self.model, [obj.pk]))

    def delete_model(self, request, obj):
        before = _towns(self.model, [obj.pk])
        super().delete_model(request, obj)
        town_totals_refresh(town_ids=before)

    def delete_queryset(self, request, queryset):
        before = set(queryset.values_list(_TOWN[self.model], flat=True))
        super().delete_queryset(request, queryset)
        town_totals_refresh(town_ids=before)


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
class CompoundAdmin(ReassessOnSaveMixin, SimpleHistoryAdmin):
    list_display = ("name", "town", "community", "build_year", "building_count", "household_count",
                    "floor_area_m2", "named_in_plan", "is_demo")
    list_filter = ("town", "community", "is_demo", "named_in_plan", "in_shantytown_plan", "already_renovated",
                   "gas_telecom_to_review")
    search_fields = ("name", "address", "owner_work_unit")
    list_select_related = ("town", "community")
    readonly_fields = ("review_status",)

    def compound_of(self, obj):
        return obj


@admin.register(Building)
class BuildingAdmin(ReassessOnSaveMixin, SimpleHistoryAdmin):
    list_display = ("number", "compound", "build_year", "floors", "units", "household_count", "has_lift")
    list_filter = ("compound__town", "compound__is_demo", "has_lift", "structure_type")
    search_fields = ("number", "compound__name")
    list_select_related = ("compound",)
    raw_id_fields = ("compound",)

    def compound_of(self, obj):
        return obj.compound


@admin.register(Household)
class HouseholdAdmin(ReassessOnSaveMixin, SimpleHistoryAdmin):
    list_display = ("building", "unit", "room", "head_name", "phone", "floor_area_m2",
                    "renovation_consent", "lift_consent")
    list_filter = ("renovation_consent", "lift_consent", "building__compound__town")
    search_fields = ("head_name", "building__compound__name", "building__number", "room")
    list_select_related = ("building__compound",)
    raw_id_fields = ("building",)

    def compound_of(self, obj):
        return obj.building.compound


@admin.register(CompoundAssessment)
class CompoundAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("compound", "verdict", "central_subsidy_allowed", "priority", "consent_meets_threshold",
                    "updated_at")
    list_filter = ("verdict", "central_subsidy_allowed", "consent_meets_threshold", "compound__town")
    search_fields = ("compound__name",)
    list_select_related = ("compound",)


@admin.register(EligibilityRelaxation)
class EligibilityRelaxationAdmin(ReadOnlyAdmin):
    list_display = ("compound", "building", "joined_to", "closely_joined", "residents_strongly_want",
                    "renovation_necessary", "approver", "approved_on", "recorded_by")
    search_fields = ("compound__name", "reason", "approver")
    list_select_related = ("compound", "building", "recorded_by")


@admin.register(CompoundMerge)
class CompoundMergeAdmin(ReadOnlyAdmin):
    """拆墙连片 (二(四)、五): recorded through the compound page's service, read here."""

    list_display = ("absorbed", "managed", "merged_on", "recorded_by")
    search_fields = ("absorbed__name", "managed__name", "reason")
    list_select_related = ("absorbed", "managed", "recorded_by")


@admin.register(SiteVerification)
class SiteVerificationAdmin(ReadOnlyAdmin):
    list_display = ("compound", "verified_on", "verified_by", "decision", "demolition_judgement")
    list_filter = ("decision", "demolition_judgement")
    search_fields = ("compound__name", "town_participant", "community_participant", "design_institute", "notes")
    list_select_related = ("compound", "verified_by")


@admin.register(SurveyUpload)
class SurveyUploadAdmin(ReadOnlyAdmin):
    """Uploads are kept as evidence: the admin reads them; imports go through the survey pages."""

    list_display = ("uploaded_at", "town", "uploaded_by", "original_name", "state", "error_count", "imported_at")
    list_filter = ("state", "town")
    search_fields = ("original_name", "sha256", "uploaded_by__username")
    list_select_related = ("town", "uploaded_by")


@admin.register(TownTotals)
class TownTotalsAdmin(admin.ModelAdmin):
    """Stored per-town totals: written only by communities.totals (python manage.py refresh_totals)."""

    list_display = ("town", "is_demo", "compounds", "buildings", "households", "floor_area_m2", "refreshed_at")
    list_filter = ("is_demo",)
    search_fields = ("town__name",)
    list_select_related = ("town",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
