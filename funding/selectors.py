"""Reads of money for pages, the dashboard and the reports (issue 7 codes against the four
`funding_*` / `central_subsidy_compounds` functions: keep their names, arguments and row keys).

All amounts are Decimal 元; pages turn them into 万元 with `funding.rules.wan` / the `wan` filter.
Programme-wide figures leave out demo projects unless include_demo=True (demo money is 演示数据 and
never counts toward the programme); a single project's figures are always its own.
balance (余额) = budget − spent: what is left of the budget to spend.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import BudgetLine, FundingAccount, FundingSourceKind, Pledge, SourceClassRule
from .rules import wan

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _scoped(queryset, *, programme, project, include_demo: bool, project_field: str = "project"):
    if project is not None:
        return queryset.filter(**{project_field: project})
    if not include_demo:
        queryset = queryset.exclude(**{f"{project_field}__is_demo": True})
    return queryset


def funding_by_source(*, programme, project=None, include_demo: bool = False) -> list[dict]:
    """One row per FundingSourceKind, in order: budget, allocated, disbursed, spent, balance (元)."""
    lines = _scoped(BudgetLine.objects.filter(programme=programme), programme=programme, project=project,
                    include_demo=include_demo)
    budget = dict(lines.order_by().values_list("source").annotate(total=Sum("amount_yuan")))
    accounts = _scoped(FundingAccount.objects.filter(project__programme=programme), programme=programme,
                       project=project, include_demo=include_demo)
    totals = {row["source"]: row for row in accounts.order_by().values("source").annotate(
        allocated=Sum("allocated_yuan"), disbursed=Sum("disbursed_yuan"), spent=Sum("spent_yuan"))}
    rows = []
    for source in FundingSourceKind.objects.all():
        account = totals.get(source.pk, {})
        row = {"source_code": source.code, "source_name": source.name, "is_central": source.is_central,
               "budget": budget.get(source.pk) or ZERO, "allocated": account.get("allocated") or ZERO,
               "disbursed": account.get("disbursed") or ZERO, "spent": account.get("spent") or ZERO}
        row["balance"] = row["budget"] - row["spent"]
        rows.append(row)
    return rows


def _sum_subquery(model, field: str):
    return Coalesce(Subquery(model.objects.filter(project=OuterRef("pk")).order_by().values("project")
                             .annotate(total=Sum(field)).values("total")), Value(ZERO), output_field=_MONEY)


def funding_by_project(*, programme, include_demo: bool = False) -> list[dict]:
    """One row per project of the programme (by code): budget, allocated, disbursed, spent, balance (元)."""
    projects = programme.projects.all()
    if not include_demo:
        projects = projects.filter(is_demo=False)
    projects = projects.annotate(
        budget=_sum_subquery(BudgetLine, "amount_yuan"),
        allocated=_sum_subquery(FundingAccount, "allocated_yuan"),
        disbursed=_sum_subquery(FundingAccount, "disbursed_yuan"),
        spent=_sum_subquery(FundingAccount, "spent_yuan"),
    ).order_by("code").values("pk", "code", "name", "budget", "allocated", "disbursed", "spent")
    return [{"project_id": p["pk"], "project_code": p["code"], "project_name": p["name"],
             "budget": p["budget"], "allocated": p["allocated"], "disbursed": p["disbursed"], "spent": p["spent"],
             "balance": p["budget"] - p["spent"]} for p in projects]


def funding_reconciliation(*, programme, include_demo: bool = False) -> dict:
    """The programme's budget lines against its target (27018.02万元): difference = budgeted − target."""
    lines = _scoped(BudgetLine.objects.filter(programme=programme), programme=programme, project=None,
                    include_demo=include_demo)
    totals = lines.aggregate(budgeted=Sum("amount_yuan"), lines=Count("pk"))
    budgeted = totals["budgeted"] or ZERO
    return {"target": programme.target_budget_yuan, "budgeted": budgeted,
            "difference": budgeted - programme.target_budget_yuan, "lines": totals["lines"]}


def central_subsidy_compounds(*, programme, include_demo: bool = False) -> list[dict]:
    """Compounds of projects that take central money (a central budget line or net allocation, or flagged
    中央补助项目), with whether the project's scope covers each of 水、电、路、气 for that compound
    (True / False; None while no scope line is recorded for the compound)."""
    from projects.models import Project, ProjectCompound, ScopeLine

    central_projects = Project.objects.filter(programme=programme).filter(
        Q(centrally_subsidised=True)
        | Exists(BudgetLine.objects.filter(project=OuterRef("pk"), source__is_central=True))
        # Net of reversals: an account whose central 下达 was all reversed no longer counts.
        | Exists(FundingAccount.objects.filter(project=OuterRef("pk"), source__is_central=True,
                                               allocated_yuan__gt=0)))
    if not include_demo:
        central_projects = central_projects.filter(is_demo=False)
    phases = ProjectCompound.objects.filter(project__in=central_projects)
    phases = list(phases.select_related("compound", "project").order_by("project__code", "compound__name"))
    covered = defaultdict(set)
    has_lines = set()
    for project_id, compound_id, item in ScopeLine.objects.filter(
            project__in={p.project_id for p in phases}).values_list(
            "project_id", "compound_id", "scope_item__is_water_power_road_gas"):
        has_lines.add((project_id, compound_id))
        if item:
            covered[(project_id, compound_id)].add(item)
    rows = []
    for phase in phases:
        key = (phase.project_id, phase.compound_id)
        row = {"compound_id": phase.compound_id, "compound_name": phase.compound.name,
               "project_code": phase.project.code}
        for item in ("water", "power", "road", "gas"):
            row[item] = (item in covered[key]) if key in has_lines else None
        rows.append(row)
    return rows


# --- Pages ------------------------------------------------------------------------------------------


def budget_line_list():
    return BudgetLine.objects.select_related("programme", "project", "source", "created_by")


def _marked(movements) -> list:
    """The project's entries of one kind, each knowing the reversal that cancelled it (`reversed_by`) or
    the entry it cancels (`reverses`), from the one list: no query per row. The account totals shown
    beside them are already net of reversals."""
    rows = list(movements)
    by_id = {row.pk: row for row in rows}
    for row in rows:
        row.reversed_by = row.reversed_original = None
    for row in rows:
        if row.reverses_id in by_id:
            by_id[row.reverses_id].reversed_by = row
            row.reversed_original = by_id[row.reverses_id]
    return rows


def movement_reversal_refusal(*, movement) -> str | None:
    """Why the correction form for this 下达/拨付/支出 entry cannot go ahead (shown before typing a reason)."""
    from .rules import reversal_refusal

    account = FundingAccount.objects.filter(project_id=movement.project_id, source_id=movement.source_id).first()
    already = type(movement).objects.filter(reverses=movement).exists()
    return reversal_refusal(movement=movement, already_reversed=already, account=account)


def project_funding(*, project) -> dict:
    """Everything the project funding page shows, in a fixed number of queries."""
    from .models import Allocation, ConstructionCostApproval, Disbursement, Expenditure

    rows = [r for r in funding_by_source(programme=project.programme, project=project)]
    shown = [r for r in rows if any(r[k] for k in ("budget", "allocated", "disbursed", "spent"))]
    totals = {k: sum((r[k] for r in rows), ZERO) for k in ("budget", "allocated", "disbursed", "spent", "balance")}
    related = ("source", "recorded_by")
    allocations = _marked(Allocation.objects.filter(project=project).select_related(*related))
    disbursements = _marked(Disbursement.objects.filter(project=project).select_related(*related))
    expenditures = _marked(Expenditure.objects.filter(project=project).select_related(*related))
    return {
        "rows": shown,
        "totals": totals,
        "lines": list(BudgetLine.objects.filter(project=project).select_related("source")),
        "allocations": allocations,
        "disbursements": disbursements,
        "expenditures": expenditures,
        "pledges": list(Pledge.objects.filter(project=project).select_related("source")),
        "approval": ConstructionCostApproval.objects.filter(project=project).first(),
    }


def source_class_table() -> list[dict]:
    """The source × class table as rows per source, cells per class in FundingClass order."""
    from .choices import FundingClass

    by_source: dict[int, dict] = {}
    for rule in SourceClassRule.objects.select_related("source").order_by("source__order", "source_id"):
        entry = by_source.setdefault(rule.source_id, {"source": rule.source, "cells": {}})
        entry["cells"][rule.funding_class] = rule
    return [{"source": e["source"], "cells": [e["cells"].get(c.value) for c in FundingClass]}
            for e in by_source.values()]


def dashboard_funding(*, programme, today: dt.date, user) -> dict:
    """The dashboard's money section: per source in 万元, and the reconciliation against the target."""
    rows = [r for r in funding_by_source(programme=programme)
            if any(r[k] for k in ("budget", "allocated", "disbursed", "spent"))]
    reconciliation = funding_reconciliation(programme=programme)
    list_url = reverse("funding:budget_line_list")
    top = max((r["budget"] for r in rows), default=ZERO)
    bars = [{"label": r["source_name"], "value": wan(r["spent"]), "total": wan(r["budget"]) or wan(top),
             "text": f"支出 {wan(r['spent'])} / 预算 {wan(r['budget'])} 万元",
             "url": f"{list_url}?source={r['source_code']}"} for r in rows]
    table = [{"cells": [r["source_name"], wan(r["budget"]), wan(r["allocated"]), wan(r["disbursed"]),
                        wan(r["spent"]), wan(r["balance"])], "url": f"{list_url}?source={r['source_code']}"}
             for r in rows]
    difference = wan(reconciliation["difference"])
    return {
        "bars": bars,
        "headers": ["资金来源", "预算(万元)", "已下达(万元)", "已拨付(万元)", "已支出(万元)", "余额(万元)"],
        "rows": table,
        "note": (f"预算明细合计 {wan(reconciliation['budgeted'])} 万元，目标 {wan(reconciliation['target'])} 万元，"
                 f"差额 {difference} 万元（不含演示数据）。"),
        "budget_wan": wan(reconciliation["budgeted"]),
    }
