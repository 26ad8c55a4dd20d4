"""The auditors' change history of every money record (who, when, old → new), filterable and exportable.

One list over the history tables of all money models (a UNION ordered by time), so the pages are
paginated in the database; old and new values come from the record before each entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, Value
from django.utils import timezone

from ui.people import display_name

from .models import (
    Allocation,
    BudgetLine,
    ConstructionCostApproval,
    Disbursement,
    Expenditure,
    FundingAccount,
    FundingSourceKind,
    Pledge,
    SourceClassRule,
)

MONEY_MODELS = {
    "budgetline": BudgetLine,
    "allocation": Allocation,
    "disbursement": Disbursement,
    "expenditure": Expenditure,
    "fundingaccount": FundingAccount,
    "pledge": Pledge,
    "constructioncostapproval": ConstructionCostApproval,
    "sourceclassrule": SourceClassRule,
}
_ACTIONS = {"+": "新建", "~": "修改", "-": "删除"}
_SKIPPED = {"id", "updated_at", "recorded_at"}


@dataclass
class MoneyChange:
    when: dt.datetime
    who: str
    model_label: str
    record: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def money_history_queryset(*, model: str = "", user=None, date_from: dt.date | None = None,
                           date_to: dt.date | None = None):
    """(history_id, history_date, kind) of every matching change, newest first: a UNION, pageable."""
    parts = []
    for key, money_model in MONEY_MODELS.items():
        if model and key != model:
            continue
        qs = money_model.history.all()
        if user is not None:
            qs = qs.filter(history_user=user)
        if date_from:
            qs = qs.filter(history_date__gte=_start_of(date_from))
        if date_to:
            qs = qs.filter(history_date__lt=_start_of(date_to + dt.timedelta(days=1)))
        parts.append(qs.annotate(kind=Value(key, output_field=CharField())).order_by()
                     .values_list("history_id", "history_date", "kind"))
    if not parts:
        return BudgetLine.history.none().values_list("history_id", "history_date")
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return union.order_by("-history_date", "-history_id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)


class _Labels:
    """Readable values for foreign keys (source names, project codes, users), a few queries per page."""

    def __init__(self, records):
        from projects.models import Programme, Project

        ids = defaultdict(set)
        for record in records:
            for name in ("project_id", "source_id", "programme_id", "created_by_id", "recorded_by_id"):
                value = getattr(record, name, None)
                if value is not None:
                    ids[name].add(value)
        users = ids["created_by_id"] | ids["recorded_by_id"]
        self.maps = {
            "project": dict(Project.objects.filter(pk__in=ids["project_id"]).values_list("pk", "code")),
            "source": dict(FundingSourceKind.objects.filter(pk__in=ids["source_id"]).values_list("pk", "name")),
            "programme": {p.pk: str(p.year) for p in Programme.objects.filter(pk__in=ids["programme_id"])},
            "user": {u.pk: display_name(u)
                     for u in get_user_model().objects.filter(pk__in=users)},
        }

    def value(self, name: str, raw):
        if name == "reverses" and raw is not None:
            return f"#{raw}"  # as the record column names rows
        key = {"created_by": "user", "recorded_by": "user"}.get(name, name)
        if key in self.maps and raw is not None:
            return self.maps[key].get(raw, raw)
        return raw


def _field_names(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in _SKIPPED]


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _raw(record, name: str, model):
    f = model._meta.get_field(name)
    value = getattr(record, f.attname)
    if f.choices and value is not None:
        return dict(f.flatchoices).get(value, value)
    return value


def money_changes(rows) -> list[MoneyChange]:
    """Turn (history_id, history_date, kind) rows into entries with old → new; queries per model, not per row."""
    wanted = defaultdict(list)
    for history_id, _, kind in rows:
        wanted[kind].append(history_id)
    records = {}
    previous = {}
    for kind, history_ids in wanted.items():
        model = MONEY_MODELS[kind]
        page = list(model.history.filter(history_id__in=history_ids).select_related("history_user"))
        object_ids = {r.id for r in page}
        # The whole (short) history of those records, to find the version before each entry.
        chain = defaultdict(list)
        for record in model.history.filter(id__in=object_ids).order_by("history_date", "history_id"):
            chain[record.id].append(record)
        for record in page:
            versions = chain[record.id]
            index = next(i for i, v in enumerate(versions) if v.history_id == record.history_id)
            records[(kind, record.history_id)] = record
            previous[(kind, record.history_id)] = versions[index - 1] if index else None
    labels = _Labels([*records.values(), *(p for p in previous.values() if p)])
    entries = []
    for history_id, _, kind in rows:
        record, before = records[(kind, history_id)], previous[(kind, history_id)]
        model = MONEY_MODELS[kind]
        changes = []
        for name in _field_names(model):
            old = labels.value(name, _raw(before, name, model)) if before is not None else None
            new = labels.value(name, _raw(record, name, model))
            if record.history_type == "-":
                old, new = new, None
            if record.history_type == "~" and old == new:
                continue
            if record.history_type == "+" and new in (None, ""):
                continue
            changes.append((_label(model, name), _shown(old), _shown(new)))
        user = record.history_user
        entries.append(MoneyChange(
            when=record.history_date,
            who=display_name(user),
            model_label=str(model._meta.verbose_name),
            record=_record_label(record, labels, model),
            action=("冲销" if record.history_type == "+" and getattr(record, "reverses_id", None)
                    else _ACTIONS.get(record.history_type, record.history_type)),
            reason=record.history_change_reason or "",
            changes=changes,
        ))
    return entries


def _record_label(record, labels: _Labels, model) -> str:
    parts = []
    if getattr(record, "project_id", None):
        parts.append(str(labels.value("project", record.project_id)))
    if getattr(record, "source_id", None):
        parts.append(str(labels.value("source", record.source_id)))
    for name in ("document_number", "voucher_number", "reference", "pledger"):
        if getattr(record, name, ""):
            parts.append(getattr(record, name))
    if hasattr(record, "funding_class") and record.funding_class:
        parts.append(_raw(record, "funding_class", model))
    return f"#{record.id} " + " ".join(str(p) for p in parts)
