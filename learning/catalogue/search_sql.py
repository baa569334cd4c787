"""The search page's top hits on PostgreSQL as hand-written SQL (plumbing.sql), the three types in one batch.

Through the ORM, each type's ranked query took about 1.8 ms of Python to build and compile, more than the
database took to run it (5.4 ms for the three against 1–3 ms). These statements say what
learning.catalogue.search's querysets say (`matches` with the count over all matches, `search_groups`),
column for column and in the same order; tests/learning/test_search_sql.py compares the two over many
queries. The SQLite fallback and the pages of one type keep the querysets.
"""

from django.db import connection

from learning.catalogue.search import (
    CONFIG,
    DOCUMENTS,
    STORED_DOCUMENT,
    TAG_WEIGHT,
    TRIGRAM_WEIGHT,
    Document,
    Query,
    tsquery_text,
)
from plumbing.sql import Read


def quote(name: str | None) -> str:
    return connection.ops.quote_name(str(name))


# The batch runs with sequential scans priced out, as search.planned_on_indexes does for the querysets.
INDEX_PLANNING = {"enable_seqscan": "off"}


def top_hits_reads(query: Query, tagged: dict[str, set], *, drafts: bool, hits: int) -> list[Read]:
    """For each type of DOCUMENTS, a read of (how many items match, the first `hits` of them, best first).
    `tagged`: ids by model name of the items carrying a tag the whole query names (search.tagged_ids);
    `drafts`: whether unpublished items count (staff)."""
    params = {"config": CONFIG, "words": tsquery_text(query), "text": query.text, "hits": hits}
    return [_top_hits(document, query, tagged, drafts=drafts, params=params) for document in DOCUMENTS]


def _top_hits(
    document: Document, query: Query, tagged: dict[str, set], *, drafts: bool, params: dict
) -> Read:
    meta = document.model._meta
    tagged_ids = tagged.get(meta.model_name or "", set())
    among = f"%(tagged_{document.key})s::bigint[]"
    title = quote(next(field.column for field in meta.concrete_fields if field.name == document.title))
    rank = (
        f"ts_rank({STORED_DOCUMENT}, to_tsquery(%(config)s::regconfig, %(words)s))"
        f" + (CASE WHEN id = ANY({among}) THEN {TAG_WEIGHT} ELSE 0.0 END)::double precision"
    )
    found = [f"{STORED_DOCUMENT} @@ to_tsquery(%(config)s::regconfig, %(words)s)"]
    if query.loose:  # titles near the words match too, and rank by how near
        rank = f"({rank}) + ({TRIGRAM_WEIGHT} * WORD_SIMILARITY(%(text)s, {title}))"
        found.append(f"{title} %%> %(text)s")
    if tagged_ids:
        found.append(f"id = ANY({among})")
    published = "" if drafts else "is_published AND "
    columns = ", ".join(f"t.{quote(field.column)}" for field in _read_fields(document.model))
    # The matches are ranked from their id, title and stored document; only the first few are read whole.
    statement = f"""
        WITH found AS MATERIALIZED (
            SELECT id, {title} AS title, {rank} AS rank FROM {meta.db_table}
            WHERE {published}({" OR ".join(found)})
        ), top AS (SELECT id, title, rank FROM found ORDER BY rank DESC, title, id LIMIT %(hits)s)
        SELECT {columns}, (SELECT COUNT(*) FROM found) FROM top JOIN {meta.db_table} t ON t.id = top.id
        ORDER BY top.rank DESC, top.title, top.id
    """  # noqa: S608 (the names are the models')
    literal = "{" + ",".join(str(pk) for pk in sorted(tagged_ids)) + "}"
    return Read(statement, params | {f"tagged_{document.key}": literal}, _parser(document))


def _read_fields(model) -> list:
    """The model's columns that come from the database as they are. One whose value a field converts on the
    way (`from_db_value`: the JSON of `replaces`) stays deferred: the search page shows none of them."""
    return [field for field in model._meta.concrete_fields if not hasattr(field, "from_db_value")]


def _parser(document: Document):
    model = document.model
    names = [field.attname for field in _read_fields(model)]

    def parse(rows: list[tuple]) -> tuple[int, list]:
        items = [model.from_db("default", names, row[:-1]) for row in rows]
        return (rows[0][-1] if rows else 0), items

    return parse
