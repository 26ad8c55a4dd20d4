"""Writing the change log's index: one `Change` row per history row, set-based.

Generic over every model django-simple-history tracks (a model registered tomorrow is covered without
a line here): the index row is built by one INSERT … SELECT from the history table itself, joined to
the record's parents for its town and project. A single save costs one statement (the receiver in
`changelog.signals`); a bulk batch of any size costs one statement too (`index_bulk`, called by
`communities.bulk.history`); `index_missing` fills in history written before the log existed.
"""

from django.apps import apps as global_apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

# Where a record's town is, tried in order on its history row (the row of a deleted record still holds
# its parents' ids): compounds and survey uploads name it, buildings and scope lines reach it through
# their compound, households through their building.
TOWN_PATHS = ("town", "compound__town", "building__compound__town")
# A project's own parts (steps, scope lines, tasks, documents, money) name it; the project is itself.
PROJECT_PATHS = ("project",)
PROJECT_MODEL = "projects.project"

_COLUMNS = ("object_type", "history_id", "object_id", "changed_at", "action", "user_id", "town_id", "project_id")


def object_type(model) -> str:
    return model._meta.label_lower


def tracked_models(registry=global_apps) -> list:
    """Every model whose changes simple-history records (the models, not their history models)."""
    found = []
    for model in registry.get_models():
        if hasattr(model._meta, "simple_history_manager_attribute"):
            found.append(model)
    return found


def history_model_of(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def _resolves(model, path: str) -> bool:
    current = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.many_to_many or field.one_to_many:
            return False
        current = field.related_model
    return True


def town_path(historical) -> str | None:
    return next((path for path in TOWN_PATHS if _resolves(historical, path)), None)


def project_path(historical, model_label: str) -> str | None:
    if model_label == PROJECT_MODEL:
        return "id"
    return next((path for path in PROJECT_PATHS if _resolves(historical, path)), None)


def _ids_in(ids) -> RawSQL:
    """`ids` as one parameter (a sub-select), whatever their number: no statement with 100,000 parameters."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])
    import json

    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(list(ids))])


def _insert_select(historical, label: str, queryset, *, missing_only: bool = False) -> int:
    """INSERT INTO changelog_change … SELECT from `queryset` of `historical` rows. Returns rows written."""
    from .models import Change

    town, project = town_path(historical), project_path(historical, label)
    null = Cast(models.Value(None), models.BigIntegerField())
    if missing_only:
        queryset = queryset.exclude(history_id__in=Change.objects.filter(object_type=label)
                                    .values("history_id"))
    select = queryset.order_by().values_list(
        Cast(models.Value(label), models.CharField(max_length=80)), "history_id", "id", "history_date",
        "history_type", "history_user_id", town or null, project or null)
    sql, params = select.query.sql_with_params()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Change._meta.get_field(name).column) for name in _COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(Change._meta.db_table)} ({columns}) {sql}", params)
        return cursor.rowcount


def index_record(history_instance) -> None:
    """Index one history row just written by simple-history (a save or a delete): one statement."""
    historical = type(history_instance)
    label = object_type(history_instance.instance_type)
    _insert_select(historical, label, historical._default_manager.filter(history_id=history_instance.history_id))


def last_history_id(model) -> int:
    """The highest history id of `model` so far: a bulk writer reads it before writing its batch."""
    historical = history_model_of(model)
    return historical._default_manager.aggregate(last=models.Max("history_id"))["last"] or 0


def index_bulk(model, *, object_ids, after_history_id: int) -> int:
    """Index the history rows a bulk writer has just written for `object_ids` (those after
    `after_history_id`): one INSERT … SELECT, no per-row query."""
    historical = history_model_of(model)
    rows = historical._default_manager.filter(history_id__gt=after_history_id, id__in=_ids_in(object_ids))
    return _insert_select(historical, object_type(model), rows)


def _path_sql(historical, path: str | None, source: str, alias: str) -> tuple[str, list[str], str | None]:
    """The SQL value of `path` read from `source` (a relation with the history table's columns), the LEFT
    JOINs it needs (as the ORM joins the path in `_insert_select`) and the first column it reads on `source`."""
    if path is None:
        return "NULL", [], None
    quote = connection.ops.quote_name
    parts = path.split("__")
    current, current_alias, joins, first = historical, source, [], None
    for depth, part in enumerate(parts):
        field = current._meta.get_field(part)
        first = first or field.column
        if depth == len(parts) - 1:
            return f"{current_alias}.{quote(field.column)}", joins, first
        target, target_alias = field.related_model, f"{alias}{depth}"
        joins.append(f"LEFT JOIN {quote(target._meta.db_table)} {target_alias} "
                     f"ON {target_alias}.{quote(field.target_field.column)} = {current_alias}.{quote(field.column)}")
        current, current_alias = target, target_alias
    raise AssertionError(path)


def index_returned(model, *, source: str) -> tuple[list[str], str, list]:
    """Index history rows as an INSERT … RETURNING hands them over, without reading the history table again.

    For a data-modifying WITH on PostgreSQL: `WITH source AS (INSERT INTO <history table> … RETURNING
    <columns>) <statement>`. Returns the columns the history INSERT must return, and the statement, with its
    parameters, that writes the same lines as `index_bulk` from `source`. (A statement cannot see the rows its
    own WITH inserts, and `index_bulk` reading them back by id scanned the whole history table per batch: the
    planner has no statistics for rows written in the same transaction.)
    """
    from .models import Change

    historical = history_model_of(model)
    label = object_type(model)
    quote = connection.ops.quote_name
    town_value, town_joins, town_column = _path_sql(historical, town_path(historical), source, "t")
    project_value, project_joins, project_column = _path_sql(historical, project_path(historical, label), source, "p")
    returned = ["history_id", "id", "history_date", "history_type", "history_user_id"]
    for column in (town_column, project_column):
        if column is not None and column not in returned:
            returned.append(column)
    columns = ", ".join(quote(Change._meta.get_field(name).column) for name in _COLUMNS)
    values = ", ".join(["%s::varchar(80)", *(f"{source}.{quote(c)}" for c in returned[:5]),
                        f"{town_value}::bigint", f"{project_value}::bigint"])
    statement = (f"INSERT INTO {quote(Change._meta.db_table)} ({columns}) SELECT {values} FROM {source} "
                 + " ".join([*town_joins, *project_joins]))
    return [quote(c) for c in returned], statement, [label]


def history_models(registry=global_apps) -> list[tuple[str, type]]:
    """(object type, history model) of every tracked model. With a migration's app registry (whose models
    carry no simple-history attributes), the history models are found by their shape instead."""
    if registry is global_apps:
        return [(object_type(model), history_model_of(model)) for model in tracked_models()]
    found = []
    for historical in registry.get_models():
        name = historical._meta.object_name
        if not name.startswith("Historical") or not any(f.name == "history_id" for f in historical._meta.fields):
            continue
        label = f"{historical._meta.app_label}.{name.removeprefix('Historical').lower()}"
        try:
            registry.get_model(label)
        except LookupError:  # history kept in another app than its model's (the user model's): left to
            continue         # `changelog_backfill`, which knows the real model
        found.append((label, historical))
    return found


def index_missing(registry=global_apps) -> dict[str, int]:
    """Index every history row not yet in the log (history older than the log, or written by a path
    that bypassed it, such as simple-history's own bulk_create_with_history): per tracked model one
    INSERT … SELECT. Idempotent."""
    written = {}
    for label, historical in history_models(registry):
        written[label] = _insert_select(historical, label, historical._default_manager.all(), missing_only=True)
    return written
