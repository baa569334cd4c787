"""Server-side prepared statements for the hand-written statements (plumbing.sql) on PostgreSQL.

PostgreSQL parses and plans every statement it is sent, and the hottest reads are long UNION ALLs whose
planning cost more than running them: replaying many learners, 1.6 s of planning for 0.85 s of execution. A
prepared statement is parsed once per connection, and planned once too: the site's PostgreSQL connections set
plan_cache_mode=force_generic_plan (roadmap_site/settings.py), since the default kept planning the dashboard's
reads afresh (custom plans) on every run.

Django's cursor binds parameters on the client (psycopg's ClientCursor), whose statements psycopg never
prepares, and plumbing.sql sends several statements as one batch, which only the simple query protocol
allows. So the preparing is done in SQL: a statement's first run on a connection goes as `PREPARE name(types)
AS <the statement, $1 … $n>` followed by `EXECUTE name(<the parameters>)` in the same batch; every later run
as the EXECUTE alone, whose parameters psycopg formats as literals exactly as before. Everything still goes
through Django's cursor: the query log, the query counts and the request's deadline see one query as before.

The parameters' types are declared from their Python values (a value with no clear type, or None, leaves
that statement unprepared); a statement run with values of other types is another prepared statement. A
connection knows at most MAX_PER_CONNECTION of them; a new connection (CONN_MAX_AGE, a reconnect) starts with
none. PREPARE outlives a rolled-back transaction, so after a batch that failed, what the connection holds is
unknown: the next batch starts with DEALLOCATE ALL.

DATABASE_PREPARED_STATEMENTS=false turns this off (plumbing.sql.prepares_statements), for a pooler in
transaction mode (PgBouncer's default), which may run each statement on another server connection."""

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s|%%")
MAX_PER_CONNECTION = 200
# What each connection has prepared (by name), or None when a failed batch left that unknown.
_prepared: WeakKeyDictionary[Any, set[str] | None] = WeakKeyDictionary()


@dataclass(frozen=True)
class Form:
    """A statement as a prepared statement: its PREPARE and its EXECUTE, both with psycopg's placeholders."""

    name: str
    prepare: str
    execute: str


def pg_type(value: Any) -> str | None:
    """The type a parameter is declared with, from its Python value; None when it has no clear one."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    if isinstance(value, Decimal):
        return "numeric"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "timestamptz" if value.tzinfo is not None else "timestamp"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list | tuple) and value:
        types = {pg_type(item) for item in value}
        if len(types) == 1 and (single := types.pop()) is not None and not single.endswith("[]"):
            return f"{single}[]"
    return None


def form(statement: str, params: Sequence[Any] | Mapping[str, Any]) -> Form | None:
    """The prepared form of `statement` run with `params`, or None when it should run as it is."""
    if isinstance(params, Mapping):
        types = tuple(pg_type(params.get(name)) for name in _names(statement))
    else:
        types = tuple(pg_type(value) for value in params)
    if not types or None in types:
        return None
    return _form(statement, types)


@lru_cache(maxsize=512)
def _names(statement: str) -> tuple[str, ...]:
    """The named placeholders of a statement, each once, in order of first appearance."""
    return tuple(dict.fromkeys(name for name in PLACEHOLDER.findall(statement) if name))


@lru_cache(maxsize=512)
def _form(statement: str, types: tuple[str, ...]) -> Form | None:
    names = _names(statement)
    positional = iter(range(1, len(types) + 1))
    mixed = False

    def number(match: re.Match) -> str:
        nonlocal mixed
        if match.group(0) == "%%":
            return "%%"  # still formatted by psycopg, with the EXECUTE's parameters
        if match.group(1):
            return f"${names.index(match.group(1)) + 1}"
        if names:
            mixed = True
        return f"${next(positional, 0)}"

    body = PLACEHOLDER.sub(number, statement)
    if mixed:
        return None
    digest = hashlib.blake2b(f"{statement}\0{types}".encode(), digest_size=10).hexdigest()
    name = f"roadmap_{digest}"
    arguments = ", ".join([f"%({each})s" for each in names] or ["%s"] * len(types))
    return Form(
        name=name,
        prepare=f"PREPARE {name}({', '.join(types)}) AS {body}",
        execute=f"EXECUTE {name}({arguments})",
    )


def batch(raw_connection: Any, entries: Sequence[tuple[str, Form | None, bool]]) -> list[tuple[str, bool]]:
    """What to send on this connection for `entries`, each a statement, its prepared form (None: run it as it
    is) and whether its result is wanted: the statements to send in order, each with whether its result is
    one of the wanted ones. A DEALLOCATE ALL goes first when a failed batch left the connection's prepared
    statements unknown, a PREPARE before each EXECUTE the connection hasn't prepared yet."""
    known = _prepared.get(raw_connection, set())
    sent = []
    if known is None:
        sent.append(("DEALLOCATE ALL", False))
        known = set()
    for text, ready, wanted in entries:
        if ready is not None and ready.name not in known and len(known) < MAX_PER_CONNECTION:
            sent.append((ready.prepare, False))
            known.add(ready.name)
        sent.append((ready.execute if ready is not None and ready.name in known else text, wanted))
    _prepared[raw_connection] = known
    return sent


def forget(raw_connection: Any) -> None:
    """After a batch that failed: what the connection holds is unknown until a DEALLOCATE ALL."""
    _prepared[raw_connection] = None
