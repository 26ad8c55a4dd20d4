"""The budget report: figures from funding.selectors (issue 6), or a plain "no data yet" without them."""

import types
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from projects.reports import budget
from projects.reports.services import report_write
from tests.projects.report_factories import CUTOFF

pytestmark = pytest.mark.django_db


def _sheet_rows(sheet):
    return [row for row in sheet.iter_rows(min_row=4, values_only=True) if any(v is not None for v in row)]


def test_budget_figures_match_the_funding_selectors(programme, tmp_path, staff_user):
    """The budget sheet shows the funding selectors' figures in 万元, and they add up to the lines in the DB."""
    from django.db.models import Sum

    from funding import selectors
    from funding.choices import FundingClass
    from funding.models import BudgetLine, FundingSourceKind
    from funding.services import budget_line_save
    for code, amount in (("local_self_raised", "1000000.00"), ("local_special_bonds", "2345678.90"),
                         ("local_self_raised", "0.01")):
        budget_line_save(programme=programme, source=FundingSourceKind.objects.get(code=code),
                         funding_class=FundingClass.values[-1], amount_yuan=Decimal(amount), user=staff_user)
    path = tmp_path / "budget.xlsx"
    today = timezone.localdate()
    report_write(kind="budget", programme=programme, cutoff=today, path=path)
    book = load_workbook(path)
    sources = selectors.funding_by_source(programme=programme, cutoff=today)
    rows = _sheet_rows(book["按资金来源"])
    assert len(rows) == len(sources) + 1  # + 合计
    for row, source in zip(rows, sources, strict=False):
        assert row[0] == source["source_name"]
        for value, key in zip(row[2:], budget._MONEY, strict=True):
            assert Decimal(str(value)) == budget.wan(source[key])
    total_budget = sum((s["budget"] for s in sources), Decimal("0"))
    assert total_budget == BudgetLine.objects.aggregate(total=Sum("amount_yuan"))["total"] == Decimal("3345678.91")
    assert Decimal(str(rows[-1][2])) == budget.wan(total_budget) == Decimal("334.57")
    self_raised = next(row for row in rows if row[0] == "地方自筹")
    assert Decimal(str(self_raised[2])) == Decimal("100.00")
    # Independently of the per-source rows: the reconciliation's own budgeted figure and the
    # programme's target read straight from the database.
    reconciliation = selectors.funding_reconciliation(programme=programme, cutoff=today)
    assert budget.wan(reconciliation["budgeted"]) == budget.wan(total_budget)
    check = {r[0]: r[1] for r in _sheet_rows(book["预算核对"])}
    assert Decimal(str(check["计划总投资（工作方案）"])) == Decimal("27018.02") == programme.target_budget_wan


def test_the_layout_of_figures_from_a_stand_in_funding_module(programme, tmp_path, monkeypatch):
    """Figures chosen to show the layout in 万元 and formula neutralising, in place of funding.selectors."""
    module = types.ModuleType("funding.selectors")
    money = {"budget": Decimal("150000000.00"), "allocated": Decimal("100000000.00"),
             "disbursed": Decimal("50000000.00"), "spent": Decimal("12345678.90"), "balance": Decimal("37654321.10")}
    module.funding_by_source = lambda *, programme, demo, cutoff: [
        {"source_code": "central", "source_name": "=中央财政补助", "is_central": True, **money}]
    module.funding_by_project = lambda *, programme, demo, cutoff: [
        {"project_id": 1, "project_code": "jy-01", "project_name": "测试", **money}]
    module.funding_reconciliation = lambda *, programme, demo, cutoff: {
        "target": programme.target_budget_yuan, "budgeted": money["budget"],
        "difference": programme.target_budget_yuan - money["budget"], "lines": 1}
    module.central_subsidy_compounds = lambda *, programme, demo: [
        {"compound_id": 1, "compound_name": "房产局家属楼", "project_code": "jy-01",
         "water": True, "power": True, "road": False, "gas": True}]
    monkeypatch.setattr(budget, "funding", module)
    path = tmp_path / "budget.xlsx"
    report_write(kind="budget", programme=programme, cutoff=CUTOFF, path=path)
    book = load_workbook(path)
    source = book["按资金来源"]
    assert source["A4"].value == "'=中央财政补助" and source["A4"].data_type == "s"
    assert source["C4"].value == 15000 and source["C4"].number_format == "#,##0.00"
    assert source["F4"].value == pytest.approx(1234.57)
    check = {r[0]: r[1] for r in _sheet_rows(book["预算核对"])}
    assert check["计划总投资（工作方案）"] == pytest.approx(27018.02)
    assert check["差额（计划 − 预算）"] == pytest.approx(12018.02)
    assert _sheet_rows(book["中央补助小区"]) == [("房产局家属楼", "jy-01", "是", "是", "否", "是", "3/4")]


@pytest.fixture
def real_and_demo_money(programme, staff_user, wulan):
    """A real and a demo project, each allocated 2023-04-01, disbursed 2023-05-01 and paid 2023-06-01
    (tests/funding/factories.py), plus a real payment dated 2023-07-01."""
    import datetime as dt

    from funding import services
    from tests.funding.factories import allocate, budget, disburse, funded_project, source, spend

    real = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-01")
    demo = funded_project(programme=programme, user=staff_user, town=wulan, code="demo-01", is_demo=True)
    for project, amount in ((real, "1000000"), (demo, "30000")):
        budget(programme, staff_user, amount, project=project)
        allocate(project, staff_user, amount)
        disburse(project, staff_user, amount)
        spend(project, staff_user, "10000")
    services.expenditure_record(project=real, source=source("local_self_raised"), payee="某建筑公司",
                                reference="HT-002", paid_on=dt.date(2023, 7, 1), amount_yuan=Decimal("20000"),
                                user=staff_user)
    return {"real": real, "demo": demo}


def _self_raised(path):
    rows = _sheet_rows(load_workbook(path)["按资金来源"])
    return next(row for row in rows if row[0] == "地方自筹"), {r[0]: r[2:] for r in rows}


def test_budget_report_leaves_out_money_dated_after_its_cutoff(programme, tmp_path, real_and_demo_money):
    """数据截止 2023-06-15: the payment of 2023-07-01 is not spent yet; that of 2023-06-01 is."""
    import datetime as dt

    path = tmp_path / "budget.xlsx"
    report_write(kind="budget", programme=programme, cutoff=dt.date(2023, 6, 15), path=path)
    row, _ = _self_raised(path)
    allocated, disbursed, spent = (Decimal(str(v)) for v in row[3:6])
    assert (allocated, disbursed, spent) == (Decimal("100.00"), Decimal("100.00"), Decimal("1.00"))
    projects = {r[0]: r for r in _sheet_rows(load_workbook(path)["按项目"])}
    assert Decimal(str(projects["jy-01"][5])) == Decimal("1.00")
    report_write(kind="budget", programme=programme, cutoff=dt.date(2023, 7, 1), path=path)
    row, _ = _self_raised(path)
    assert Decimal(str(row[5])) == Decimal("3.00")


def test_budget_lines_recorded_after_the_cutoff_are_not_budgeted_as_of_it(programme, tmp_path, real_and_demo_money):
    import datetime as dt

    path = tmp_path / "budget.xlsx"
    report_write(kind="budget", programme=programme, cutoff=dt.date(2023, 6, 15), path=path)
    row, _ = _self_raised(path)
    assert row[2] == 0  # the lines were recorded today, long after 2023-06-15
    report_write(kind="budget", programme=programme, cutoff=timezone.localdate(), path=path)
    row, _ = _self_raised(path)
    assert Decimal(str(row[2])) == Decimal("100.00")


def test_a_demo_budget_report_holds_demo_money_only_and_a_real_one_none(programme, tmp_path, real_and_demo_money):
    today = timezone.localdate()
    path = tmp_path / "budget.xlsx"
    report_write(kind="budget", programme=programme, cutoff=today, path=path, is_demo=True)
    book = load_workbook(path)
    assert "演示数据" in book["按资金来源"]["A1"].value
    assert [r[0] for r in _sheet_rows(book["按项目"])] == ["demo-01"]
    row, _ = _self_raised(path)
    assert Decimal(str(row[2])) == Decimal("3.00")
    report_write(kind="budget", programme=programme, cutoff=today, path=path)
    book = load_workbook(path)
    assert "演示数据" not in book["按资金来源"]["A1"].value
    assert [r[0] for r in _sheet_rows(book["按项目"])] == ["jy-01"]
    row, _ = _self_raised(path)
    assert Decimal(str(row[2])) == Decimal("100.00")
