"""Hand-written SQL for the few reads on the hottest pages, where building the query through the ORM cost
several times what running it did (the dashboard read seven querysets in about 11 ms of Python for 3 ms of
database time). Each such read is one plain statement with its values passed as parameters, never formatted
into the text. Most run unchanged on SQLite and PostgreSQL and their tests run them on both; the search's
(full text, trigrams) are PostgreSQL's own, and SQLite keeps the querysets there.

A page that needs several such reads runs them together (`read_together`): on PostgreSQL they go to the server
as one batch, one round trip for all (on this machine a round trip and its scheduling cost as much as running
a small statement); on SQLite, in the same process, one after another.

A raw cursor returns what the database driver gives: PostgreSQL's dates and aware datetimes; from SQLite,
dates and naive UTC datetimes for a plain column, ISO texts for an expression (MIN(day), a UNION's column).
`as_date` and `as_datetime` make each the value the ORM would have given."""

import re
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, overload

from django.conf import settings
from django.db import connection, transaction

from plumbing import prepared

Params = Sequence[Any] | Mapping[str, Any]  # %s placeholders take a sequence, %(name)s ones a mapping


def fetch_all(statement: str, params: Params = ()) -> list[tuple]:
    """Every row of one statement, as tuples; on PostgreSQL, as a prepared statement (plumbing.prepared)."""
    if not prepares_statements():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    (rows,) = run_batch([(statement, prepared.form(statement, params), True)], params)
    return rows


def run_batch(entries: Sequence[tuple[str, "prepared.Form | None", bool]], params: Params) -> list[list]:
    """PostgreSQL: the statements of `entries` (a statement, its prepared form or None, whether its rows are
    wanted) sent in one execute (one round trip) with `params`, as plumbing.prepared says; the wanted rows,
    in order."""
    with connection.cursor() as cursor:
        sent = prepared.batch(cursor.db.connection, entries)
        try:
            cursor.execute(";\n".join(text for text, _ in sent), params)
        except Exception:
            prepared.forget(cursor.db.connection)
            raise
        results = []
        for _, wanted in sent:
            if wanted:
                results.append(cursor.fetchall())
            cursor.nextset()
        return results


@dataclass(frozen=True)
class Read:
    """One hand-written statement, its parameters (named: `%(name)s`) and what its rows mean (`parse`)."""

    statement: str
    params: Mapping[str, Any]
    parse: Callable[[list[tuple]], Any]

    def run(self):
        return self.parse(fetch_all(self.statement, self.params))


def read_together(*reads: Read, planner: Mapping[str, str] | None = None) -> list:
    """Each read's answer, in order. On PostgreSQL with client-side binding (Django's default), the
    statements go as one batch and their results come back one after another (psycopg's multiple results):
    one round trip, which Django logs as one query. Elsewhere they run one by one. Parameters of the same
    name must have the same value in every read.

    `planner`: PostgreSQL planner settings ({"enable_seqscan": "off"}) that hold for these reads only: set
    LOCAL before them (a batch is one transaction; one by one, they run in one) and back to their defaults
    after them, should an outer transaction go on (the site sets none of them for a session). SQLite has
    no such settings and ignores them."""
    planner = dict(planner or {}) if connection.vendor == "postgresql" else {}
    for name, value in planner.items():
        if not (PLANNER_NAME.fullmatch(name) and PLANNER_VALUE.fullmatch(value)):
            raise ValueError(f"not a planner setting: {name!r} = {value!r}")
    setting = [f"SET LOCAL {name} = {value}" for name, value in planner.items()]
    resetting = [f"SET LOCAL {name} TO DEFAULT" for name in planner]
    if len(reads) + len(planner) < 2 or not batches_statements():
        with transaction.atomic(savepoint=False) if planner else nullcontext():
            run_each(setting)
            answers = [read.run() for read in reads]
            run_each(resetting)
        return answers
    params: dict[str, Any] = {}
    for read in reads:
        for name, value in read.params.items():
            if params.setdefault(name, value) != value:
                raise ValueError(f"two reads give the parameter {name!r} different values")
    # Reads under planner settings run as they are: a prepared statement's plan would outlive the settings.
    use_prepared = settings.DATABASE_PREPARED_STATEMENTS and not planner
    entries = [
        *((statement, None, False) for statement in setting),
        *(
            (read.statement, prepared.form(read.statement, read.params) if use_prepared else None, True)
            for read in reads
        ),
        *((statement, None, False) for statement in resetting),
    ]
    results = run_batch(entries, params)
    return [read.parse(rows) for read, rows in zip(reads, results, strict=True)]


# What a planner setting may be named and set to: written into the statement (SET takes no parameters).
PLANNER_NAME = re.compile(r"[a-z_]+")
PLANNER_VALUE = re.compile(r"[A-Za-z0-9_.]+")


def run_each(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def batches_statements() -> bool:
    """Whether several statements can go in one execute(): psycopg's client-side binding, which Django uses
    on PostgreSQL unless OPTIONS asks for server-side binding (whose prepared statements take one each)."""
    return connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    )


def prepares_statements() -> bool:
    """Whether the hand-written statements run as prepared statements (plumbing.prepared): wherever they
    batch, unless DATABASE_PREPARED_STATEMENTS turns it off."""
    return batches_statements() and settings.DATABASE_PREPARED_STATEMENTS


def field_names(model, wanted: set[str]) -> list[str]:
    """The wanted attribute names (`track_id`, not `track`) in the model's own order of fields: the order in
    which Model.from_db takes the values of a row that reads only these."""
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


def columns(alias: str, model, wanted: set[str]) -> str:
    """The select list of those fields' columns, of the table named `alias` in the statement."""
    return ", ".join(f"{alias}.{model._meta.get_field(name).column}" for name in field_names(model, wanted))


def from_row(model, wanted: set[str], values) -> Any:
    """A model instance from a row's values for `wanted` (in `columns` order); the other fields are left
    deferred, and reading one would run a query."""
    return model.from_db("default", field_names(model, wanted), values)


def instances(model, wanted: set[str]) -> Callable[[list[tuple]], tuple]:
    """A Read's parse for rows that are each one instance's `wanted` columns (from_row)."""
    return lambda rows: tuple(from_row(model, wanted, row) for row in rows)


@overload
def as_date(value: None) -> None: ...
@overload
def as_date(value: date | str) -> date: ...
def as_date(value):
    """A DateField's value read by a raw cursor: a date (PostgreSQL) or its ISO text (SQLite)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@overload
def as_datetime(value: None) -> None: ...
@overload
def as_datetime(value: datetime | str) -> datetime: ...
def as_datetime(value):
    """A DateTimeField's value read by a raw cursor: an aware datetime (PostgreSQL) or, from SQLite, the UTC
    time Django stored there, naive, as a datetime or its ISO text (with USE_TZ on, made aware in UTC as the
    ORM does)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if settings.USE_TZ and parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def date_param(value: date | None):
    """A DateField's value as a hand-written statement's parameter, stored as the ORM stores it."""
    return connection.ops.adapt_datefield_value(value)


def datetime_param(value: datetime | None):
    """A DateTimeField's value as a hand-written statement's parameter, stored as the ORM stores it: aware on
    PostgreSQL, the naive UTC time as text on SQLite (as_datetime reads either back)."""
    return connection.ops.adapt_datetimefield_value(value)
