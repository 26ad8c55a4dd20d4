"""Database constraints guard what must never be false, and surface as Chinese messages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.models import Building, Compound, Household, Town

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return Town.objects.create(name="测试镇")


@pytest.fixture
def compound(town):
    return Compound.objects.create(town=town, name="测试小区-01")


@pytest.fixture
def building(compound):
    return Building.objects.create(compound=compound, number="1号楼")


def _violates(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_compound_name_is_unique_within_a_town_only(town, compound):
    _violates(lambda: Compound.objects.create(town=town, name="测试小区-01"))
    other = Town.objects.create(name="别的镇")
    assert Compound.objects.create(town=other, name="测试小区-01").pk


def test_duplicate_compound_gives_a_chinese_form_error(town, compound):
    with pytest.raises(ValidationError) as error:
        Compound(town=town, name="测试小区-01").full_clean()
    assert "同一乡镇内小区名称不能重复" in str(error.value)


def test_building_number_unique_within_compound(compound, building):
    _violates(lambda: Building.objects.create(compound=compound, number="1号楼"))


def test_household_unit_and_room_unique_within_building(building):
    Household.objects.create(building=building, unit="1单元", room="101")
    _violates(lambda: Household.objects.create(building=building, unit="1单元", room="101"))
    assert Household.objects.create(building=building, unit="2单元", room="101").pk


@pytest.mark.parametrize("field", ["land_area_m2", "floor_area_m2"])
def test_compound_areas_cannot_be_negative(town, field):
    _violates(lambda: Compound.objects.create(town=town, name="负面积", **{field: Decimal("-1.00")}))


def test_negative_area_is_a_chinese_form_error(town):
    with pytest.raises(ValidationError) as error:
        Compound(town=town, name="负面积", floor_area_m2=Decimal("-5")).full_clean()
    assert error.value.message_dict["floor_area_m2"] == ["确保该值大于或等于0。"]


@pytest.mark.parametrize("year", [1899, 2101])
def test_build_year_out_of_range_is_refused_by_the_database(town, year):
    _violates(lambda: Compound.objects.create(town=town, name="年份", build_year=year))


def test_household_consent_must_be_a_known_answer(building):
    _violates(lambda: Household.objects.create(building=building, unit="1", room="1", renovation_consent="maybe"))


def test_household_area_cannot_be_negative(building):
    _violates(lambda: Household.objects.create(building=building, unit="1", room="2",
                                               floor_area_m2=Decimal("-0.01")))


def test_counts_cannot_be_negative(compound):
    _violates(lambda: Building.objects.create(compound=compound, number="9", household_count=-1))


def test_unknown_facts_stay_unknown(town):
    compound = Compound.objects.create(town=town, name="未调查")
    assert compound.water_drainage_aged is None
    assert compound.in_shantytown_plan is None


def test_change_history_records_who_old_and_new(town, django_user_model):
    clerk = django_user_model.objects.create_user(username="clerk")
    compound = Compound.objects.create(town=town, name="历史小区", household_count=10)
    compound._history_user = clerk
    compound.household_count = 12
    compound.save()
    latest, previous = compound.history.all()[:2]
    assert (previous.household_count, latest.household_count) == (10, 12)
    assert latest.history_user == clerk
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("household_count", 10, 12)]
