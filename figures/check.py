"""check_figures: every headline figure recomputed from the rows, compared with what each page and
report shows for the same cut-off.

The expected side (`expected_figures`) counts the tables directly with its own queries; it shares no
code with the selectors. The shown side calls the code the pages and reports render from: the home
page's `projects.views.home_figures`, the dashboard's `ui.selectors.dashboard_summary`, and the two
report builders (`projects.reports.services.report_write`), whose workbooks are read back cell by cell.
The home page and the dashboard show today's figures, so they are compared when the cut-off is today.

Definitions, as the pages state them: recorded = rows recorded by the end of the cut-off day (a
compound by its 创建时间, a building or household by its first history row); money = budget lines as
they stood that day, allocations / disbursements / payments dated on or before it; started = 施工 begun
on or before it, completed = 竣工验收 passed on or before it; overdue = due before it and not done by
it. Real data unless the figure is labelled demo (演示).
"""

import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db.models import Q, Sum
from django.utils import timezone
from openpyxl import load_workbook

from communities.choices import Verdict
from communities.models import Building, Compound, CompoundAssessment, Household
from funding.models import Allocation, BudgetLine, Disbursement, Expenditure, FundingSourceKind
from projects import steps as step_catalog
from projects.choices import TaskStatus
from projects.models import AgencyTask, ProjectCompound, ProjectStep

SCOPES = ((False, "真实"), (True, "演示"))


def _wan(value) -> Decimal:
    return (Decimal(value or 0) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _number(value):
    """A figure as compared: whole numbers as int, others as Decimal with two places."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, int):
        return int(value)
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) - dt.timedelta(
        microseconds=1)


@dataclass(frozen=True)
class Difference:
    figure: str
    where: str
    shown: object
    expected: object

    def line(self) -> str:
        return f"{self.figure}：{self.where}显示 {self.shown}，按原始记录应为 {self.expected}"


# --- expected: from the rows ------------------------------------------------------------------------


def _recorded(cutoff: dt.date, is_demo: bool) -> dict:
    end = _end_of_day(cutoff)
    compounds = Compound.objects.filter(is_demo=is_demo, created_at__lte=end)

    def recorded_by_then(model, **scope):
        later = model.history.filter(history_type="+", history_date__gt=end).values("id")
        return model.objects.filter(**scope).exclude(id__in=later).count()

    return {
        "compounds": compounds.count(),
        "buildings": recorded_by_then(Building, compound__is_demo=is_demo),
        "households": recorded_by_then(Household, building__compound__is_demo=is_demo),
        "floor_area_wan_m2": _wan(compounds.aggregate(total=Sum("floor_area_m2"))["total"]),
    }


def _verdicts(is_demo: bool) -> dict:
    """Today's verdicts per label (the dashboard and review page show today's)."""
    counts = {v.label: CompoundAssessment.objects.filter(compound__is_demo=is_demo, verdict=v.value).count()
              for v in Verdict}
    counts["未评估"] = Compound.objects.filter(is_demo=is_demo, assessment__isnull=True).count()
    return counts


def _money(programme, cutoff: dt.date, is_demo: bool) -> dict:
    """{source name: {"budget", "allocated", "disbursed", "spent"}} in 万元."""
    project_scope = Q(project__is_demo=True) if is_demo else Q(project__isnull=True) | Q(project__is_demo=False)
    if cutoff >= timezone.localdate():
        lines = BudgetLine.objects.filter(programme=programme)
    else:
        lines = BudgetLine.history.as_of(_end_of_day(cutoff)).filter(programme=programme)
    money = {}
    for source in FundingSourceKind.objects.all():
        figures = {"budget": lines.filter(project_scope, source=source).aggregate(t=Sum("amount_yuan"))["t"]}
        for key, model, date_field in (("allocated", Allocation, "allocated_on"),
                                       ("disbursed", Disbursement, "disbursed_on"),
                                       ("spent", Expenditure, "paid_on")):
            rows = model.objects.filter(project_scope, project__programme=programme, source=source,
                                        **{f"{date_field}__lte": cutoff})
            figures[key] = rows.aggregate(t=Sum("amount_yuan"))["t"]
        money[source.name] = {key: _wan(value) for key, value in figures.items()}
    return money


def _progress(programme, cutoff: dt.date, is_demo: bool) -> dict:
    steps = ProjectStep.objects.filter(project__programme=programme, project__is_demo=is_demo)
    started = set(steps.filter(code=step_catalog.STARTED_STEP, actual_start__lte=cutoff)
                  .values_list("project_id", flat=True))
    completed = set(steps.filter(code=step_catalog.COMPLETED_STEP, actual_end__lte=cutoff)
                    .values_list("project_id", flat=True))
    phases = list(ProjectCompound.objects.filter(project__programme=programme, project__is_demo=is_demo)
                  .values_list("project_id", "compound_id", "households"))
    by_compound: dict[int, set] = {}
    for project_id, compound_id, _ in phases:
        by_compound.setdefault(compound_id, set()).add(project_id)
    projects = {project_id for project_id, _, _ in phases}
    return {
        "projects_started": len(projects & started),
        "projects_completed": len(projects & completed),
        "compounds_started": sum(1 for ids in by_compound.values() if ids & started),
        "compounds_completed": sum(1 for ids in by_compound.values() if ids <= completed),
        "households_started": sum(h for p, _, h in phases if p in started),
        "households_completed": sum(h for p, _, h in phases if p in completed),
    }


def _overdue(programme, cutoff: dt.date, is_demo: bool) -> dict:
    """{agency id: (name, short name or name, overdue tasks)}."""
    result: dict[int, list] = {}
    tasks = AgencyTask.objects.filter(programme=programme, due_date__lt=cutoff).select_related("agency")
    tasks = tasks.filter(project__is_demo=True) if is_demo else tasks.exclude(project__is_demo=True)
    for task in tasks:
        done_by_then = task.status == TaskStatus.DONE and (task.completed_on is None or task.completed_on <= cutoff)
        if not done_by_then:
            entry = result.setdefault(task.agency_id, [task.agency.name, task.agency.short_name or task.agency.name, 0])
            entry[2] += 1
    return result


def expected_figures(*, programme, cutoff: dt.date) -> dict:
    return {
        label: {
            "recorded": _recorded(cutoff, is_demo),
            "money": _money(programme, cutoff, is_demo),
            "progress": _progress(programme, cutoff, is_demo),
            "overdue": _overdue(programme, cutoff, is_demo),
            "verdicts": _verdicts(is_demo),
        }
        for is_demo, label in SCOPES
    }


# --- shown: what the pages and reports render ------------------------------------------------------


class Comparison:
    def __init__(self):
        self.differences: list[Difference] = []
        self.checked = 0

    def same(self, figure: str, where: str, shown, expected) -> None:
        self.checked += 1
        if _number(shown) != _number(expected):
            self.differences.append(Difference(figure, where, shown, expected))


_RECORDED_LABELS = {"compounds": "已录入小区（个）", "buildings": "已录入楼栋（栋）", "households": "已录入住户（户）",
                    "floor_area_wan_m2": "已录入建筑面积（万㎡）"}
_MONEY_LABELS = {"budget": "预算", "allocated": "已分配", "disbursed": "已拨付", "spent": "已支出"}
_PROGRESS_LABELS = {"projects_started": "开工项目", "projects_completed": "完工项目", "compounds_started": "开工小区",
                    "households_started": "开工户数", "compounds_completed": "完工小区",
                    "households_completed": "完工户数"}


def _reader():
    """A stand-in reader with the leader's view (every town) for the dashboard's role-scoped sections."""
    from django.contrib.auth import get_user_model

    from agencies.choices import Role

    user = get_user_model()(username="check_figures", first_name="数字核对")
    user._jingyuan_role = Role.LEADER
    return user


def compare_home(comparison: Comparison, *, programme, today: dt.date, expected: dict) -> None:
    from projects.views import home_figures

    shown = home_figures(programme=programme, today=today)
    for is_demo, label in SCOPES:
        recorded = shown["summary"]["recorded"]["demo" if is_demo else "real"]
        for key, name in _RECORDED_LABELS.items():
            comparison.same(f"{name}（{label}）", "首页", recorded[key], expected[label]["recorded"][key])
    budget = sum((m["budget"] for m in expected["真实"]["money"].values()), Decimal("0"))
    comparison.same("预算合计（万元）", "首页", _wan(shown["budget_recorded_yuan"]), budget)


def compare_dashboard(comparison: Comparison, *, programme, today: dt.date, expected: dict) -> None:
    from ui.selectors import dashboard_summary

    shown = dashboard_summary(programme=programme, today=today, user=_reader())
    real = expected["真实"]
    for row in shown["targets"]:
        key = "floor_area_wan_m2" if row["key"] == "floor_area" else row["key"]
        for is_demo, label in SCOPES:
            comparison.same(f"{_RECORDED_LABELS[key]}（{label}）", "领导驾驶舱", row["demo" if is_demo else "real"],
                            expected[label]["recorded"][key])
    comparison.same("预算合计（万元）", "领导驾驶舱", shown["budget_recorded"],
                    sum((m["budget"] for m in real["money"].values()), Decimal("0")))
    sections = {s["key"]: s["data"] for s in shown["sections"]}
    rows = {row["cells"][0]: row["cells"] for row in sections["funding"]["rows"]}
    for source, money in real["money"].items():
        cells = rows.get(source, [source, *([Decimal("0")] * 5)])
        for index, key in enumerate(_MONEY_LABELS, start=1):
            comparison.same(f"{source}{_MONEY_LABELS[key]}（万元）", "领导驾驶舱", cells[index], money[key])
    bars = {bar["label"]: bar["value"] for bar in sections["progress"]["bars"]}
    for key, label in (("compounds_started", "开工（小区个数）"), ("households_started", "开工（户数）"),
                       ("compounds_completed", "完工（小区个数）"), ("households_completed", "完工（户数）")):
        comparison.same(_PROGRESS_LABELS[key], "领导驾驶舱", bars[label], real["progress"][key])
    overdue = {row["cells"][0]: row["cells"][1] for row in sections["agencies_overdue"]["rows"]}
    for name, _, count in real["overdue"].values():
        comparison.same(f"{name}逾期任务", "领导驾驶舱", overdue.pop(name, 0), count)
    for name, count in overdue.items():
        comparison.same(f"{name}逾期任务", "领导驾驶舱", count, 0)
    verdicts = {bar["label"]: bar["value"] for bar in sections["verdicts"]["bars"]}
    for label, count in real["verdicts"].items():
        comparison.same(f"认定结论：{label}", "领导驾驶舱", verdicts.get(label, 0), count)


def _table(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    header = rows[0] if rows else ()
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if row and row[0] is not None]


def compare_reports(comparison: Comparison, *, programme, cutoff: dt.date, expected: dict) -> None:
    from projects.reports.services import report_write

    with tempfile.TemporaryDirectory() as folder:
        for is_demo, label in SCOPES:
            figures = expected[label]
            where = f"进度报告（{'演示数据' if is_demo else '真实数据'}）"
            path = Path(folder) / f"progress-{int(is_demo)}.xlsx"
            report_write(kind="progress", programme=programme, cutoff=cutoff, path=path, is_demo=is_demo)
            book = load_workbook(path, read_only=True)
            summary = {row["指标"]: row.get("已录入") for row in _table(book["计划总览"])}
            for key, name in (("compounds", "小区（个）"), ("buildings", "楼栋（栋）"), ("households", "住户（户）"),
                              ("floor_area_wan_m2", "建筑面积（万㎡）")):
                comparison.same(f"{_RECORDED_LABELS[key]}（{label}）", where, summary.get(name),
                                figures["recorded"][key])
            total = next((row for row in _table(book["统计指标"]) if row["范围"] == "全县"), {})
            for key, name in _PROGRESS_LABELS.items():
                comparison.same(f"{name}（{label}）", where, total.get(name), figures["progress"][key])
            overdue: dict[str, int] = {}
            for row in _table(book["部门逾期任务"]):
                if row.get("完成时限") is not None:
                    overdue[row["责任单位"]] = overdue.get(row["责任单位"], 0) + 1
            for _, name, count in figures["overdue"].values():
                comparison.same(f"{name}逾期任务（{label}）", where, overdue.pop(name, 0), count)
            for name, count in overdue.items():
                comparison.same(f"{name}逾期任务（{label}）", where, count, 0)
            book.close()

            where = f"资金报告（{'演示数据' if is_demo else '真实数据'}）"
            path = Path(folder) / f"budget-{int(is_demo)}.xlsx"
            report_write(kind="budget", programme=programme, cutoff=cutoff, path=path, is_demo=is_demo)
            book = load_workbook(path, read_only=True)
            rows = {row["资金来源"]: row for row in _table(book["按资金来源"])}
            for source, money in figures["money"].items():
                row = rows.get(source, {})
                for key, name in _MONEY_LABELS.items():
                    comparison.same(f"{source}{name}（万元，{label}）", where, row.get(f"{name}(万元)"), money[key])
            book.close()


def check_figures(*, programme, cutoff: dt.date) -> dict:
    """Compare every headline figure; returns {"cutoff", "checked", "differences", "expected"}."""
    expected = expected_figures(programme=programme, cutoff=cutoff)
    comparison = Comparison()
    today = timezone.localdate()
    if cutoff == today:
        compare_home(comparison, programme=programme, today=today, expected=expected)
        compare_dashboard(comparison, programme=programme, today=today, expected=expected)
    compare_reports(comparison, programme=programme, cutoff=cutoff, expected=expected)
    return {"cutoff": cutoff, "checked": comparison.checked, "differences": comparison.differences,
            "expected": expected, "pages": cutoff == today}
