"""The progress report (进度报告): the programme against its two deadlines, as at a data cut-off.

As of the cut-off (数据截止日期): the recorded compounds, buildings, households and floor area (what had
been recorded by the end of that day: projects.selectors.programme_summary), every step's status (from
its actual dates: projects.selectors.step_as_of), so the deadline statuses, current steps, blockers and
the started / completed indicators, and the overdue agency tasks (projects.selectors.tasks_overdue).
The list of projects, their compounds and scope are as recorded now; the summary sheet says so.

Everything is read through projects.selectors and projects.deadlines — the same figures, statuses
and blockers the pages show; this module only lays them out. Projects are read in chunks with their
steps, compounds, scope, tasks and acceptance prefetched, so memory stays bounded however many.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Prefetch

from communities.models import Compound
from jingyuan_renovation.dates import end_of_day

from .. import scope_rules
from ..choices import DeadlineStatus
from ..models import AgencyTask, Programme, Project, ProjectCompound, ProjectStep, ScopeLine
from ..selectors import indicators, programme_summary, project_blockers, project_row, step_as_of, tasks_overdue
from .workbook import Column, ReportSheet, share, wan

CHUNK = 200
SECTIONS = 5


def _agency_name(agency) -> str:
    return (agency.short_name or agency.name) if agency else ""


def _step_dates(steps, code):
    step = next((s for s in steps if s.code == code), None)
    if step is None:
        return None, None, None, None
    return step.planned_start, step.actual_start, step.planned_end, step.actual_end


def project_chunks(*, programme: Programme, is_demo: bool):
    """The programme's projects in code order, CHUNK at a time, with what a report row needs prefetched."""
    ids = list(
        Project.objects.filter(programme=programme, is_demo=is_demo).order_by("code").values_list("id", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        projects = list(
            Project.objects.filter(id__in=chunk)
            .select_related("programme", "responsible_agency", "acceptance")
            .prefetch_related(
                Prefetch("steps", queryset=ProjectStep.objects.select_related("responsible_agency").order_by("order")),
                Prefetch(
                    "project_compounds",
                    queryset=ProjectCompound.objects.select_related("compound__town", "compound__assessment").order_by(
                        "compound__name", "phase"
                    ),
                ),
                Prefetch("scope_lines", queryset=ScopeLine.objects.select_related("scope_item")),
                "four_item_acknowledgements",
                Prefetch("tasks", queryset=AgencyTask.objects.select_related("agency").order_by("due_date", "id")),
            )
            .order_by("code")
        )
        yield projects, len(ids)


def project_facts(project, *, today: dt.date) -> dict:
    """One project's row (selectors.project_row) with its blockers (selectors.project_blockers), as of
    `today` (the cut-off): its prefetched steps are set back to what their dates say then."""
    for step in project.steps.all():
        step_as_of(step, today)
    lines = list(project.scope_lines.all())
    project.estimated_cost_yuan = sum((line.estimated_cost_yuan for line in lines), Decimal("0"))
    row = project_row(project, today=today)
    phases = list(project.project_compounds.all())
    compounds = [p.compound for p in phases]
    gaps = scope_rules.four_item_gaps(
        project=project, compounds=compounds, lines=lines, acknowledgements=list(project.four_item_acknowledgements.all())
    )
    try:
        acceptance = project.acceptance
    except Project.acceptance.RelatedObjectDoesNotExist:
        acceptance = None
    row["blockers"] = project_blockers(
        project=project,
        steps=list(project.steps.all()),
        acceptance=acceptance,
        gaps=gaps,
        tasks=list(project.tasks.all()),
        compounds=compounds,
        lines=lines,
        today=today,
        phases=phases,  # a compound admitted against its verdict is a blocker here as on the page
    )
    row["phases"] = phases
    return row


def _deadline_cells(assessment) -> list:
    return [assessment.status_label, assessment.finished_on or assessment.forecast]


def write_progress(
    workbook, *, programme: Programme, cutoff: dt.date, is_demo: bool, subtitle: str, progress: Callable[[int], None]
) -> dict:
    """Write the sheets of the progress report into `workbook`; returns a few totals for the caller."""
    title = f"{programme.name}进度报告" + ("（演示数据）" if is_demo else "")
    summary_sheet = ReportSheet(
        workbook,
        name="计划总览",
        title=title,
        subtitle=subtitle,
        columns=[Column("指标", 26), Column("计划目标", 16, "decimal"), Column("已录入", 16, "decimal"),
                 Column("完成比例", 12, "percent"), Column("说明", 50, wrap=True)],
    )
    project_sheet = ReportSheet(
        workbook,
        name="项目进度",
        title=f"{title}：项目",
        subtitle=subtitle,
        columns=[
            Column("项目编号", 14), Column("项目名称", 28, wrap=True), Column("乡镇", 10), Column("小区", 30, wrap=True),
            Column("涉及户数", 10, "int"), Column("中央补助", 8), Column("已完成步骤", 10), Column("当前步骤", 20, wrap=True),
            Column("当前步骤责任单位", 16, wrap=True), Column("具备开工条件（时限一）", 12),
            Column("时限一完成/预测日期", 13, "date"), Column("全部完工（时限二）", 12),
            Column("时限二完成/预测日期", 13, "date"), Column("建设（责任）单位", 16, wrap=True),
            Column("估算投资(万元)", 14, "wan"), Column("制约因素", 60, wrap=True),
        ],
    )
    compound_sheet = ReportSheet(
        workbook,
        name="小区进度",
        title=f"{title}：小区",
        subtitle=subtitle,
        columns=[
            Column("小区", 24, wrap=True), Column("乡镇", 10), Column("项目编号", 14), Column("期次", 6, "int"),
            Column("涉及户数", 10, "int"), Column("当前步骤", 20, wrap=True), Column("计划开工", 12, "date"),
            Column("实际开工", 12, "date"), Column("计划竣工验收", 12, "date"), Column("实际竣工验收", 12, "date"),
            Column("时限一状态", 10), Column("时限二状态", 10), Column("责任单位", 16, wrap=True),
            Column("制约因素", 60, wrap=True),
        ],
    )
    progress(5)
    statuses = {"ready": Counter(), "completion": Counter()}
    projects_written = 0
    in_projects: set[int] = set()
    for projects, total in project_chunks(programme=programme, is_demo=is_demo):
        for project in projects:
            row = project_facts(project, today=cutoff)
            ready, completion = row["deadlines"]
            statuses["ready"][ready.status] += 1
            statuses["completion"][completion.status] += 1
            steps = list(project.steps.all())
            current = [s for s in steps if s.name in row["current"].split("、")]
            current_agencies = "、".join(dict.fromkeys(_agency_name(s.responsible_agency) for s in current))
            project_sheet.append([
                project.code, project.name, row["towns"], row["compounds"], row["households"],
                project.centrally_subsidised, f"{row['steps_done']}/{row['steps_total']}", row["current"],
                current_agencies, *_deadline_cells(ready), *_deadline_cells(completion),
                _agency_name(project.responsible_agency), wan(row["estimated_cost_yuan"]),
                "\n".join(row["blockers"]),
            ])
            construction = _step_dates(steps, "construction")
            acceptance = _step_dates(steps, "completion_acceptance")
            others = [p.compound.name for p in row["phases"]]
            for phase in row["phases"]:
                # A project-wide blocker applies to every compound; one naming another compound does not.
                own = [
                    b for b in row["blockers"]
                    if not any(name != phase.compound.name and name in b for name in others)
                ]
                in_projects.add(phase.compound_id)
                compound_sheet.append([
                    phase.compound.name, phase.compound.town.name, project.code, phase.phase, phase.households,
                    row["current"], construction[0], construction[1], acceptance[2], acceptance[3],
                    ready.status_label, completion.status_label,
                    current_agencies or _agency_name(project.responsible_agency), "\n".join(own),
                ])
            projects_written += 1
        progress(5 + int(55 * projects_written / max(total, 1)))
    # Recorded compounds no project covers yet: on the sheet, so nothing recorded is silently missing.
    # ...recorded by the cut-off (创建时间), as the summary's 已录入 counts them.
    waiting = (
        Compound.objects.filter(is_demo=is_demo, created_at__lte=end_of_day(cutoff))
        .exclude(id__in=ProjectCompound.objects.filter(project__programme=programme).values("compound_id"))
        .select_related("town")
        .order_by("town__name", "name")
    )
    for compound in waiting.iterator(chunk_size=2000):
        compound_sheet.append([
            compound.name, compound.town.name, "", None, compound.household_count, "尚未列入项目",
            None, None, None, None, "", "", "", f"认定状态：{compound.get_review_status_display()}",
        ])
    progress(65)

    summary = programme_summary(programme=programme, today=cutoff)
    recorded = summary["recorded"]["demo" if is_demo else "real"]
    target_area = programme.target_floor_area_m2
    recorded_area = Decimal(recorded["floor_area_m2"])
    for label, target, value, note in [
        ("小区（个）", programme.target_compounds, recorded["compounds"], ""),
        ("楼栋（栋）", programme.target_buildings, recorded["buildings"], ""),
        ("住户（户）", programme.target_households, recorded["households"], ""),
        ("建筑面积（万㎡）", wan(target_area), wan(recorded_area),
         f"已录入面积的小区 {recorded['compounds_with_floor_area']} 个"),
        ("总投资（万元）", programme.target_budget_wan, None, "资金数据见资金报告"),
    ]:
        rate = Decimal(value) / Decimal(target) if value is not None and target else None
        summary_sheet.append([label, target, value, rate, note])
    summary_sheet.append(["改造项目（个）", None, projects_written, None, "按当前登记的项目"])
    for key, deadline, meaning, label in [
        ("ready", programme.ready_deadline, programme.ready_deadline_meaning, "时限一"),
        ("completion", programme.completion_deadline, programme.completion_deadline_meaning, "时限二"),
    ]:
        days = (deadline - cutoff).days
        counts = "，".join(f"{status.label} {statuses[key][status]} 个" for status in DeadlineStatus)
        summary_sheet.append([
            f"{label} {deadline:%Y-%m-%d}", None, None, None,
            f"{meaning}。截至 {cutoff:%Y-%m-%d}{'剩余' if days >= 0 else '已过'} {abs(days)} 天；项目：{counts}。",
        ])
    summary_sheet.note(
        f"截至 {cutoff:%Y-%m-%d} 的数字：已录入的小区、楼栋、住户与建筑面积（当日结束时已录入的记录），"
        "各步骤状态（按实际开始、完成日期）及由此得出的时限状态、当前步骤、制约因素、开工与完工指标，"
        "以及部门逾期任务。项目、小区与改造内容清单按当前登记。"
        + ("本报告只含演示数据。" if is_demo else "不含演示数据。"))
    progress(72)

    figures = indicators(programme=programme, is_demo=is_demo, cutoff=cutoff)
    indicator_sheet = ReportSheet(
        workbook,
        name="统计指标",
        title=f"{title}：开工与完工（住建部月报口径）",
        subtitle=subtitle,
        columns=[
            Column("范围", 14), Column("项目", 8, "int"), Column("开工项目", 9, "int"), Column("完工项目", 9, "int"),
            Column("计划小区", 9, "int"), Column("开工小区", 9, "int"), Column("开工率(个数)", 11, "percent"),
            Column("计划户数", 10, "int"), Column("开工户数", 10, "int"), Column("开工率(户数)", 11, "percent"),
            Column("完工小区", 9, "int"), Column("完工率(个数)", 11, "percent"), Column("完工户数", 10, "int"),
            Column("完工率(户数)", 11, "percent"),
        ],
    )
    output_sheet = ReportSheet(
        workbook,
        name="实物工作量",
        title=f"{title}：实物工作量",
        subtitle=subtitle,
        columns=[
            Column("范围", 14), Column("改造管网(公里)", 14, "km"), Column("加装电梯(部)", 12, "int"),
            Column("增设停车位(个)", 13, "int"), Column("充电桩(个)", 11, "int"), Column("养老设施(处)", 12, "int"),
            Column("托育设施(处)", 12, "int"), Column("估算投资(万元)", 14, "wan"),
        ],
    )
    for label, f in [("全县", figures["total"]), *((t["town"], t) for t in figures["by_town"])]:
        indicator_sheet.append([
            label, f["projects"], f["projects_started"], f["projects_completed"], f["plan_compounds"],
            f["compounds_started"], share(f["rate_started_by_count"]), f["plan_households"], f["households_started"],
            share(f["rate_started_by_households"]), f["compounds_completed"], share(f["rate_completed_by_count"]),
            f["households_completed"], share(f["rate_completed_by_households"]),
        ])
        o = f["outputs"]
        output_sheet.append([
            label, o["pipes_km"], o["lifts"], o["parking_spaces"], o["charging_piles"], o["elderly_care_facilities"],
            o["child_care_facilities"], wan(o["estimated_cost_yuan"]),
        ])
    output_sheet.note("累计完成投资随资金拨付功能提供；此处为改造内容的估算投资。")
    progress(85)

    duty_sheet = ReportSheet(
        workbook,
        name="部门逾期任务",
        title=f"{title}：部门逾期任务（截至 {cutoff:%Y-%m-%d}）",
        subtitle=subtitle,
        columns=[
            Column("责任单位", 18, wrap=True), Column("任务", 40, wrap=True), Column("项目", 24, wrap=True),
            Column("完成时限", 12, "date"), Column("逾期天数", 10, "int"), Column("状态", 8),
            Column("进展说明", 40, wrap=True),
        ],
    )
    overdue = (
        tasks_overdue(programme=programme, cutoff=cutoff, demo=is_demo)
        .select_related("agency", "project")
        .order_by("agency__order", "agency__name", "due_date", "id")
    )
    overdue_count = 0
    for task in overdue.iterator(chunk_size=2000):
        duty_sheet.append([
            _agency_name(task.agency), task.title,
            f"{task.project.code} {task.project.name}" if task.project else "全计划", task.due_date,
            (cutoff - task.due_date).days,
            f"截止日未完成（{task.completed_on:%Y-%m-%d} 完成）" if task.completed_on else task.get_status_display(),
            task.notes,
        ])
        overdue_count += 1
    if not overdue_count:
        duty_sheet.note(f"截至 {cutoff:%Y-%m-%d} 没有逾期未完成的部门任务。")
    progress(95)
    return {"projects": projects_written, "overdue_tasks": overdue_count}
