import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.models import Building, Compound, Household

pytestmark = pytest.mark.django_db


def test_generates_visibly_synthetic_rows_with_consistent_totals():
    call_command("generate_synthetic", "--compounds", "25", "--seed", "7")
    compounds = Compound.objects.all()
    assert compounds.count() == 25
    assert all(c.is_demo and c.name.startswith("合成小区-") for c in compounds)
    for compound in compounds:
        assert compound.building_count == compound.buildings.count() > 0
        assert compound.household_count == Household.objects.filter(building__compound=compound).count()
    assert Building.objects.filter(floor_area_m2__isnull=True).count() == 0
    assert all(name.startswith("合成户主") for name in Household.objects.values_list("head_name", flat=True))


def test_same_seed_same_shape_and_a_second_run_adds_new_compounds():
    call_command("generate_synthetic", "--compounds", "5", "--seed", "7")
    households = Household.objects.count()
    call_command("generate_synthetic", "--compounds", "5", "--seed", "7")
    assert Compound.objects.count() == 10
    assert Compound.objects.filter(name="合成小区-000010").exists()
    assert Household.objects.count() == 2 * households


def test_refuses_a_non_positive_size():
    with pytest.raises(CommandError, match="正整数"):
        call_command("generate_synthetic", "--compounds", "0")
