"""The selector interface issue 7 reads: names, keys, totals, order; and the reconciliation."""

from decimal import Decimal

import pytest

from funding import selectors
from funding.models import FundingSourceKind
from projects import services as project_services
from projects.models import ScopeItem

from .factories import allocate, budget, disburse, funded_project, spend

pytestmark = pytest.mark.django_db

SOURCE_KEYS = {"source_code", "source_name", "is_central", "budget", "allocated", "disbursed", "spent", "balance"}
PROJECT_KEYS = {"project_id", "project_code", "project_name", "budget", "allocated", "disbursed", "spent", "balance"}


@pytest.fixture
def money(programme, staff_user, wulan):
    one = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-01")
    two = funded_project(programme=programme, user=staff_user, town=wulan, code="jy-02")
    demo = funded_project(programme=programme, user=staff_user, town=wulan, code="demo-01", is_demo=True)
    budget(programme, staff_user, "1000000", project=one)
    budget(programme, staff_user, "500000", project=two, code="central_fiscal_subsidy", funding_class="basic_shell")
    budget(programme, staff_user, "250000.50")  # programme-level
    budget(programme, staff_user, "999", project=demo)
    allocate(one, staff_user, "600000")
    disburse(one, staff_user, "400000")
    spend(one, staff_user, "150000")
    allocate(demo, staff_user, "999")
    return {"one": one, "two": two, "demo": demo}


def test_funding_by_source_has_one_row_per_source_in_order(programme, money):
    rows = selectors.funding_by_source(programme=programme)
    assert [r["source_code"] for r in rows] == list(FundingSourceKind.objects.values_list("code", flat=True))
    assert all(set(r) == SOURCE_KEYS for r in rows)
    local = next(r for r in rows if r["source_code"] == "local_self_raised")
    assert local == {"source_code": "local_self_raised", "source_name": "地方自筹", "is_central": False,
                     "budget": Decimal("1250000.50"), "allocated": Decimal("600000.00"),
                     "disbursed": Decimal("400000.00"), "spent": Decimal("150000.00"),
                     "balance": Decimal("1100000.50")}
    central = next(r for r in rows if r["source_code"] == "central_fiscal_subsidy")
    assert central["is_central"] is True and central["budget"] == Decimal("500000.00")
    assert all(isinstance(r[k], Decimal) for r in rows for k in ("budget", "allocated", "disbursed", "spent"))


def test_funding_by_source_for_one_project(programme, money):
    rows = selectors.funding_by_source(programme=programme, project=money["demo"])
    local = next(r for r in rows if r["source_code"] == "local_self_raised")
    assert local["budget"] == Decimal("999.00") and local["allocated"] == Decimal("999.00")


def test_funding_by_project_leaves_demo_out_unless_asked(programme, money):
    rows = selectors.funding_by_project(programme=programme)
    assert [r["project_code"] for r in rows] == ["jy-01", "jy-02"]
    assert all(set(r) == PROJECT_KEYS for r in rows)
    assert rows[0]["budget"] == Decimal("1000000.00") and rows[0]["spent"] == Decimal("150000.00")
    assert rows[0]["balance"] == Decimal("850000.00")
    assert rows[1]["allocated"] == Decimal("0.00")
    with_demo = selectors.funding_by_project(programme=programme, include_demo=True)
    assert [r["project_code"] for r in with_demo] == ["demo-01", "jy-01", "jy-02"]


def test_reconciliation_shows_the_difference_against_the_target(programme, money):
    result = selectors.funding_reconciliation(programme=programme)
    assert result == {"target": Decimal("270180200.00"), "budgeted": Decimal("1750000.50"),
                      "difference": Decimal("1750000.50") - Decimal("270180200.00"), "lines": 3}


def test_reconciliation_of_an_exact_budget_is_zero(programme, staff_user):
    budget(programme, staff_user, "270180200.00", code="central_fiscal_subsidy", funding_class="basic_shell")
    result = selectors.funding_reconciliation(programme=programme)
    assert result["difference"] == Decimal("0") and result["lines"] == 1


def test_reconciliation_shows_an_overrun_too(programme, staff_user):
    budget(programme, staff_user, "270180200.01")
    assert selectors.funding_reconciliation(programme=programme)["difference"] == Decimal("0.01")


def test_central_subsidy_compounds_report_water_power_road_gas_coverage(programme, money, staff_user):
    rows = selectors.central_subsidy_compounds(programme=programme)
    assert [r["project_code"] for r in rows] == ["jy-02"]
    assert set(rows[0]) == {"compound_id", "compound_name", "project_code", "water", "power", "road", "gas"}
    assert (rows[0]["water"], rows[0]["power"], rows[0]["road"], rows[0]["gas"]) == (None, None, None, None)
    compound = money["two"].compounds.get()
    item = ScopeItem.objects.filter(is_water_power_road_gas="water").first()
    project_services.scope_line_save(project=money["two"], compound=compound, scope_item=item,
                                     quantity=Decimal(1), estimated_cost_yuan=Decimal(1000), user=staff_user)
    row = selectors.central_subsidy_compounds(programme=programme)[0]
    assert (row["water"], row["power"], row["road"], row["gas"]) == (True, False, False, False)
    assert row["compound_name"] == compound.name and row["compound_id"] == compound.pk


def test_dashboard_funding_shows_wan_and_the_difference(programme, money, staff_user):
    from django.utils import timezone

    data = selectors.dashboard_funding(programme=programme, today=timezone.localdate(), user=staff_user)
    assert data["budget_wan"] == Decimal("175.00")
    assert "差额 -26843.02 万元" in data["note"]
    assert data["headers"][0] == "资金来源"
    local = next(r for r in data["rows"] if r["cells"][0] == "地方自筹")
    assert local["cells"][1:] == [Decimal("125.00"), Decimal("60.00"), Decimal("40.00"), Decimal("15.00"),
                                  Decimal("110.00")]
    assert local["url"].endswith("?source=local_self_raised")


def test_figures_as_of_a_cutoff_count_money_dated_by_then_and_lines_recorded_by_then(programme, money):
    import datetime as dt

    local = next(r for r in selectors.funding_by_source(programme=programme, cutoff=dt.date(2023, 4, 30))
                 if r["source_code"] == "local_self_raised")
    # allocated 2023-04-01 counts; disbursed 2023-05-01 and spent 2023-06-01 do not yet; the lines were
    # recorded today, after the cut-off.
    assert (local["budget"], local["allocated"], local["disbursed"], local["spent"]) == (
        Decimal("0"), Decimal("600000"), Decimal("0"), Decimal("0"))
    demo_only = selectors.funding_by_source(programme=programme, demo=True, cutoff=dt.date(2023, 4, 30))
    assert sum(r["allocated"] for r in demo_only) == Decimal("999")
