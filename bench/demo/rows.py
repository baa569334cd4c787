"""Writing rows without model instances: COPY on PostgreSQL, executemany elsewhere; reading back their ids."""

import itertools
from collections.abc import Iterable, Sequence

from django.db import connection

INSERT_BATCH = 10_000


class _Counted:
    def __init__(self, rows: Iterable[tuple]):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def insert_rows(model, field_names: Sequence[str], rows: Iterable[tuple]) -> int:
    """Inserts tuples of values (in `field_names` order) without model instances: COPY on PostgreSQL,
    executemany elsewhere. Other columns get their field's default, or the database's. Returns the count."""
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    rest = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.name not in field_names and not f.has_db_default()
    ]
    columns = [f.column for f in (*given, *rest)]
    tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    counted = _Counted(rows)
    if connection.vendor == "postgresql":
        _copy(meta.db_table, columns, counted, tail)
    else:
        _execute_many(meta.db_table, columns, _adapted(given, counted, tail))
    return counted.count


def _quoted_columns(table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return f"{quote(table)} ({', '.join(map(quote, columns))})"


def _copy(table: str, columns: Sequence[str], rows: Iterable[tuple], tail: tuple) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {_quoted_columns(table, columns)} FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row + tail)


def _adapted(given, rows: Iterable[tuple], tail: tuple):
    """Rows with datetimes as the backend stores them (SQLite's driver no longer adapts them itself)."""
    adapt = connection.ops.adapt_datetimefield_value
    datetimes = [index for index, f in enumerate(given) if f.get_internal_type() == "DateTimeField"]
    for row in rows:
        if datetimes:
            values = list(row)
            for index in datetimes:
                values[index] = adapt(values[index])
            row = tuple(values)
        yield row + tail


def _execute_many(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    placeholders = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO {_quoted_columns(table, columns)} VALUES ({placeholders})"  # noqa: S608
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, INSERT_BATCH)):
            cursor.executemany(statement, batch)


def _ids(queryset, keys: Sequence, *key_fields: str) -> list[int]:
    """The ids of the rows with these keys (one field's values, or tuples of several), in `keys`' order."""
    found = {
        (row[:-1] if len(key_fields) > 1 else row[0]): row[-1]
        for row in queryset.values_list(*key_fields, "pk")
    }
    return [found[key] for key in keys]
