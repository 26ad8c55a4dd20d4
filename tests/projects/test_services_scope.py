import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects import services
from projects.models import FourItemsAcknowledgement

from .factories import CompoundFactory, add_line, complete_through, make_project, plan, step

pytestmark = pytest.mark.django_db


def test_content_done_under_three_supplies_is_refused(programme, wulan, staff_user):
    compound = CompoundFactory(
        town=wulan, recently_renovated=True, renovated_content="2019年三供一业：供水、供电改造"
    )
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    with pytest.raises(ValidationError) as refusal:
        add_line(project, staff_user, compound, "water_supply_drainage")
    assert refusal.value.messages == [
        f"{compound.name}近年已实施“三供一业”等改造，已改造内容（供水）不得重复改造（工作方案五）：不能添加“供排水管网改造”。"
    ]
    with pytest.raises(ValidationError, match="已改造内容（供电）不得重复改造"):
        add_line(project, staff_user, compound, "power_network")
    # What 三供一业 did not cover is still allowed,
    # e.g. gas and one meter per household (五: 供水实施分户改造).
    add_line(project, staff_user, compound, "gas_network")
    add_line(project, staff_user, compound, "meter_per_household")
    assert project.scope_lines.count() == 2


def test_not_recently_renovated_compound_is_not_refused(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan, recently_renovated=False, renovated_content="供水")
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    line, _ = add_line(project, staff_user, compound, "water_supply_drainage", quantity="2.5")
    assert line.pipes_km == Decimal("2.5")  # the Ministry's output filled from a km quantity


def test_scope_line_for_a_compound_outside_the_project_is_refused(programme, wulan, staff_user):
    project = make_project(programme=programme, user=staff_user, compounds=[CompoundFactory(town=wulan)])
    stranger = CompoundFactory(town=wulan)
    with pytest.raises(ValidationError, match="不在本项目中"):
        add_line(project, staff_user, stranger, "roads_paving")


def test_central_project_missing_water_power_road_gas_gets_a_warning(programme, wulan, staff_user):
    compound = CompoundFactory(
        town=wulan, water_drainage_aged=True, power_aged=False, roads_damaged=True, no_natural_gas=None
    )
    project = make_project(programme=programme, user=staff_user, compounds=[compound], central=True)
    _, gaps = add_line(project, staff_user, compound, "roads_paving")
    assert [(gap.item, gap.deficit_labels) for gap in gaps] == [("water", ("供排水管线老化",))]
    assert gaps[0].message == (
        f"中央补助项目须注重水、电、路、气4项，能改即改（工作方案五）：{compound.name}"
        "存在“供排水管线老化”，但本项目未包含“水”类改造内容。"
    )
    _, gaps = add_line(project, staff_user, compound, "sewage_network")
    assert gaps == []


def test_project_without_central_subsidy_gets_no_warning(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan, water_drainage_aged=True)
    project = make_project(programme=programme, user=staff_user, compounds=[compound], central=False)
    _, gaps = add_line(project, staff_user, compound, "roads_paving")
    assert gaps == []


def test_warning_must_be_acknowledged_with_a_reason_before_the_feasibility_study(
    programme, wulan, staff_user
):
    compound = CompoundFactory(town=wulan, no_natural_gas=True)
    project = make_project(programme=programme, user=staff_user, compounds=[compound], central=True)
    plan(project, staff_user)
    add_line(project, staff_user, compound, "roads_paving")
    complete_through(project, staff_user, "county_report")
    feasibility = step(project, "feasibility_study")
    with pytest.raises(ValidationError) as refusal:
        services.project_advance(step=feasibility, completed_on=dt.date(2023, 4, 20), user=staff_user)
    assert "能改即改" in refusal.value.messages[0] and f"{compound.name}缺“气”" in refusal.value.messages[0]
    with pytest.raises(ValidationError, match="请具体说明"):
        services.four_item_acknowledge(
            project=project, compound=compound, item="gas", reason=" ", user=staff_user
        )
    services.four_item_acknowledge(
        project=project,
        compound=compound,
        item="gas",
        reason="燃气主管网尚未铺设至该片区，燃气公司计划2024年接入",
        user=staff_user,
    )
    services.project_advance(step=feasibility, completed_on=dt.date(2023, 4, 20), user=staff_user)
    ack = FourItemsAcknowledgement.objects.get()
    assert ack.acknowledged_by == staff_user and ack.history.latest().history_user == staff_user


def test_acknowledging_an_item_that_is_not_missing_is_refused(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan, no_natural_gas=False)
    project = make_project(programme=programme, user=staff_user, compounds=[compound], central=True)
    with pytest.raises(ValidationError, match="无需说明"):
        services.four_item_acknowledge(
            project=project, compound=compound, item="gas", reason="无燃气管网", user=staff_user
        )


def test_negative_cost_is_refused(programme, wulan, staff_user):
    compound = CompoundFactory(town=wulan)
    project = make_project(programme=programme, user=staff_user, compounds=[compound])
    with pytest.raises(ValidationError):
        add_line(project, staff_user, compound, "roads_paving", cost="-1")


@pytest.mark.parametrize("fact,gap", [("gas_supply_needs_work", True), ("telecom_needs_work", False)])
def test_only_gas_lines_not_telecom_count_as_qi_for_neng_gai_ji_gai(programme, wulan, staff_user, fact, gap):
    """三(二)2 names gas (供气) and telecom (通信) apart; only gas is 气 of 水、电、路、气 for 能改即改."""
    from projects.scope_rules import four_item_gaps

    compound = CompoundFactory(town=wulan, water_drainage_aged=False, **{fact: True})
    project = make_project(programme=programme, user=staff_user, compounds=[compound], central=True)
    gaps = four_item_gaps(project=project, compounds=[compound], lines=[], acknowledgements=[])
    assert [g.item for g in gaps] == (["gas"] if gap else [])
