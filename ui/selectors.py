"""Reads behind the leaders' dashboard.

The dashboard's own figures (targets, recorded, deadlines) come from projects.selectors; every other
section is a selector of the app that owns its figures (projects, funding, communities), imported
directly and listed in DASHBOARD_SECTIONS. They are the selectors the home page, the reports and
`manage.py check_figures` read (the figures package lists each), so the dashboard cannot disagree.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.urls import reverse

from communities.selectors import dashboard_verdicts
from funding.selectors import dashboard_funding
from projects.models import Programme
from projects.selectors import (
    dashboard_agencies_overdue,
    dashboard_deadline_status,
    dashboard_overdue,
    dashboard_progress,
    programme_summary,
)


@dataclass(frozen=True)
class DashboardSection:
    """One section of the dashboard fed by a selector of the app that owns its figures.

    provider: `fn(*, programme, today, user) -> dict` returning any of
      "bars":    [{"label", "value", "total"?, "text"?, "url"?, "tone"?}]   drawn with {% bar_chart %}
      "headers": [str], "rows": [{"cells": [..], "url"?}]                 drawn as a table
      "note":    str                                                      a line under the section
    Every figure should carry the url of the filtered list behind it.
    """

    key: str
    title: str
    provider: Callable[..., dict]


DASHBOARD_SECTIONS: list[DashboardSection] = [
    DashboardSection("deadline_status", "各时限项目状态（按期 / 有风险 / 逾期 / 已完成）", dashboard_deadline_status),
    DashboardSection("progress", "开工率与完工率（按小区个数、按户数）", dashboard_progress),
    DashboardSection("funding", "资金：按来源的预算、拨付与支出", dashboard_funding),
    DashboardSection("overdue", "逾期清单", dashboard_overdue),
    DashboardSection("agencies_overdue", "有逾期职责的单位", dashboard_agencies_overdue),
    DashboardSection("verdicts", "小区认定结论", dashboard_verdicts),
]


def dashboard_sections(*, programme: Programme, today: dt.date, user) -> list[dict]:
    return [{"key": section.key, "title": section.title, "available": True,
             "data": section.provider(programme=programme, today=today, user=user)}
            for section in DASHBOARD_SECTIONS]


_WAN = Decimal(10000)


def _wan(value) -> Decimal:
    return (Decimal(str(value)) / _WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
         "real": Decimal(real["floor_area_wan_m2"]), "demo": Decimal(demo["floor_area_wan_m2"]),
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
    funding = next(s for s in sections if s["key"] == "funding")["data"]
    return {
        "summary": summary,
        "targets": dashboard_targets(summary=summary),
        "budget_target_wan": programme.target_budget_wan,
        "budget_recorded": funding["budget_wan"],
        "deadlines": [
            {**deadline, "date": dt.date.fromisoformat(deadline["date"])} for deadline in summary["deadlines"]
        ],
        "sections": sections,
    }
