"""The scope line form: the catalog grouped under the headings of 五 with a search box, and the
quantity entered once — the Ministry's outputs derive from it (scope_rules.outputs_from_quantity)."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import ScopeItem, ScopeLine

from .factories import CompoundFactory, add_line, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def compound(wulan):
    return CompoundFactory(town=wulan)


@pytest.fixture
def project(programme, compound, staff_user):
    return make_project(programme=programme, user=staff_user, compounds=[compound])


def test_form_groups_the_catalog_under_the_headings_of_five(client, staff_user, project):
    client.force_login(staff_user)
    page = client.get(reverse("scope_line_add", args=[project.pk])).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)">', page)
    assert groups[0] == "房屋修缮改造 · 房屋整修改造"
    for heading in ("完善配套设施 · 提升管理服务质量", "完善配套设施 · 市政管网设施改造", "完善配套设施 · 停车设施改造",
                    "环境综合整治 · 道路改造", "长效管理"):
        assert heading in groups
    networks = page.split('<optgroup label="完善配套设施 · 市政管网设施改造">')[1].split("</optgroup>")[0]
    assert "供排水管网改造（km）" in networks and "门卫" not in networks
    catalog = page.split('name="scope_item"')[1].split("</select>")[0]
    assert catalog.count("<option value=") - 1 == ScopeItem.objects.count()  # every item once, plus the prompt
    assert 'data-filterable="true"' in page and "js/select-filter.js" in page


def test_form_has_no_separate_output_inputs_that_could_disagree_with_the_quantity(client, staff_user, project):
    client.force_login(staff_user)
    page = client.get(reverse("scope_line_add", args=[project.pk])).content.decode()
    for name in ("pipes_km", "lifts", "parking_spaces", "charging_piles", "elderly_care_facilities",
                 "child_care_facilities"):
        assert f'name="{name}"' not in page
    assert "改造管网(公里)" in page  # named only in the quantity's help: it is derived from it


def test_posted_output_fields_are_ignored_and_outputs_follow_the_quantity(client, staff_user, project, compound):
    client.force_login(staff_user)
    water = ScopeItem.objects.get(code="water_supply_drainage")
    response = client.post(reverse("scope_line_add", args=[project.pk]), {
        "compound": compound.pk, "scope_item": water.pk, "quantity": "2.5", "estimated_cost_yuan": "1000",
        "pipes_km": "9", "lifts": "3",
    })
    assert response.status_code == 302
    line = ScopeLine.objects.get()
    assert (line.unit, line.pipes_km, line.lifts) == ("km", Decimal("2.500"), 0)


@pytest.mark.parametrize(
    ("code", "quantity", "unit", "field", "expected"),
    [
        ("water_supply_drainage", "2.5", "", "pipes_km", Decimal("2.5")),
        ("gas_network", "850", "m", "pipes_km", Decimal("0.85")),
        ("lift_retrofit", "2", "", "lifts", 2),
        ("parking_spaces", "40", "", "parking_spaces", 40),
        ("ev_charging_piles", "6", "", "charging_piles", 6),
        ("elderly_care", "1", "", "elderly_care_facilities", 1),
        ("child_care", "1", "", "child_care_facilities", 1),
    ],
)
def test_outputs_derive_from_the_quantity_where_the_item_measures_them(
    programme, staff_user, project, compound, code, quantity, unit, field, expected
):
    line, _ = services.scope_line_save(
        project=project, compound=compound, scope_item=ScopeItem.objects.get(code=code),
        quantity=Decimal(quantity), unit=unit, estimated_cost_yuan=Decimal("1"), user=staff_user,
    )
    line.refresh_from_db()
    assert getattr(line, field) == expected
    others = {"pipes_km", "lifts", "parking_spaces", "charging_piles", "elderly_care_facilities",
              "child_care_facilities"} - {field}
    assert all(getattr(line, name) == 0 for name in others)


def test_an_item_measuring_no_output_has_none(staff_user, project, compound):
    line, _ = add_line(project, staff_user, compound, "roads_paving", quantity="300")
    assert (line.pipes_km, line.parking_spaces, line.lifts) == (0, 0, 0)


def test_a_count_that_is_not_whole_and_a_pipe_not_in_a_length_are_refused(staff_user, project, compound):
    with pytest.raises(ValidationError, match="“加装电梯”按部计数，工程量须为整数"):
        add_line(project, staff_user, compound, "lift_retrofit", quantity="1.5")
    with pytest.raises(ValidationError, match="单位须为 km 或 m"):
        services.scope_line_save(
            project=project, compound=compound, scope_item=ScopeItem.objects.get(code="gas_network"),
            quantity=Decimal("3"), unit="处", estimated_cost_yuan=Decimal("1"), user=staff_user,
        )
    assert not ScopeLine.objects.exists()


def test_editing_a_line_recorded_in_metres_keeps_its_unit(client, staff_user, project, compound):
    gas = ScopeItem.objects.get(code="gas_network")
    line, _ = services.scope_line_save(
        project=project, compound=compound, scope_item=gas, quantity=Decimal("500"), unit="m",
        estimated_cost_yuan=Decimal("1"), user=staff_user,
    )
    client.force_login(staff_user)
    response = client.post(reverse("scope_line_edit", args=[project.pk, line.pk]), {
        "compound": compound.pk, "scope_item": gas.pk, "quantity": "1200", "estimated_cost_yuan": "1",
    })
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.unit, line.pipes_km) == ("m", Decimal("1.200"))
