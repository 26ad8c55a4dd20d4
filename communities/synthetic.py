"""A large, visibly synthetic data set (合成小区-000001 …) for measuring the system at national size.

The 2023 national plan was 53,000 compounds and 8.65 million households (≈163 per compound);
Jingyuan's own is 46 / 170 / 6157. The generator draws buildings per compound and households per
building around those shapes. On PostgreSQL rows go in with COPY, elsewhere with bulk_create, in
batches so memory stays bounded. Rows are flagged is_demo and bypass the change history: they are
benchmark load, not anyone's edit.
"""

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import Consent
from .models import Building, Compound, Household, Town

SYNTHETIC_COUNTY_PREFIX = "合成县-"
SYNTHETIC_COMPOUND_PREFIX = "合成小区-"
COMPOUNDS_PER_TOWN = 60
BATCH = 2000
# Deficit and exclusion facts with the share of compounds that have each.
_FACT_COLUMNS = ["water_drainage_aged", "power_aged", "heating_aged", "not_metered_per_household",
                 "public_facilities_lacking", "roads_damaged", "no_natural_gas", "gas_or_telecom_needs_work",
                 "recently_renovated", "in_shantytown_plan", "other_fiscal_support", "already_renovated",
                 "fit_for_demolition"]
_FACT_SHARES = [0.6, 0.5, 0.4, 0.3, 0.5, 0.5, 0.3, 0.4, 0.2, 0.03, 0.02, 0.02, 0.0]
_CONSENTS = [Consent.AGREE.value] * 8 + [Consent.DISAGREE.value, Consent.UNDECIDED.value]


@dataclass
class SyntheticCounts:
    towns: int = 0
    compounds: int = 0
    buildings: int = 0
    households: int = 0
    seconds: float = 0.0


def _copy_rows(model, columns: list[str], rows: Iterator[tuple]) -> int:
    """COPY rows into the model's table (PostgreSQL), or bulk_create them (SQLite)."""
    count = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    model.objects.bulk_create(batch)
    return count + len(batch)


def synthetic_generate(*, compounds: int, seed: int = 1) -> SyntheticCounts:
    """Create `compounds` synthetic compounds with their buildings and households (same seed, same data)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    counts = SyntheticCounts()
    with transaction.atomic():
        offset = Compound.objects.filter(name__startswith=SYNTHETIC_COMPOUND_PREFIX).count()
        town_total = max(1, -(-compounds // COMPOUNDS_PER_TOWN))
        towns = []
        for index in range(town_total):
            town, created = Town.objects.get_or_create(
                county=f"{SYNTHETIC_COUNTY_PREFIX}{seed:02d}", name=f"合成镇-{seed:02d}-{index + 1:04d}")
            towns.append(town)
            counts.towns += created
        now = timezone.now()
        columns = ["town_id", "name", "address", "owner_work_unit", "build_year", "is_demo", "named_in_plan",
                   "renovated_content", "planned_content", "notes", "created_at", "updated_at",
                   *_FACT_COLUMNS]
        compound_rows = []
        for number in range(offset + 1, offset + compounds + 1):
            facts = tuple(rng.random() < share for share in _FACT_SHARES)
            compound_rows.append((
                towns[(number - offset - 1) % town_total].id, f"{SYNTHETIC_COMPOUND_PREFIX}{number:06d}",
                "合成地址（演示数据）", "", rng.randint(1975, 2003), True, False, "", "", "合成数据", now, now, *facts,
            ))
        counts.compounds = _copy_rows(Compound, columns, iter(compound_rows))
        compound_ids = list(
            Compound.objects.filter(name__in=[row[1] for row in compound_rows]).order_by("id")
            .values_list("id", "build_year")
        )

        plan: list[tuple[int, int, int, int, int]] = []  # compound, number, year, floors, units

        def building_rows():
            for compound_id, year in compound_ids:
                for number in range(1, rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 8, 8]) + 1):
                    floors, units = rng.choice([5, 6, 6, 7, 7]), rng.randint(1, 4)
                    plan.append((compound_id, number, year, floors, units))
                    yield (compound_id, f"{number}号楼", year, floors, units, floors * units * 2, "", "")

        counts.buildings = _copy_rows(
            Building, ["compound_id", "number", "build_year", "floors", "units", "household_count",
                       "structure_type", "notes"], building_rows())
        building_ids = dict(
            ((compound_id, number), pk) for pk, compound_id, number in
            Building.objects.filter(compound_id__in=[c for c, _ in compound_ids]).values_list(
                "id", "compound_id", "number").iterator(chunk_size=5000)
        )

        def household_rows():
            for compound_id, number, _year, floors, units in plan:
                building_id = building_ids[(compound_id, f"{number}号楼")]
                for unit in range(1, units + 1):
                    for floor in range(1, floors + 1):
                        for door in (1, 2):
                            yield (building_id, f"{unit}单元", f"{floor}0{door}",
                                   f"合成户主{building_id}-{unit}{floor}{door}", "",
                                   Decimal(rng.randrange(450, 1300)) / 10, rng.choice(_CONSENTS),
                                   rng.choice(_CONSENTS), "")

        counts.households = _copy_rows(
            Household, ["building_id", "unit", "room", "head_name", "phone", "floor_area_m2", "renovation_consent",
                        "lift_consent", "notes"], household_rows())
        _compound_totals_update(compound_ids=[c for c, _ in compound_ids])
    counts.seconds = time.perf_counter() - started
    return counts


def _compound_totals_update(*, compound_ids: list[int]) -> None:
    """Fill building/household counts and floor area of the new compounds from their rows (one UPDATE each)."""
    households = Household.objects.filter(building__compound_id=OuterRef("pk")).order_by().values(
        "building__compound_id")
    buildings = Building.objects.filter(compound_id=OuterRef("pk")).order_by().values("compound_id")
    for chunk_start in range(0, len(compound_ids), 5000):
        chunk = compound_ids[chunk_start:chunk_start + 5000]
        Compound.objects.filter(pk__in=chunk).update(
            building_count=Subquery(buildings.annotate(n=Count("id")).values("n")),
            household_count=Subquery(households.annotate(n=Count("id")).values("n")),
            floor_area_m2=Coalesce(Subquery(households.annotate(a=Sum("floor_area_m2")).values("a")), Decimal("0")),
        )
        Building.objects.filter(compound_id__in=chunk).update(
            floor_area_m2=Subquery(Household.objects.filter(building_id=OuterRef("pk")).order_by().values(
                "building_id").annotate(a=Sum("floor_area_m2")).values("a")),
        )
