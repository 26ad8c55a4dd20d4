import random
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from jingyuan_renovation.loading import LoadCounts, upsert

from .choices import Consent, StructureType
from .models import Building, Community, Compound, Household, Town

DEMO_PREFIX = "示例小区-"


def towns_load(*, towns: list[dict], counts: LoadCounts) -> dict[str, Town]:
    return {
        row["name"]: upsert(Town, lookup={"county": row["county"], "name": row["name"]}, values={},
                            counts=counts)
        for row in towns
    }


def named_compounds_load(*, compounds: list[dict], towns: dict[str, Town], counts: LoadCounts) -> None:
    """The three compounds the work plan names (四(一)); only their names are public, so no facts are set."""
    for row in compounds:
        upsert(Compound, lookup={"town": towns[row["town"]], "name": row["name"]},
               values={"named_in_plan": True}, counts=counts)


@transaction.atomic
def demo_compounds_create(*, town: Town, compounds: int = 12, seed: int = 2023) -> dict[str, int]:
    """Visibly synthetic compounds (示例小区-07), buildings and households for trying the system.

    Touches only rows flagged is_demo; real records are never read or changed. Re-running replaces
    the demo set with the same one (same seed).
    """
    rng = random.Random(seed)
    Compound.objects.filter(is_demo=True, town=town).delete()
    community, _ = Community.objects.get_or_create(town=town, name="示例社区")
    made = {"compounds": 0, "buildings": 0, "households": 0}
    for index in range(1, compounds + 1):
        year = rng.choice([1985, 1988, 1991, 1994, 1996, 1998, 1999, 2001, 2003])
        compound = Compound(
            town=town, community=community, name=f"{DEMO_PREFIX}{index:02d}", is_demo=True,
            address=f"示例路{index}号（演示数据）", owner_work_unit=f"示例单位{index:02d}（演示）",
            build_year=year, land_area_m2=Decimal(rng.randrange(3000, 20000)),
            water_drainage_aged=rng.random() < 0.6, power_aged=rng.random() < 0.5,
            heating_aged=rng.random() < 0.4, not_metered_per_household=rng.random() < 0.3,
            public_facilities_lacking=rng.random() < 0.5, roads_damaged=rng.random() < 0.5,
            no_natural_gas=rng.random() < 0.3, gas_or_telecom_needs_work=rng.random() < 0.4,
            recently_renovated=rng.random() < 0.2, in_shantytown_plan=index == 11,
            other_fiscal_support=False, already_renovated=False, fit_for_demolition=False,
            notes="演示数据，非真实小区",
        )
        compound.full_clean()
        compound.save()
        made["compounds"] += 1
        compound_households = 0
        compound_area = Decimal("0")
        for number in range(1, rng.randint(2, 5) + 1):
            floors, units = rng.choice([5, 6, 7]), rng.randint(1, 3)
            building = Building.objects.create(
                compound=compound, number=f"{number}号楼", build_year=year + rng.choice([0, 0, 1, 2]),
                floors=floors, units=units, structure_type=StructureType.BRICK_CONCRETE, has_lift=False,
            )
            made["buildings"] += 1
            households = []
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for door in (1, 2):
                        area = Decimal(rng.randrange(550, 1200)) / 10
                        households.append(Household(
                            building=building, unit=f"{unit}单元", room=f"{floor}0{door}",
                            head_name=f"示例户主{index:02d}{number}{unit}{floor}{door}",
                            phone=f"1000000{index:02d}{number}{unit}{floor}{door}"[:11],
                            floor_area_m2=area,
                            renovation_consent=rng.choices(list(Consent), weights=[8, 1, 1])[0],
                            lift_consent=rng.choices(list(Consent), weights=[5, 3, 2])[0],
                            willing_to_contribute=rng.random() < 0.4,
                        ))
            bulk_create_with_history(households, Household)
            building_area = sum((h.floor_area_m2 for h in households), Decimal("0"))
            building.household_count = len(households)
            building.floor_area_m2 = building_area
            building.save(update_fields=["household_count", "floor_area_m2"])
            made["households"] += len(households)
            compound_households += len(households)
            compound_area += building_area
        compound.building_count = number
        compound.household_count = compound_households
        compound.floor_area_m2 = compound_area
        compound.save(update_fields=["building_count", "household_count", "floor_area_m2"])
    return made
