"""Reading the change log: the filtered lines (one indexed query) and, for the lines shown, old → new.

Old and new values come from the history tables (django-simple-history): for each line, the history
row it points at and the row before it for the same record. Work per page is bounded by the kinds of
record on the page, never by the number of lines or by the length of a record's history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.formats import localize

from agencies.access import personal_value
from ui.people import display_name

from .models import Change
from .writer import history_model_of

# Residents' personal data in the history of their records: masked like the pages mask it.
PERSONAL_FIELDS = {"communities.household": {"head_name": "name", "phone": "phone"}}
# Columns that say nothing a reader needs (bookkeeping and stored digests).
SKIPPED_FIELDS = {"id", "updated_at", "created_at", "password", "last_login",
                  "username"}  # a login name is half a credential: people are named by display name
# Many-to-many fields some histories keep (a user's role groups), and how the log names them.
M2M_LABELS = {"groups": "角色"}
# A record's page, or the page of the project it belongs to: (URL name, attribute holding the id).
PAGES = {
    "communities.compound": ("communities:compound_detail", "id"),
    "communities.building": ("communities:building_detail", "id"),
    "communities.household": ("communities:household_detail", "id"),
    "communities.surveyupload": ("communities:survey_detail", "id"),
    "communities.compoundassessment": ("communities:compound_detail", "compound_id"),
    "communities.siteverification": ("communities:compound_detail", "compound_id"),
    "communities.eligibilityrelaxation": ("communities:compound_detail", "compound_id"),
    "agencies.duty": ("agencies:duty_detail", "id"),
    "projects.project": ("project_detail", "id"),
    "projects.reportrun": ("report_view", "id"),
}
PROJECT_PAGE = "project_detail"
MONEY_APP = "funding"
MONEY_PAGE = "funding:project_funding"
# The field that names a record best, tried in order; else its number.
LABEL_FIELDS = ("name", "code", "title", "original_name", "document_number", "voucher_number", "reference",
                "number", "text")


@dataclass
class LogLine:
    when: dt.datetime
    who: str
    object_type: str
    object_label: str
    url: str | None
    action: str
    reason: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def change_list():
    """Every line of the log, newest first (the order of the index `changelog_newest`)."""
    return Change.objects.select_related("user").order_by("-changed_at", "-id")


def type_label(object_type: str) -> str:
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except LookupError:  # a model removed since
        return object_type


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dt.datetime | dt.date):
        return localize(value)
    return str(value)


def _fields(model) -> list:
    """The model's fields its history keeps (a field excluded from the history has no old value)."""
    return [f for f in history_model_of(model).tracked_fields if f.name not in SKIPPED_FIELDS and f.editable]


class _Labels:
    """Readable values of foreign keys on a page: one query per kind of related record."""

    def __init__(self):
        self.wanted: dict = defaultdict(set)
        self.names: dict = {}

    def want(self, related_model, pk):
        if pk is not None:
            self.wanted[related_model].add(pk)

    def load(self):
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        for related_model, ids in self.wanted.items():
            if related_model is user_model:
                self.names[related_model] = {
                    u.pk: display_name(u) for u in user_model.objects.filter(pk__in=ids).only("first_name", "last_name")}
                continue
            label = _label_field(related_model)
            if label is None:
                continue
            self.names[related_model] = dict(related_model._default_manager.filter(pk__in=ids).order_by()
                                             .values_list("pk", label))

    def of(self, related_model, pk) -> str | None:
        if pk is None:
            return None
        name = self.names.get(related_model, {}).get(pk)
        return f"{name}" if name not in (None, "") else f"#{pk}"


def _label_field(model) -> str | None:
    names = {f.name for f in model._meta.concrete_fields}
    return next((name for name in LABEL_FIELDS if name in names), None)


def _value(record, f, labels: _Labels):
    raw = getattr(record, f.attname)
    if f.is_relation:
        return labels.of(f.related_model, raw)
    if f.choices and raw is not None:
        return dict(f.flatchoices).get(raw, raw)
    return raw


def _object_label(record) -> str:
    if hasattr(record, "first_name") and hasattr(record, "is_superuser"):  # an account: by display name
        return display_name(record)
    name = _label_field(type(record))
    if name and getattr(record, name, ""):
        text = str(getattr(record, name))
        return f"{text[:40]}" if len(text) <= 40 else f"{text[:40]}…"
    if hasattr(record, "unit") and hasattr(record, "room"):  # a household: its door, not its head's name
        return f"{record.unit} {record.room}".strip() or f"#{record.id}"
    return f"#{record.id}"


def _url(change: Change, record) -> str | None:
    page = PAGES.get(change.object_type)
    if page is not None:
        url_name, attribute = page
        if attribute == "id" and change.action == "-":
            return None  # the record is gone
        target = getattr(record, attribute, None) if record is not None else change.object_id
        return reverse(url_name, args=[target]) if target else None
    if change.project_id:
        url_name = MONEY_PAGE if change.object_type.startswith(f"{MONEY_APP}.") else PROJECT_PAGE
        return reverse(url_name, args=[change.project_id])
    return None


def change_lines(changes: Iterable[Change], *, viewer) -> list[LogLine]:
    """The lines for `changes` (already read, users selected), each with its fields' old → new values.

    Per kind of record on the page: one query for the history rows with the id of the row before each,
    one for those previous rows; then one query per kind of related record named in them."""
    changes = list(changes)
    by_type = defaultdict(list)
    for change in changes:
        by_type[change.object_type].append(change.history_id)
    records, previous, models = {}, {}, {}
    for object_type, history_ids in by_type.items():
        try:
            model = apps.get_model(object_type)
        except LookupError:
            continue
        historical = history_model_of(model)
        models[object_type] = model
        before = (historical._default_manager.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
                  .order_by("-history_id").values("history_id")[:1])
        page = list(historical._default_manager.filter(history_id__in=history_ids)
                    .annotate(previous_history_id=Subquery(before)))
        wanted = [r.previous_history_id for r in page if r.previous_history_id and r.history_type == "~"]
        earlier = historical._default_manager.in_bulk(wanted) if wanted else {}
        _attach_members(historical, [*page, *earlier.values()])
        for record in page:
            records[(object_type, record.history_id)] = record
            previous[(object_type, record.history_id)] = earlier.get(record.previous_history_id)
    labels = _Labels()
    for key, record in records.items():
        for f in _fields(models[key[0]]):
            if f.is_relation:
                labels.want(f.related_model, getattr(record, f.attname))
                if previous[key] is not None:
                    labels.want(f.related_model, getattr(previous[key], f.attname))
    labels.load()
    lines = []
    for change in changes:
        key = (change.object_type, change.history_id)
        record = records.get(key)
        model = models.get(change.object_type)
        lines.append(LogLine(
            when=change.changed_at, who=display_name(change.user), object_type=type_label(change.object_type),
            object_label=_object_label(record) if record is not None else f"#{change.object_id}",
            url=_url(change, record), action=change.get_action_display(),
            reason=(record.history_change_reason or "") if record is not None else "",
            changes=_changes(change, record, previous.get(key), model, labels, viewer) if record else [],
        ))
    return lines


def _changes(change, record, before, model, labels, viewer) -> list[tuple[str, str, str]]:
    personal = PERSONAL_FIELDS.get(change.object_type, {})
    rows = []
    for f in _fields(model):
        new = _value(record, f, labels)
        old = _value(before, f, labels) if before is not None else None
        if change.action == "-":
            old, new = new, None
        if change.action == "~" and (before is None or old == new):
            continue
        if change.action != "~" and old in (None, "") and new in (None, ""):
            continue
        if f.name in personal:
            old = personal_value(viewer, old or "", kind=personal[f.name], town_id=change.town_id) if old else old
            new = personal_value(viewer, new or "", kind=personal[f.name], town_id=change.town_id) if new else new
        try:
            label = str(model._meta.get_field(f.name).verbose_name)
        except FieldDoesNotExist:
            label = f.name
        rows.append((label, _shown(old), _shown(new)))
    for m2m in history_model_of(model)._history_m2m_fields:
        new = _members(record, m2m)
        old = _members(before, m2m) if before is not None else ""
        if change.action == "-":
            old, new = new, ""
        if old != new and (change.action != "~" or before is not None):
            rows.append((M2M_LABELS.get(m2m.name, str(m2m.verbose_name)), _shown(old), _shown(new)))
    return rows


def _attach_members(historical, records) -> None:
    """Read the many-to-many snapshots (a user's role groups) of `records`: one query per such field."""
    for m2m in historical._history_m2m_fields:
        target = m2m.m2m_reverse_field_name()
        snapshot = next(rel.related_model for rel in historical._meta.related_objects
                        if rel.field.name == "history" and target in {f.name for f in rel.related_model._meta.fields})
        names = defaultdict(list)
        for history_id, name in (snapshot._default_manager.filter(history_id__in=[r.history_id for r in records])
                                 .values_list("history_id", f"{target}__name")):
            names[history_id].append(str(name))
        for record in records:
            record.__dict__.setdefault("_members", {})[m2m.name] = "、".join(sorted(names[record.history_id]))


def _members(record, m2m) -> str:
    """The names a history row's many-to-many snapshot holds (e.g. a user's role groups), sorted."""
    return record.__dict__.get("_members", {}).get(m2m.name, "")


def export_rows(changes, *, viewer, chunk: int = 500) -> Iterator[list]:
    """One spreadsheet row per changed field (a line without fields gets one row), `chunk` lines at a time."""
    batch = []
    for change in changes.iterator(chunk_size=chunk):
        batch.append(change)
        if len(batch) == chunk:
            yield from _rows_of(batch, viewer)
            batch = []
    if batch:
        yield from _rows_of(batch, viewer)


def _rows_of(batch, viewer):
    for line in change_lines(batch, viewer=viewer):
        head = [line.when, line.who, line.object_type, line.object_label, line.action]
        if not line.changes:
            yield [*head, "", "", "", line.reason]
        for label, old, new in line.changes:
            yield [*head, label, old, new, line.reason]
