"""Reads of money for pages, the dashboard and the reports (issue 7 codes against the four
`funding_*` / `central_subsidy_compounds` functions: keep their names, arguments and row keys).

All amounts are Decimal 元; pages turn them into 万元 with `funding.rules.wan` / the `wan` filter.
Programme-wide figures leave out demo projects unless include_demo=True (demo money is 演示数据 and
never counts toward the programme); demo=True reads demo projects' money only (a report marked 演示数据);
a single project's figures are always its own.
balance (余额) = budget − spent: what is left of the budget to spend.

As of a cut-off (cutoff=date): allocated, disbursed and spent are the movements dated on or before it
(下达日期, 拨付日期, 支付日期); the budget is the budget lines as they stood at the end of that day (their
change history). Without a cut-off the running totals kept on FundingAccount are read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from jingyuan_renovation.dates import end_of_day

from .models import (
    Allocation,
    BudgetLine,
    Disbursement,
    Expenditure,
    FundingAccount,
    FundingSourceKind,
    Pledge,
    SourceClassRule,
)
from .rules import wan

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=18, decimal_places=2)


def _scoped(queryset, *, programme, project, include_demo: bool, project_field: str = "project", demo: bool = False):
    if project is not None:
        return queryset.filter(**{project_field: project})
    if demo:
        return queryset.filter(**{f"{project_field}__is_demo": True})
    if not include_demo:
        queryset = queryset.exclude(**{f"{project_field}__is_demo": True})
    return queryset


def budget_lines_as_of(cutoff: dt.date | None):
    """Budget lines as they stood at the end of the cut-off day (now, without one, or for today or later):
    from their change history, so a line added or changed after the cut-off is not counted as of it."""
    if cutoff is None or cutoff >= timezone.localdate():
        return BudgetLine.objects.all()
    return BudgetLine.history.as_of(end_of_day(cutoff))


# (model, amount date) of each money movement: allocated (下达), disbursed (拨付), spent (支出).
MOVEMENTS = {"allocated": (Allocation, "allocated_on"), "disbursed": (Disbursement, "disbursed_on"),
             "spent": (Expenditure, "paid_on")}


def _movement_totals(*, programme, project, include_demo: bool, demo: bool, cutoff: dt.date, group: str):
    """{group value: {"allocated", "disbursed", "spent"}} from the movements dated on or before the cut-off."""
    totals: dict = defaultdict(dict)
    for key, (model, date_field) in MOVEMENTS.items():
        rows = _scoped(model.objects.filter(project__programme=programme, **{f"{date_field}__lte": cutoff}),
                       programme=programme, project=project, include_demo=include_demo, demo=demo)
        for value, total in rows.order_by().values_list(group).annotate(total=Sum("amount_yuan")):
            totals[value][key] = total
    return totals


def funding_by_source(*, programme, project=None, include_demo: bool = False, demo: bool = False,
                      cutoff: dt.date | None = None) -> list[dict]:
    """One row per FundingSourceKind, in order: budget, allocated, disbursed, spent, balance (元)."""
    lines = _scoped(budget_lines_as_of(cutoff).filter(programme=programme), programme=programme, project=project,
                    include_demo=include_demo, demo=demo)
    budget = dict(lines.order_by().values_list("source").annotate(total=Sum("amount_yuan")))
    if cutoff is not None:
        totals = _movement_totals(programme=programme, project=project, include_demo=include_demo, demo=demo,
                                  cutoff=cutoff, group="source")
    else:
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


def funding_by_project(*, programme, include_demo: bool = False, demo: bool = False,
                       cutoff: dt.date | None = None) -> list[dict]:
    """One row per project of the programme (by code): budget, allocated, disbursed, spent, balance (元)."""
    projects = programme.projects.all()
    if demo:
        projects = projects.filter(is_demo=True)
    elif not include_demo:
        projects = projects.filter(is_demo=False)
    if cutoff is not None:
        budget = dict(budget_lines_as_of(cutoff).filter(project__in=projects).order_by().values_list("project")
                      .annotate(total=Sum("amount_yuan")))
        moved = _movement_totals(programme=programme, project=None, include_demo=True, demo=False, cutoff=cutoff,
                                 group="project")
        rows = []
        for p in projects.order_by("code").values("pk", "code", "name"):
            money = {"budget": budget.get(p["pk"]) or ZERO,
                     **{key: moved.get(p["pk"], {}).get(key) or ZERO for key in MOVEMENTS}}
            rows.append({"project_id": p["pk"], "project_code": p["code"], "project_name": p["name"], **money,
                         "balance": money["budget"] - money["spent"]})
        return rows
    projects = projects.annotate(
        budget=_sum_subquery(BudgetLine, "amount_yuan"),
        allocated=_sum_subquery(FundingAccount, "allocated_yuan"),
        disbursed=_sum_subquery(FundingAccount, "disbursed_yuan"),
        spent=_sum_subquery(FundingAccount, "spent_yuan"),
    ).order_by("code").values("pk", "code", "name", "budget", "allocated", "disbursed", "spent")
    return [{"project_id": p["pk"], "project_code": p["code"], "project_name": p["name"],
             "budget": p["budget"], "allocated": p["allocated"], "disbursed": p["disbursed"], "spent": p["spent"],
             "balance": p["budget"] - p["spent"]} for p in projects]


def funding_reconciliation(*, programme, include_demo: bool = False, demo: bool = False,
                           cutoff: dt.date | None = None) -> dict:
    """The programme's budget lines against its target (27018.02万元): difference = budgeted − target."""
    lines = _scoped(budget_lines_as_of(cutoff).filter(programme=programme), programme=programme, project=None,
                    include_demo=include_demo, demo=demo)
    totals = lines.aggregate(budgeted=Sum("amount_yuan"), lines=Count("pk"))
    budgeted = totals["budgeted"] or ZERO
    return {"target": programme.target_budget_yuan, "budgeted": budgeted,
            "difference": budgeted - programme.target_budget_yuan, "lines": totals["lines"]}


def central_subsidy_compounds(*, programme, include_demo: bool = False, demo: bool = False) -> list[dict]:
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
    if demo:
        central_projects = central_projects.filter(is_demo=True)
    elif not include_demo:
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
    """The dashboard's money section: per source in 万元, and the reconciliation against the target, as of
    today (the same selectors and cut-off the budget report and check_figures use)."""
    rows = [r for r in funding_by_source(programme=programme, cutoff=today)
            if any(r[k] for k in ("budget", "allocated", "disbursed", "spent"))]
    reconciliation = funding_reconciliation(programme=programme, cutoff=today)
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
