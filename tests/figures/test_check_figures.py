"""check_figures: the headline figures recomputed from the rows agree with the home page, the dashboard
and both reports, on the demo data set and on real and demo rows mixed; a disagreement is printed and
the command exits non-zero."""

import contextlib
import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.models import TownTotals
from tests.projects.report_factories import make_report_world

pytestmark = pytest.mark.django_db


def _check(*args) -> dict:
    out = StringIO()
    with contextlib.suppress(CommandError):  # the differences are in the JSON, which each test asserts on
        call_command("check_figures", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def demo_data(programme, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--compounds", "6", stdout=StringIO())


@pytest.fixture
def mixed_data(demo_data, programme, staff_user, wulan):
    """seed_demo's demo set, plus real compounds, projects at several stages (recorded in 2023) and real money:
    a payment before and one after 2023-06-15, and a budget line recorded today."""
    from funding import services
    from tests.funding.factories import allocate, budget, disburse, source, spend

    world = make_report_world(programme=programme, user=staff_user)
    budget(programme, staff_user, "2000000", project=world["jy-02"])
    allocate(world["jy-02"], staff_user, "1500000")
    disburse(world["jy-02"], staff_user, "1000000")
    spend(world["jy-02"], staff_user, "250000")
    services.expenditure_record(project=world["jy-02"], source=source("local_self_raised"), payee="某建筑公司",
                                reference="HT-002", paid_on=dt.date(2023, 7, 1), amount_yuan=Decimal("100000"),
                                user=staff_user)
    return world


def test_the_demo_data_set_passes_on_every_page_and_report(demo_data):
    result = _check()
    assert result["pages"] is True and result["differences"] == []
    assert result["checked"] > 50
    assert result["expected"]["演示"]["recorded"]["compounds"] == 6
    out = StringIO()
    call_command("check_figures", stdout=out)
    assert "与原始记录一致" in out.getvalue()


def test_real_and_demo_rows_mixed_pass_today_and_at_a_past_cutoff(mixed_data):
    today = _check()
    assert today["differences"] == []
    real = today["expected"]["真实"]
    assert real["progress"]["compounds_completed"] == 1 and real["recorded"]["compounds"] >= 4
    past = _check("--cutoff", "2023-06-15")
    assert past["pages"] is False and past["differences"] == []
    then = past["expected"]["真实"]
    assert then["progress"]["compounds_completed"] == 0
    assert then["money"]["地方自筹"]["spent"] == "25.00"  # the 2023-07-01 payment came later


def test_a_figure_that_disagrees_with_the_rows_is_printed_and_the_command_fails(mixed_data):
    # The stored per-town totals the home page and dashboard read drift from the rows.
    row = TownTotals.objects.filter(is_demo=False).first()
    TownTotals.objects.filter(pk=row.pk).update(households=row.households + 5)
    out = StringIO()
    with pytest.raises(CommandError, match="不一致") as failure:
        call_command("check_figures", stdout=out)
    assert failure.value.returncode == 1
    printed = out.getvalue()
    assert "已录入住户（户）（真实）：首页显示" in printed
    assert "已录入住户（户）（真实）：领导驾驶舱显示" in printed
    assert "已录入住户（户）（真实）：进度报告（真实数据）显示" in printed  # as of today it reads the same totals
    assert "演示" not in printed  # only what is wrong is printed


def test_a_bad_cutoff_is_refused_in_chinese(programme):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("check_figures", "--cutoff", "2023-13-01", stdout=StringIO())
