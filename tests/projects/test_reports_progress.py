"""The progress report workbook, opened with openpyxl and checked against the database."""

from decimal import Decimal

import pytest
from openpyxl import load_workbook

from communities.models import Building, Compound, Household
from projects import deadlines
from projects.choices import TaskStatus
from projects.models import AgencyTask, Project, ProjectCompound, ScopeLine
from projects.reports.services import report_write
from projects.selectors import indicators
from tests.projects.report_factories import CUTOFF, make_report_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(programme, staff_user, tmp_path):
    world = make_report_world(programme=programme, user=staff_user)
    path = tmp_path / "progress.xlsx"
    report_write(kind="progress", programme=programme, cutoff=CUTOFF, path=path)
    return world, load_workbook(path)


def _table(sheet):
    """Data rows under the header (row 3), as dicts by header."""
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def test_every_sheet_has_a_title_with_report_date_and_cutoff_and_frozen_headers(workbook):
    _, book = workbook
    assert book.sheetnames == ["计划总览", "项目进度", "小区进度", "统计指标", "实物工作量", "部门逾期任务"]
    for sheet in book.worksheets:
        assert "进度报告" in sheet["A1"].value
        assert "报告日期：" in sheet["A2"].value and "数据截止：2024-03-31" in sheet["A2"].value
        assert sheet.freeze_panes == "A4"
        assert sheet["A3"].font.bold
        assert sheet.column_dimensions["A"].width >= 10


def test_summary_compares_targets_with_recorded_counts(workbook):
    _, book = workbook
    rows = {r["指标"]: r for r in _table(book["计划总览"])}
    assert rows["小区（个）"]["计划目标"] == 46
    assert rows["小区（个）"]["已录入"] == Compound.objects.filter(is_demo=False).count()
    assert rows["楼栋（栋）"]["已录入"] == Building.objects.count()
    assert rows["住户（户）"]["已录入"] == Household.objects.count()
    assert rows["总投资（万元）"]["计划目标"] == pytest.approx(27018.02)
    assert rows["改造项目（个）"]["已录入"] == Project.objects.count() == 3
    assert "已完成 1 个" in next(v["说明"] for k, v in rows.items() if k.startswith("时限二"))


def test_project_rows_carry_the_deadline_statuses_the_pages_show(workbook, programme):
    world, book = workbook
    sheet = book["项目进度"]
    rows = {r["项目编号"]: r for r in _table(sheet)}
    assert set(rows) == {"jy-01", "jy-02", "jy-03"}
    for code, project in ((c, world[c]) for c in ("jy-01", "jy-02", "jy-03")):
        ready, completion = deadlines.project_deadlines(
            programme=programme, steps=list(project.steps.all()), today=CUTOFF
        )
        assert rows[code]["具备开工条件（时限一）"] == ready.status_label
        assert rows[code]["全部完工（时限二）"] == completion.status_label
        households = sum(ProjectCompound.objects.filter(project=project).values_list("households", flat=True))
        assert rows[code]["涉及户数"] == households
    assert rows["jy-01"]["全部完工（时限二）"] == "已完成"
    assert rows["jy-01"]["估算投资(万元)"] == pytest.approx(123.46)
    assert "尚未包含任何小区" in rows["jy-03"]["制约因素"]
    assert rows["jy-02"]["当前步骤"]
    # Number formats: 万元 two decimals, dates as dates.
    header = [c.value for c in sheet[3]]
    money = sheet.cell(row=4, column=header.index("估算投资(万元)") + 1)
    assert money.number_format == "#,##0.00"
    forecast = sheet.cell(row=4, column=header.index("时限二完成/预测日期") + 1)
    assert forecast.number_format == "yyyy-mm-dd" and forecast.is_date


def test_compound_rows_cover_every_recorded_compound(workbook):
    world, book = workbook
    rows = _table(book["小区进度"])
    in_no_project = Compound.objects.filter(is_demo=False, project_phases__isnull=True).count()
    assert in_no_project >= 1
    assert len(rows) == ProjectCompound.objects.count() + in_no_project
    waiting = next(r for r in rows if r["小区"] == world["waiting"].name)
    assert waiting["当前步骤"] == "尚未列入项目"
    finished = next(r for r in rows if r["项目编号"] == "jy-01")
    assert finished["实际竣工验收"] is not None and finished["时限二状态"] == "已完成"


def test_indicators_and_outputs_match_the_selector(workbook, programme):
    _, book = workbook
    figures = indicators(programme=programme)["total"]
    total = _table(book["统计指标"])[0]
    assert total["范围"] == "全县"
    assert total["开工小区"] == figures["compounds_started"] == 1
    assert total["完工户数"] == figures["households_completed"]
    assert total["开工率(个数)"] == pytest.approx(float(figures["rate_started_by_count"]) / 100)
    assert book["统计指标"].cell(row=4, column=7).number_format == "0.0%"
    outputs = _table(book["实物工作量"])[0]
    assert outputs["改造管网(公里)"] == pytest.approx(1.5)
    assert outputs["加装电梯(部)"] == 2
    assert outputs["增设停车位(个)"] == 12
    cost = sum(ScopeLine.objects.values_list("estimated_cost_yuan", flat=True))
    assert Decimal(str(outputs["估算投资(万元)"])) == (cost / 10000).quantize(Decimal("0.01"))


def test_overdue_duties_are_the_undone_tasks_past_due_at_the_cutoff(workbook, programme):
    _, book = workbook
    overdue = AgencyTask.objects.filter(programme=programme, due_date__lt=CUTOFF).exclude(status=TaskStatus.DONE)
    rows = _table(book["部门逾期任务"])
    if overdue.exists():
        assert len(rows) == overdue.count()
        first = rows[0]
        assert first["逾期天数"] == (CUTOFF - first["完成时限"].date()).days
    else:
        assert "没有逾期" in rows[0]["责任单位"]


def test_compound_names_that_look_like_formulas_stay_text(programme, staff_user, tmp_path):
    make_report_world(programme=programme, user=staff_user, compound_name='=HYPERLINK("http://x","点我")')
    path = tmp_path / "progress.xlsx"
    report_write(kind="progress", programme=programme, cutoff=CUTOFF, path=path)
    sheet = load_workbook(path)["小区进度"]
    cells = [c for row in sheet.iter_rows(min_row=4) for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells
    for cell in cells:
        assert cell.data_type == "s"
        assert cell.value.startswith("'=")


def test_build_report_command_writes_the_same_workbook(programme, staff_user, tmp_path):
    from django.core.management import call_command

    make_report_world(programme=programme, user=staff_user)
    path = tmp_path / "cmd.xlsx"
    call_command("build_report", "progress", "--cutoff", "2024-03-31", "--output", str(path))
    book = load_workbook(path)
    assert [r["项目编号"] for r in _table(book["项目进度"])] == ["jy-01", "jy-02", "jy-03"]


def _summary(path):
    return {r["指标"]: r for r in _table(load_workbook(path)["计划总览"])}


def test_a_compound_imported_after_the_cutoff_is_not_recorded_as_of_it(programme, staff_user, tmp_path):
    """已录入 counts what had been recorded by the end of the cut-off day (the compound's 创建时间, the
    buildings' and households' first history rows); a compound imported today is not in a report as of 2024-03-31."""
    from tests.communities.factories import make_estate

    make_report_world(programme=programme, user=staff_user)
    before = {name: model.objects.filter(**demo).count() for name, model, demo in (
        ("小区（个）", Compound, {"is_demo": False}), ("楼栋（栋）", Building, {"compound__is_demo": False}),
        ("住户（户）", Household, {"building__compound__is_demo": False}))}
    late = make_estate(town=Compound.objects.first().town, compounds=1, buildings=2, households=3)[0]  # today
    path = tmp_path / "progress.xlsx"
    report_write(kind="progress", programme=programme, cutoff=CUTOFF, path=path)
    rows = _summary(path)
    assert {name: rows[name]["已录入"] for name in before} == before
    assert late.name not in {r["小区"] for r in _table(load_workbook(path)["小区进度"])}
    from django.utils import timezone

    report_write(kind="progress", programme=programme, cutoff=timezone.localdate(), path=path)
    rows = _summary(path)
    assert rows["小区（个）"]["已录入"] == before["小区（个）"] + 1
    assert rows["住户（户）"]["已录入"] == before["住户（户）"] + 6


def test_a_step_completed_after_the_cutoff_is_not_done_as_of_it(programme, staff_user, tmp_path):
    """jy-01 passed 竣工验收 on 2024-01-15: as of 2023-09-30 it was under construction, not completed."""
    import datetime as dt

    make_report_world(programme=programme, user=staff_user)
    path = tmp_path / "progress.xlsx"
    report_write(kind="progress", programme=programme, cutoff=dt.date(2023, 9, 30), path=path)
    book = load_workbook(path)
    done = next(r for r in _table(book["项目进度"]) if r["项目编号"] == "jy-01")
    assert done["全部完工（时限二）"] != "已完成"
    assert "施工" in done["当前步骤"]
    compound = next(r for r in _table(book["小区进度"]) if r["项目编号"] == "jy-01")
    assert compound["实际竣工验收"] is None and compound["实际开工"] is not None
    total = _table(book["统计指标"])[0]
    assert (total["开工小区"], total["完工小区"], total["完工项目"]) == (1, 0, 0)
    assert indicators(programme=programme, cutoff=dt.date(2023, 9, 30))["total"]["compounds_completed"] == 0
    assert indicators(programme=programme, cutoff=CUTOFF)["total"]["compounds_completed"] == 1


def test_the_summary_says_which_figures_are_as_of_the_cutoff_and_counts_are_whole(workbook):
    _, book = workbook
    sheet = book["计划总览"]
    texts = [row[0] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]]
    assert any(text.startswith("截至 2024-03-31 的数字") for text in texts)
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[0].value in ("小区（个）", "住户（户）"):
            target, recorded = row[header.index("计划目标")], row[header.index("已录入")]
            assert isinstance(target.value, int) and target.number_format == "#,##0"
            assert recorded.number_format == "#,##0"
        if row[0].value == "建筑面积（万㎡）":
            assert row[header.index("计划目标")].number_format == "#,##0.00"
