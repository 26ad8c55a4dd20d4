import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from agencies.services import agencies_load, roles_sync
from communities.services import named_compounds_load, towns_load
from funding.services import funding_source_kinds_load
from jingyuan_renovation.loading import LoadCounts, upsert

from .models import Programme, ScopeItem

PROGRAMME_FILE = Path(settings.BASE_DIR) / "fixtures" / "programme_2023.json"


def _programme_values(row: dict) -> dict:
    values = {k: v for k, v in row.items() if k != "year"}
    for key in ("target_floor_area_m2", "target_budget_yuan"):
        values[key] = Decimal(values[key])
    for key in ("ready_deadline", "completion_deadline"):
        values[key] = dt.date.fromisoformat(values[key])
    return values


@transaction.atomic
def programme_load(*, path: Path = PROGRAMME_FILE) -> LoadCounts:
    """Load the work plan's facts (targets, deadlines, agencies, seats, duties, catalog, funding kinds).

    Idempotent: a second run finds every row unchanged and writes nothing. Only what the document
    states is loaded; the 43 unnamed compounds arrive through surveys.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = LoadCounts()
    roles_sync()
    row = data["programme"]
    programme = upsert(Programme, lookup={"year": row["year"]}, values=_programme_values(row), counts=counts)
    towns = towns_load(towns=data["towns"], counts=counts)
    named_compounds_load(compounds=data["named_compounds"], towns=towns, counts=counts)
    agencies_load(programme=programme, agencies=data["agencies"], seats=data["seats"], duties=data["duties"],
                  counts=counts)
    for item in data["scope_items"]:
        upsert(ScopeItem, lookup={"code": item["code"]},
               values={k: v for k, v in item.items() if k != "code"}, counts=counts)
    funding_source_kinds_load(kinds=data["funding_source_kinds"], counts=counts)
    return counts
