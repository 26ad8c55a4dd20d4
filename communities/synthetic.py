"""A large, visibly synthetic data set (合成小区-000001 …) for measuring the system at national size.

The 2023 national plan was 53,000 compounds and 8.65 million households (≈163 per compound);
Jingyuan's own is 46 / 170 / 6157 (≈134). The generator draws buildings per compound and households
per building around those shapes. Compounds are made in batches: each batch is planned in memory
(so totals are known before insert), then written with COPY on PostgreSQL or bulk_create elsewhere;
memory stays bounded by the batch. Rows are flagged is_demo and bypass the change history: they are
benchmark load, not anyone's edit.
"""

import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from .choices import Consent
from .models import Building, Compound, Household, Town
from .totals import town_totals_refresh

SYNTHETIC_COUNTY_PREFIX = "合成县-"
SYNTHETIC_COMPOUND_PREFIX = "合成小区-"
COMPOUNDS_PER_TOWN = 60
COMPOUNDS_PER_BATCH = 500
# Deficit and exclusion facts with the share of compounds that have each.
_FACT_COLUMNS = ["water_drainage_aged", "power_aged", "heating_aged", "not_metered_per_household",
                 "public_facilities_lacking", "roads_damaged", "no_natural_gas", "gas_supply_needs_work",
                 "telecom_needs_work",
                 "recently_renovated", "in_shantytown_plan", "other_fiscal_support", "already_renovated",
                 "fit_for_demolition"]
_FACT_SHARES = [0.6, 0.5, 0.4, 0.3, 0.5, 0.5, 0.3, 0.3, 0.3, 0.2, 0.03, 0.02, 0.02, 0.0]
_CONSENTS = [Consent.AGREE.value] * 8 + [Consent.DISAGREE.value, Consent.UNDECIDED.value]
_COMPOUND_COLUMNS = ["town_id", "name", "address", "owner_work_unit", "build_year", "is_demo", "named_in_plan",
                     "renovated_content", "planned_content", "notes", "created_at", "updated_at",
                     "building_count", "household_count", "floor_area_m2", *_FACT_COLUMNS]
_BUILDING_COLUMNS = ["compound_id", "number", "build_year", "floors", "units", "household_count",
                     "floor_area_m2", "structure_type", "notes"]
_HOUSEHOLD_COLUMNS = ["building_id", "unit", "room", "head_name", "phone", "floor_area_m2",
                      "renovation_consent", "lift_consent", "notes"]


@dataclass
class SyntheticCounts:
    towns: int = 0
    compounds: int = 0
    buildings: int = 0
    households: int = 0
    assessed: int = 0
    seconds: float = 0.0


def _write(model, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into the model's table (PostgreSQL), or bulk_create them elsewhere."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows],
                                  batch_size=2000)


def _plan_compound(rng: random.Random):
    """Buildings of one compound: (number, floors, units, [household areas])."""
    buildings = []
    for number in range(1, rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 8, 8]) + 1):
        floors, units = rng.choice([5, 6, 6, 7, 7]), rng.randint(1, 4)
        areas = [Decimal(rng.randrange(450, 1300)) / 10 for _ in range(floors * units * 2)]
        buildings.append((number, floors, units, areas))
    return buildings


def _batch(*, rng, towns, numbers: range, now, counts: SyntheticCounts) -> None:
    plans = {}
    compound_rows = []
    for number in numbers:
        name = f"{SYNTHETIC_COMPOUND_PREFIX}{number:06d}"
        buildings = _plan_compound(rng)
        plans[name] = (rng.randint(1975, 2003), buildings)
        facts = tuple(rng.random() < share for share in _FACT_SHARES)
        households = sum(len(b[3]) for b in buildings)
        area = sum((sum(b[3], Decimal(0)) for b in buildings), Decimal(0))
        compound_rows.append((towns[number % len(towns)].id, name, "合成地址（演示数据）", "", plans[name][0], True,
                              False, "", "", "合成数据", now, now, len(buildings), households, area, *facts))
    _write(Compound, _COMPOUND_COLUMNS, compound_rows)
    ids = dict(Compound.objects.filter(name__in=plans).values_list("name", "id"))
    building_rows = []
    for name, (year, buildings) in plans.items():
        for number, floors, units, areas in buildings:
            building_rows.append((ids[name], f"{number}号楼", year, floors, units, len(areas), sum(areas, Decimal(0)),
                                  "", ""))
    _write(Building, _BUILDING_COLUMNS, building_rows)
    building_ids = dict(((c, n), pk) for pk, c, n in Building.objects.filter(compound_id__in=ids.values())
                        .values_list("id", "compound_id", "number"))
    household_rows = []
    for name, (_year, buildings) in plans.items():
        for number, floors, units, areas in buildings:
            building_id = building_ids[(ids[name], f"{number}号楼")]
            index = 0
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for door in (1, 2):
                        household_rows.append((building_id, f"{unit}单元", f"{floor}0{door}",
                                               f"合成户主{building_id}-{unit}{floor}{door}", "", areas[index],
                                               rng.choice(_CONSENTS), rng.choice(_CONSENTS), ""))
                        index += 1
    _write(Household, _HOUSEHOLD_COLUMNS, household_rows)
    counts.compounds += len(compound_rows)
    counts.buildings += len(building_rows)
    counts.households += len(household_rows)


def synthetic_generate(*, compounds: int, seed: int = 1) -> SyntheticCounts:
    """Add `compounds` synthetic compounds with buildings and households (same seed, same shapes)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    counts = SyntheticCounts()
    now = timezone.now()
    with transaction.atomic():
        offset = Compound.objects.filter(name__startswith=SYNTHETIC_COMPOUND_PREFIX).count()
        last_id = Compound.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        towns = []
        for index in range(max(1, -(-compounds // COMPOUNDS_PER_TOWN))):
            town, created = Town.objects.get_or_create(
                county=f"{SYNTHETIC_COUNTY_PREFIX}{seed:02d}", name=f"合成镇-{seed:02d}-{index + 1:04d}")
            towns.append(town)
            counts.towns += created
        for start in range(offset + 1, offset + compounds + 1, COMPOUNDS_PER_BATCH):
            stop = min(start + COMPOUNDS_PER_BATCH, offset + compounds + 1)
            _batch(rng=rng, towns=towns, numbers=range(start, stop), now=now, counts=counts)
        town_totals_refresh(town_ids=[town.pk for town in towns])
        # As a survey import leaves them: every compound assessed against the rules, so the review queue,
        # the verdict counts and the dashboard carry a real data set's load.
        from .services import compounds_assess_many

        counts.assessed = len(compounds_assess_many(queryset=Compound.objects.filter(pk__gt=last_id).order_by("pk")))
    counts.seconds = time.perf_counter() - started
    return counts
