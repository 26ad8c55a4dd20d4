from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingyuan_renovation.admin import ReadOnlyAdmin

from .models import (
    Allocation,
    BudgetLine,
    ConstructionCostApproval,
    Disbursement,
    Expenditure,
    FundingAccount,
    FundingSourceKind,
    Pledge,
    SourceClassRule,
)


@admin.register(FundingSourceKind)
class FundingSourceKindAdmin(SimpleHistoryAdmin):
    list_display = ("order", "name", "group", "is_central", "clause")
    list_filter = ("group", "is_central")
    search_fields = ("name", "code")


# Money is written only through funding.services (rules, row locks, who did it): the admin only shows it.


@admin.register(SourceClassRule)
class SourceClassRuleAdmin(ReadOnlyAdmin):
    list_display = ("source", "funding_class", "allowed", "capped_by_construction_cost", "note")
    list_filter = ("funding_class", "allowed")
    search_fields = ("source__name", "note")
    list_select_related = ("source",)


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyAdmin):
    list_display = ("programme", "project", "source", "funding_class", "amount_yuan")
    list_filter = ("source", "funding_class")
    search_fields = ("project__code", "project__name", "note")
    list_select_related = ("programme", "project", "source")


@admin.register(FundingAccount)
class FundingAccountAdmin(ReadOnlyAdmin):
    list_display = ("project", "source", "allocated_yuan", "disbursed_yuan", "spent_yuan")
    search_fields = ("project__code", "project__name", "source__name")
    list_select_related = ("project", "source")


@admin.register(Allocation)
class AllocationAdmin(ReadOnlyAdmin):
    list_display = ("allocated_on", "document_number", "project", "source", "amount_yuan", "reverses", "reason")
    search_fields = ("document_number", "project__code")
    list_select_related = ("project", "source")


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("disbursed_on", "voucher_number", "project", "source", "amount_yuan", "reverses", "reason")
    search_fields = ("voucher_number", "project__code")
    list_select_related = ("project", "source")


@admin.register(Expenditure)
class ExpenditureAdmin(ReadOnlyAdmin):
    list_display = ("paid_on", "payee", "reference", "project", "source", "amount_yuan", "reverses", "reason")
    search_fields = ("payee", "reference", "project__code")
    list_select_related = ("project", "source")


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ("project", "source", "pledger", "pledged_yuan", "received_yuan")
    search_fields = ("pledger", "project__code")
    list_select_related = ("project", "source")


@admin.register(ConstructionCostApproval)
class ConstructionCostApprovalAdmin(ReadOnlyAdmin):
    list_display = ("project", "approved_cost_yuan", "document_number", "approved_on")
    search_fields = ("project__code", "document_number")
    list_select_related = ("project",)
