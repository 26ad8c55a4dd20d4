"""Set-based writes (the survey import, bulk assessments): rows go in as tuples, their history rows are
copied by the database.

`bulk_create_with_history` builds a model instance per row and another per history row, and Django
prepares every value of both; at 100,000 households that was most of the write (issue #4). Here a
row is a tuple of column values, inserted with `executemany` (or COPY on PostgreSQL), and the
history rows (simple_history's tables: who, when, and the row as it now is, from which old and new
values are read) are written by one INSERT … SELECT from the rows just written.

Values are not validated here: the survey reader returns only values its columns' model fields
accept (tests/communities/test_survey_values.py holds the two together) and the database constraints
remain the last guard. Ids are taken before the insert (the PostgreSQL sequence; on SQLite the whole
database is locked by the writing transaction), so rows and their history are tied by id, never by
guessing which rows are new.
"""

import json

from django.conf import settings
from django.db import connection, models

from changelog.writer import index_bulk, index_returned, last_history_id

HISTORY_FIELDS = ("history_id", "history_date", "history_change_reason", "history_type", "history_user")
COPY_MIN_ROWS = 1000  # below this a plain INSERT is as quick and simpler to trace


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def defaults(model, *, now) -> dict[str, object]:
    """Each column's value for a new row that does not name it, ready for the database (attname → value)."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        stamped = isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)
        value = now if stamped else field.get_default()
        values[field.attname] = field.get_db_prep_save(value, connection)
    return values


def take_ids(model, count: int) -> list[int]:
    """`count` new primary keys for `model`, reserved for this transaction."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence looked up once: pg_get_serial_sequence inside the select ran once per row (a
            # tenth of the time for 100,000 ids).
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_quote(table), model._meta.pk.column])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The writing transaction holds SQLite's database lock (transaction_mode IMMEDIATE): nobody
            # else can take ids until it ends. AUTOINCREMENT never reuses an id: start above its counter.
            cursor.execute(f"SELECT max(id) FROM {_quote(table)}")
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(highest, row[0] if row else 0) + 1
            return list(range(first, first + count))
    raise NotImplementedError(f"no bulk id allocation for {connection.vendor}")


def insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in the order of `columns`, attnames, the primary key included)."""
    if not rows:
        return
    table = _quote(model._meta.db_table)
    db_columns = [model._meta.get_field(name).column if name != "id" else model._meta.pk.column for name in columns]
    names = ", ".join(_quote(column) for column in db_columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) >= COPY_MIN_ROWS:
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


def update(model, columns: list[str], rows: list[tuple]) -> None:
    """Set `columns` (attnames) of existing rows; each row is (the column values …, id)."""
    if not rows or not columns:
        return
    table = _quote(model._meta.db_table)
    assignments = ", ".join(f"{_quote(model._meta.get_field(name).column)} = %s" for name in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {_quote(model._meta.pk.column)} = %s",
                           rows)


def _ids_condition(column: str, ids: list[int]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN (SELECT value FROM json_each(%s))", [json.dumps(list(ids))]


def history(model, ids: list[int], *, history_type: str, user, now) -> None:
    """One simple_history row per id, holding the row as it now is: '+' created, '~' changed."""
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    historical = model.history.model
    tracked = [field.column for field in historical.tracked_fields]
    expected = set(tracked) | {historical._meta.get_field(name).column for name in HISTORY_FIELDS}
    actual = {field.column for field in historical._meta.concrete_fields}
    if actual != expected:  # a historical model with extra fields needs its own values: not handled here
        raise NotImplementedError(f"{historical.__name__} has columns {sorted(actual - expected)}")
    source = ", ".join(_quote(column) for column in tracked)
    target = ", ".join([source] + [_quote(historical._meta.get_field(name).column) for name in HISTORY_FIELDS[1:]])
    condition, params = _ids_condition(_quote(model._meta.pk.column), ids)
    date = historical._meta.get_field("history_date").get_db_prep_save(now, connection)
    insert_history = (
        f"INSERT INTO {_quote(historical._meta.db_table)} ({target}) "
        f"SELECT {source}, %s, NULL, %s, %s FROM {_quote(model._meta.db_table)} WHERE {condition} "
        f"ORDER BY {_quote(model._meta.pk.column)}")
    insert_params = [date, history_type, user.pk if user is not None else None, *params]
    if connection.vendor == "postgresql":
        # The history rows and their change-log lines in one statement: the lines are made from the rows the
        # INSERT returns, so the history table is not read back (see changelog.writer.index_returned).
        returned, index_statement, index_params = index_returned(model, source="written")
        with connection.cursor() as cursor:
            cursor.execute(f"WITH written AS ({insert_history} RETURNING {', '.join(returned)}) {index_statement}",
                           [*insert_params, *index_params])
        return
    after = last_history_id(model)
    with connection.cursor() as cursor:
        cursor.execute(insert_history, insert_params)
    # The change log's lines for this batch, set-based like the rows themselves.
    index_bulk(model, object_ids=ids, after_history_id=after)


def insert_instances(model, instances: list, *, user, now) -> None:
    """Insert new, unsaved `instances` of `model` (values as they stand, not validated) with their history
    rows; each gets its primary key."""
    if not instances:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    ids = take_ids(model, len(instances))
    rows = []
    for pk, instance in zip(ids, instances, strict=True):
        instance.pk = pk
        instance._state.adding, instance._state.db = False, connection.alias
        rows.append((pk, *[f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields]))
    insert(model, ["id", *[f.attname for f in fields]], rows)
    history(model, ids, history_type="+", user=user, now=now)


def update_instances(model, instances: list, field_names: list[str], *, user, now) -> None:
    """Save `field_names` of existing `instances` (not validated), with their history rows."""
    if not instances:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    update(model, [f.attname for f in fields],
           [(*[f.get_db_prep_save(getattr(i, f.attname), connection) for f in fields], i.pk) for i in instances])
    history(model, [i.pk for i in instances], history_type="~", user=user, now=now)
