"""The budget report (资金报告): per source and per project, reconciliation to the programme's
27018.02万元, and the centrally subsidised compounds with their 水电路气 coverage.

The figures come only from the funding capability's selectors (funding/selectors.py):
funding_by_source, funding_by_project, funding_reconciliation, central_subsidy_compounds — as of the
run's cut-off (money dated on or before it, budget lines as they stood that day) and for the run's data:
a run marked 演示数据 reads demo projects only, any other run real data only.
"""

import datetime as dt
from collections.abc import Callable

from funding import selectors as funding

from ..models import Programme
from .workbook import Column, ReportSheet, wan

_MONEY = ("budget", "allocated", "disbursed", "spent", "balance")
_MONEY_COLUMNS = [Column(f"{label}(万元)", 14, "wan") for label in ("预算", "已分配", "已拨付", "已支出", "结余")]


def write_budget(
    workbook, *, programme: Programme, cutoff: dt.date, is_demo: bool, subtitle: str, progress: Callable[[int], None]
) -> dict:
    title = f"{programme.name}资金报告" + ("（演示数据）" if is_demo else "")
    scope = {"programme": programme, "demo": is_demo}
    source_sheet = ReportSheet(
        workbook, name="按资金来源", title=f"{title}：按资金来源", subtitle=subtitle,
        columns=[Column("资金来源", 26), Column("中央补助", 8), *_MONEY_COLUMNS],
    )
    project_sheet = ReportSheet(
        workbook, name="按项目", title=f"{title}：按项目", subtitle=subtitle,
        columns=[Column("项目编号", 14), Column("项目名称", 30, wrap=True), *_MONEY_COLUMNS],
    )
    reconciliation_sheet = ReportSheet(
        workbook, name="预算核对", title=f"{title}：与计划总投资核对", subtitle=subtitle,
        columns=[Column("项目", 36, wrap=True), Column("金额(万元)", 16, "wan")],
    )
    central_sheet = ReportSheet(
        workbook, name="中央补助小区", title=f"{title}：中央补助小区水电路气改造情况", subtitle=subtitle,
        columns=[Column("小区", 26, wrap=True), Column("项目编号", 14), Column("水", 6), Column("电", 6),
                 Column("路", 6), Column("气", 6), Column("水电路气覆盖", 12)],
    )
    rows = funding.funding_by_source(**scope, cutoff=cutoff)
    totals = dict.fromkeys(_MONEY, 0)
    for row in rows:
        source_sheet.append([row["source_name"], row["is_central"], *(wan(row[key]) for key in _MONEY)])
        for key in _MONEY:
            totals[key] += row[key]
    source_sheet.append(["合计", None, *(wan(totals[key]) for key in _MONEY)])
    progress(30)
    for row in funding.funding_by_project(**scope, cutoff=cutoff):
        project_sheet.append([row["project_code"], row["project_name"], *(wan(row[key]) for key in _MONEY)])
    progress(55)
    reconciliation = funding.funding_reconciliation(**scope, cutoff=cutoff)
    reconciliation_sheet.append(["计划总投资（工作方案）", wan(reconciliation["target"])])
    reconciliation_sheet.append(["已编入预算", wan(reconciliation["budgeted"])])
    reconciliation_sheet.append(["差额（计划 − 预算）", wan(reconciliation["difference"])])
    # funding_reconciliation counts the budget lines it summed (funding/selectors.py).
    reconciliation_sheet.append(["预算条目（条）", reconciliation["lines"]])
    reconciliation_sheet.note(
        f"已分配、已拨付、已支出按下达、拨付、支付日期计至 {cutoff:%Y-%m-%d}；预算为该日结束时已编入的预算条目。"
        + ("本报告只含演示数据。" if is_demo else "不含演示数据。"))
    progress(75)
    count = 0
    for row in funding.central_subsidy_compounds(**scope):
        items = [bool(row[key]) for key in ("water", "power", "road", "gas")]
        central_sheet.append([
            row["compound_name"], row["project_code"], *("是" if item else "否" for item in items), f"{sum(items)}/4",
        ])
        count += 1
    if not count:
        central_sheet.note("没有列入中央补助的小区。")
    progress(95)
    return {"funding": True}
