import datetime as dt
from decimal import Decimal

import pytest

from projects import services
from projects.selectors import indicators, project_detail, project_ledger

from .factories import CompoundFactory, add_line, complete_through, make_project, plan, step

pytestmark = pytest.mark.django_db


def test_ledger_lists_every_kind_of_change_in_time_order_with_who(
    programme, wulan, staff_user, liaison_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    compound = CompoundFactory(town=wulan)
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    plan(project, staff_user)
    complete_through(project, staff_user, "survey")
    add_line(project, staff_user, compound, "roads_paving", quantity="300")
    from .factories import pdf

    services.document_upload(project=project, title="摸底调查表", uploaded_file=pdf(), user=staff_user)
    services.note_add(project=project, text="居民代表会议通过改造方案", user=staff_user)
    task = project.tasks.get(agency__code="finance")
    services.agency_task_update(task=task, status="in_progress", notes="资金已到位", user=liaison_user)
    entries = project_ledger(project=project)
    kinds = {entry["kind"] for entry in entries}
    assert {"改造项目", "项目小区", "实施步骤", "改造内容明细", "项目资料", "台账备注", "部门任务"} <= kinds
    assert [e["when"] for e in entries] == sorted(e["when"] for e in entries)
    survey_done = next(e for e in entries if e["object"] == "摸底调查" and e["reason"].startswith("完成"))
    assert survey_done["who"] == staff_user.first_name
    assert {"field": "状态", "old": "进行中", "new": "已完成"} in survey_done["changes"]
    task_entry = entries[-1]
    assert (
        task_entry["who"] == liaison_user.first_name and task_entry["object"] == "县财政局：补助资金监管与拨付"
    )
    assert {"field": "进展说明", "old": "（空）", "new": "资金已到位"} in task_entry["changes"]


def test_blockers_name_what_holds_the_project_up(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan, roads_damaged=True)
    project = make_project(programme=programme, user=staff_user, compounds=[compound], central=True)
    plan(project, staff_user)
    complete_through(project, staff_user, "survey")
    blockers = project_detail(project=project, today=dt.date(2023, 4, 10))["blockers"]
    assert "尚未录入改造内容明细（工作方案五）。" in blockers
    assert any("“现场审核认定”计划于 2023-03-16 开始，尚未开始" in b for b in blockers)
    assert any("“现场审核认定”已超过计划完成日期 15 天" in b for b in blockers)


def test_indicators_count_started_and_completed_against_the_plan(programme, wulan, other_town, staff_user):
    first = CompoundFactory(town=wulan, household_count=100)
    second = CompoundFactory(town=wulan, household_count=50)
    third = CompoundFactory(town=other_town, household_count=30)
    done = make_project(programme=programme, user=staff_user, compounds=[first], code="done")
    started = make_project(programme=programme, user=staff_user, compounds=[second, third], code="started")
    make_project(
        programme=programme,
        user=staff_user,
        compounds=[CompoundFactory(town=wulan)],
        code="idle",
        is_demo=False,
    )
    for project in (done, started):
        plan(project, staff_user)
    complete_through(done, staff_user, "completion_acceptance")
    complete_through(started, staff_user, "construction_tender")
    services.project_step_start(
        step=step(started, "construction"), started_on=dt.date(2023, 7, 1), user=staff_user
    )
    add_line(done, staff_user, first, "lift_retrofit", quantity="2")
    add_line(started, staff_user, third, "parking_spaces", quantity="40")
    add_line(started, staff_user, second, "water_supply_drainage", quantity="1.5", cost="250000.50")

    figures = indicators(programme=programme)
    total = figures["total"]
    assert (total["projects"], total["projects_started"], total["projects_completed"]) == (3, 2, 1)
    assert (total["compounds_started"], total["households_started"]) == (3, 180)
    assert (total["compounds_completed"], total["households_completed"]) == (1, 100)
    assert total["rate_started_by_count"] == Decimal("6.5")  # 3 of the plan's 46
    assert total["rate_completed_by_households"] == Decimal("1.6")  # 100 of 6157
    assert total["outputs"]["lifts"] == 2 and total["outputs"]["parking_spaces"] == 40
    assert Decimal(total["outputs"]["pipes_km"]) == Decimal("1.5")
    towns = {row["town"]: row for row in figures["by_town"]}
    assert towns["东湾镇"]["rate_started_by_count"] == Decimal("100.0")
    assert towns["乌兰镇"]["plan_compounds"] == 3 and towns["乌兰镇"]["compounds_started"] == 2
    assert indicators(programme=programme, is_demo=True)["total"]["projects"] == 0
