"""Compounds, buildings and households for view tests: visibly synthetic, built with factory_boy."""

from decimal import Decimal

import factory

from communities.models import Building, Compound, Household


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    name = factory.Sequence(lambda n: f"测试小区-{n:03d}")
    build_year = 1995
    floor_area_m2 = Decimal("1000.00")
    is_demo = False


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    number = factory.Sequence(lambda n: f"{n}号楼")
    build_year = 1995
    floors = 6


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1"
    room = factory.Sequence(lambda n: f"{n:03d}")
    head_name = factory.Sequence(lambda n: f"张测试{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    floor_area_m2 = Decimal("60.00")


def make_estate(*, town, compounds: int = 1, buildings: int = 1, households: int = 1, **compound_fields):
    """`compounds` compounds in `town`, each with `buildings` buildings of `households` households."""
    made = []
    for _ in range(compounds):
        compound = CompoundFactory(town=town, **compound_fields)
        for _ in range(buildings):
            building = BuildingFactory(compound=compound)
            HouseholdFactory.create_batch(households, building=building)
        made.append(compound)
    return made
