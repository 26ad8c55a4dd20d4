"""Reads behind the leaders' dashboard.

The dashboard's own figures (targets, recorded, deadlines) come from projects.selectors. Every other
section belongs to a capability another app delivers (projects, funding, eligibility): it is listed
in DASHBOARD_SECTIONS with the model behind it and the selector that summarises it. Until both
exist the section says plainly that there is no data yet; it never shows a made-up figure.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.apps import apps
from django.urls import reverse

from projects.models import Programme
from projects.selectors import programme_summary


@dataclass(frozen=True)
class DashboardSection:
    """One section of the dashboard fed by another capability.

    provider: dotted path of a selector `fn(*, programme, today, user) -> dict` returning any of
      "bars":    [{"label", "value", "total"?, "text"?, "url"?, "tone"?}]   drawn with {% bar_chart %}
      "headers": [str], "rows": [{"cells": [..], "url"?}]                 drawn as a table
      "note":    str                                                      a line under the section
    Every figure should carry the url of the filtered list behind it.
    """

    key: str
    title: str
    model: str
    provider: str
    pending: str


DASHBOARD_SECTIONS: list[DashboardSection] = [
    DashboardSection("deadline_status", "各时限项目状态（按期 / 有风险 / 逾期 / 已完成）", "projects.Project",
                     "projects.selectors.dashboard_deadline_status", "待项目管理功能上线"),
    DashboardSection("progress", "开工率与完工率（按小区个数、按户数）", "projects.Project",
                     "projects.selectors.dashboard_progress", "待项目管理功能上线"),
    DashboardSection("funding", "资金：按来源的预算、拨付与支出", "funding.BudgetLine",
                     "funding.selectors.dashboard_funding", "待资金管理功能上线"),
    DashboardSection("overdue", "逾期清单", "projects.Project",
                     "projects.selectors.dashboard_overdue", "待项目管理功能上线"),
    DashboardSection("agencies_overdue", "有逾期职责的单位", "projects.AgencyTask",
                     "projects.selectors.dashboard_agencies_overdue", "待部门任务功能上线"),
    DashboardSection("verdicts", "小区认定结论", "communities.CompoundAssessment",
                     "communities.selectors.dashboard_verdicts", "待小区认定功能上线"),
]


def _model_exists(label: str) -> bool:
    try:
        apps.get_model(label)
    except (LookupError, ValueError):
        return False
    return True


def _provider(path: str):
    module_path, _, name = path.rpartition(".")
    try:
        module = import_module(module_path)
    except ModuleNotFoundError:
        return None
    return getattr(module, name, None)


def section_provider(section: DashboardSection):
    """The selector feeding this section, or None while its model or selector does not exist yet."""
    if not _model_exists(section.model):
        return None
    return _provider(section.provider)


def dashboard_sections(*, programme: Programme, today: dt.date, user) -> list[dict]:
    result = []
    for section in DASHBOARD_SECTIONS:
        provider = section_provider(section)
        entry = {"key": section.key, "title": section.title, "available": provider is not None,
                 "pending": f"暂无数据（{section.pending}）"}
        if provider is not None:
            entry["data"] = provider(programme=programme, today=today, user=user)
        result.append(entry)
    return result


_WAN = Decimal(10000)


def _wan(value) -> Decimal:
    return (Decimal(str(value)) / _WAN).quantize(Decimal("0.01"))


def dashboard_targets(*, summary: dict) -> list[dict]:
    """Targets vs recorded, real and demo apart, each figure with the list it comes from."""
    targets, real, demo = summary["targets"], summary["recorded"]["real"], summary["recorded"]["demo"]
    compounds, buildings, households = (reverse(f"communities:{name}_list")
                                        for name in ("compound", "building", "household"))
    rows = [
        {"key": "compounds", "label": "小区", "unit": "个", "target": targets["compounds"],
         "real": real["compounds"], "demo": demo["compounds"],
         "real_url": f"{compounds}?is_demo=false", "demo_url": f"{compounds}?is_demo=true"},
        {"key": "buildings", "label": "楼栋", "unit": "栋", "target": targets["buildings"],
         "real": real["buildings"], "demo": demo["buildings"],
         "real_url": f"{buildings}?is_demo=false", "demo_url": f"{buildings}?is_demo=true"},
        {"key": "households", "label": "住户", "unit": "户", "target": targets["households"],
         "real": real["households"], "demo": demo["households"],
         "real_url": f"{households}?is_demo=false", "demo_url": f"{households}?is_demo=true"},
        {"key": "floor_area", "label": "改造建筑面积", "unit": "万㎡", "target": _wan(targets["floor_area_m2"]),
         "real": _wan(real["floor_area_m2"]), "demo": _wan(demo["floor_area_m2"]),
         "real_url": f"{compounds}?is_demo=false&sort=-floor_area_m2",
         "demo_url": f"{compounds}?is_demo=true&sort=-floor_area_m2",
         "note": f"按已填建筑面积的小区合计（真实 {real['compounds_with_floor_area']} 个）"},
    ]
    for row in rows:
        row["bars"] = [
            {"label": "已录入", "value": row["real"], "total": row["target"], "url": row["real_url"],
             "text": f"{row['real']} / {row['target']} {row['unit']}"},
            {"label": "演示数据", "value": row["demo"], "total": row["target"], "url": row["demo_url"],
             "tone": "demo", "text": f"{row['demo']} {row['unit']}（不计入）"},
        ]
    return rows


def dashboard_summary(*, programme: Programme, today: dt.date, user) -> dict:
    """Everything the dashboard shows, in a fixed number of queries whatever the number of rows."""
    summary = programme_summary(programme=programme, today=today)
    sections = dashboard_sections(programme=programme, today=today, user=user)
    funding = next(s for s in sections if s["key"] == "funding")
    return {
        "summary": summary,
        "targets": dashboard_targets(summary=summary),
        "budget_target_wan": programme.target_budget_wan,
        "budget_recorded": funding.get("data", {}).get("budget_wan") if funding["available"] else None,
        "budget_pending": funding["pending"],
        "deadlines": [
            {**deadline, "date": dt.date.fromisoformat(deadline["date"])} for deadline in summary["deadlines"]
        ],
        "sections": sections,
    }
