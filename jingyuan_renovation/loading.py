"""Idempotent upsert by natural key, shared by the loaders of programme facts and demo data."""

from dataclasses import dataclass, field

from django.db import models


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_model: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, model: type[models.Model], outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        row = self.by_model.setdefault(model._meta.verbose_name, {"created": 0, "updated": 0, "unchanged": 0})
        row[outcome] += 1


def upsert(model: type[models.Model], *, lookup: dict, values: dict, counts: LoadCounts) -> models.Model:
    """Create the row, or update only the fields that differ, so a second run writes nothing.

    Saving only on change keeps the change history free of empty entries.
    """
    instance = model._default_manager.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        counts.add(model, "created")
        return instance
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        counts.add(model, "unchanged")
        return instance
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save()
    counts.add(model, "updated")
    return instance
