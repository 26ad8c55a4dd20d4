"""Stored per-town totals of what is recorded (communities.models.TownTotals), kept in step by services.

Counting a million households on every home-page request costs hundreds of milliseconds; counting one
town's after a write costs a few. Every service that adds, removes or changes compounds, buildings or
households calls town_totals_refresh for the towns it touched, inside its own transaction, so the
stored figures change in the same commit as the rows they count. recorded_totals() sums the stored
rows (one small query).
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from jingyuan_renovation.dates import end_of_day

from .models import Building, Compound, Household, Town, TownTotals

VERDICT_FIELDS = ("eligible", "relaxed", "ineligible", "incomplete", "pending_site", "not_assessed")
_FIELDS = ("compounds", "compounds_with_floor_area", "floor_area_m2", "buildings", "households", *VERDICT_FIELDS)


def _counted(town_ids: list[int], *, Compound=Compound, Building=Building,  # noqa: N803 (models)
             Household=Household) -> dict[tuple[int, bool], dict]:
    """Live counts per (town, is_demo) for the given towns: three grouped queries, each bounded by the towns.

    The models are parameters so the migration that creates the table can fill it with its own models.
    """
    figures: dict[tuple[int, bool], dict] = {}

    def entry(town_id, is_demo):
        return figures.setdefault((town_id, is_demo), {"compounds": 0, "compounds_with_floor_area": 0,
                                                       "floor_area_m2": Decimal("0"), "buildings": 0,
                                                       "households": 0, **dict.fromkeys(VERDICT_FIELDS, 0)})

    compounds = (Compound.objects.filter(town_id__in=town_ids).values("town_id", "is_demo")
                 .annotate(n=Count("id"), with_area=Count("id", filter=Q(floor_area_m2__isnull=False)),
                           area=Sum("floor_area_m2")).order_by())
    for row in compounds:
        figure = entry(row["town_id"], row["is_demo"])
        figure.update(compounds=row["n"], compounds_with_floor_area=row["with_area"],
                      floor_area_m2=row["area"] or Decimal("0"))
    verdicts = (Compound.objects.filter(town_id__in=town_ids).values("town_id", "is_demo", "assessment__verdict")
                .annotate(n=Count("id")).order_by())
    for row in verdicts:
        entry(row["town_id"], row["is_demo"])[row["assessment__verdict"] or "not_assessed"] = row["n"]
    buildings = (Building.objects.filter(compound__town_id__in=town_ids)
                 .values("compound__town_id", "compound__is_demo").annotate(n=Count("id")).order_by())
    for row in buildings:
        entry(row["compound__town_id"], row["compound__is_demo"])["buildings"] = row["n"]
    households = (Household.objects.filter(building__compound__town_id__in=town_ids)
                  .values("building__compound__town_id", "building__compound__is_demo")
                  .annotate(n=Count("id")).order_by())
    for row in households:
        entry(row["building__compound__town_id"], row["building__compound__is_demo"])["households"] = row["n"]
    return figures


def fill_from_migration(apps, schema_editor) -> None:
    """Data migration: store the totals of what an existing database already holds."""
    models = {name: apps.get_model("communities", name) for name in ("Compound", "Building", "Household")}
    town_ids = list(apps.get_model("communities", "Town").objects.values_list("id", flat=True))
    totals = apps.get_model("communities", "TownTotals")
    fields = {field.name for field in totals._meta.fields}  # an earlier migration's table lacks later columns
    now = timezone.now()
    totals.objects.all().delete()
    totals.objects.bulk_create(
        totals(town_id=town_id, is_demo=is_demo, refreshed_at=now,
               **{name: value for name, value in values.items() if name in fields})
        for (town_id, is_demo), values in sorted(_counted(town_ids, **models).items())
    )


@transaction.atomic
def town_totals_refresh(*, town_ids: Iterable[int] | None = None) -> None:
    """Recount the given towns (all towns when None) and store the figures, real and demo apart."""
    town_ids = sorted(set(town_ids)) if town_ids is not None else list(Town.objects.values_list("id", flat=True))
    if not town_ids:
        return
    figures = _counted(town_ids)
    now = timezone.now()
    TownTotals.objects.filter(town_id__in=town_ids).delete()
    TownTotals.objects.bulk_create(
        TownTotals(town_id=town_id, is_demo=is_demo, refreshed_at=now, **values)
        for (town_id, is_demo), values in sorted(figures.items())
    )


def verdict_totals(rows=None, *, town_id: int | None = None, is_demo: bool | None = None) -> dict[str, int]:
    """Compounds by verdict (and not assessed) from the stored rows (all, or a TownTotals queryset): every
    town, or one; real, demo or both."""
    rows = TownTotals.objects.all() if rows is None else rows
    if town_id is not None:
        rows = rows.filter(town_id=town_id)
    if is_demo is not None:
        rows = rows.filter(is_demo=is_demo)
    sums = rows.aggregate(**{name: Sum(name) for name in VERDICT_FIELDS})
    return {name: sums[name] or 0 for name in VERDICT_FIELDS}


def recorded_totals() -> dict[bool, dict]:
    """The stored totals over every town, keyed by is_demo: one query on a table of (towns × 2) rows."""
    empty = {name: Decimal("0") if name == "floor_area_m2" else 0 for name in _FIELDS}
    result = {False: dict(empty), True: dict(empty)}
    rows = TownTotals.objects.values("is_demo").annotate(**{name: Sum(name) for name in _FIELDS}).order_by()
    for row in rows:
        result[row["is_demo"]].update({name: row[name] for name in _FIELDS})
    return result


def recorded_as_of(cutoff=None) -> dict[bool, dict]:
    """What was recorded at the end of the cut-off day, keyed by is_demo (the figures recorded_totals gives).

    For today or later (or no cut-off) that is the stored totals. For an earlier day: compounds created
    by then (创建时间; their floor area as recorded now); buildings and households recorded by then (those
    whose first history row, written by every import and edit, is dated after the cut-off are left out);
    verdicts as the assessments' history had them then. A row deleted since is not counted: it is gone.
    """
    if cutoff is None or cutoff >= timezone.localdate():
        return recorded_totals()
    end = end_of_day(cutoff)
    empty = {name: Decimal("0") if name == "floor_area_m2" else 0 for name in _FIELDS}
    result = {False: dict(empty), True: dict(empty)}
    compounds = (Compound.objects.filter(created_at__lte=end).values("is_demo")
                 .annotate(n=Count("id"), with_area=Count("id", filter=Q(floor_area_m2__isnull=False)),
                           area=Sum("floor_area_m2")).order_by())
    for row in compounds:
        result[row["is_demo"]].update(compounds=row["n"], compounds_with_floor_area=row["with_area"],
                                      floor_area_m2=row["area"] or Decimal("0"))
    for model, name, demo_field in ((Building, "buildings", "compound__is_demo"),
                                    (Household, "households", "building__compound__is_demo")):
        later = model.history.filter(history_type="+", history_date__gt=end).values("id")
        for is_demo, n in (model.objects.exclude(id__in=later).values_list(demo_field)
                           .annotate(n=Count("id")).order_by()):
            result[is_demo][name] = n
    for verdict, is_demo, n in verdicts_as_of_rows(end):
        result[is_demo][verdict] = n
    for figures in result.values():
        figures["not_assessed"] = figures["compounds"] - sum(figures[v] for v in VERDICT_FIELDS if v != "not_assessed")
    return result


def verdicts_as_of_rows(end):
    """(verdict, is_demo, compounds) from the assessments as they stood at `end`, for compounds that existed then."""
    from .models import CompoundAssessment

    existing = Compound.objects.filter(created_at__lte=end).values("id")
    return (CompoundAssessment.history.as_of(end).filter(compound_id__in=existing)
            .values_list("verdict", "compound__is_demo").annotate(n=Count("id")).order_by())
