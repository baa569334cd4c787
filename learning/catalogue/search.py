"""Search over tracks, topics and resources: one interface, two engines.

PostgreSQL: weighted full-text search (title over summary over body, every word matched as a prefix) ranked
by SearchRank; a loosened query (the search page's second try, when the words as typed find nothing) adds
trigram word similarity on titles so that a typo still finds ("postgress" → PostgreSQL). Each row keeps its
vector in a stored column, and GIN indexes back both (migrations 0005 and 0012). The trigram test is kept
for that second try because it costs: on 5,000 resources "python" took 11 ms with it, 2 ms without.
SQLite: every word of the query must appear in a title, summary, body or tag name; a title hit ranks above
a summary hit above a body hit.

On both, an item carrying a tag named by the whole query ("docker", "rest api") is found too, and ranks a
little higher. Matched items come back best first. A query may allow a word other spellings as well (the
search page asks so, with the corrections of catalogue.spelling, when the words as typed find nothing).
"""

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Expression, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Lower
from django.utils.text import slugify
from taggit.models import TaggedItem

from learning.catalogue.models import Resource, Topic, Track
from plumbing import cache_tokens
from plumbing.overlay import memo

QUERY_MAX_LENGTH = 200
MAX_TERMS = 8
CONFIG = "english"
# A title's trigram similarity counts for this much in the rank, so a near-miss title still ranks well.
TRIGRAM_WEIGHT = 0.5
TAG_WEIGHT = 0.3
STORED_DOCUMENT = "search_document"  # the column of migration 0012


@dataclass(frozen=True)
class Document:
    """What one model offers to search: its fields by weight (A title, B summary, C body)."""

    key: str
    label: str
    model: type[Track] | type[Topic] | type[Resource]
    title: str
    summary: str
    body: str
    body_is_markdown: bool = True


DOCUMENTS = (
    Document("track", "Tracks", Track, "title", "summary", "body"),
    Document("topic", "Topics", Topic, "title", "summary", "body"),
    Document("resource", "Resources", Resource, "title", "description", "author", body_is_markdown=False),
)
DOCUMENT_BY_KEY = {document.key: document for document in DOCUMENTS}


@dataclass(frozen=True)
class Query:
    text: str  # whitespace collapsed, control characters removed
    terms: tuple[str, ...]  # its words, lower-cased, without repeats
    # (word, another spelling it may match as well): none unless asked for with allowing().
    alternatives: tuple[tuple[str, str], ...] = ()
    loose: bool = False  # titles near the words match too (PostgreSQL's trigrams): set by allowing()

    @classmethod
    def parse(cls, raw: str) -> "Query":
        text = " ".join(re.sub(r"[\x00-\x1f\x7f\ud800-\udfff]", " ", raw).split())[:QUERY_MAX_LENGTH]
        terms = tuple(dict.fromkeys(word.lower() for word in re.findall(r"[^\W_]+", text)))[:MAX_TERMS]
        return cls(text=text, terms=terms)

    def __bool__(self):
        return bool(self.terms)

    def allowing(self, spellings: dict[str, str]) -> "Query":
        """The same query loosened: each word of `spellings` matching its other spelling too (letters and
        digits), and titles near the words matching as well."""
        return replace(self, alternatives=tuple(spellings.items()), loose=True)

    def spellings(self, term: str) -> tuple[str, ...]:
        return (term, *(other for word, other in self.alternatives if word == term))

    @property
    def words(self) -> tuple[str, ...]:
        """Every spelling the query matches, to mark in what it finds."""
        return (*self.terms, *(other for _, other in self.alternatives))


@contextmanager
def planned_on_indexes(query: "Query"):
    """PostgreSQL's planner prices a text-search or trigram test at almost nothing a row, so on tables of a
    few thousand rows it tests every row rather than ask the indexes: "python" over 5,000 resources took
    4.2 ms that way and 0.8 ms on the GIN and primary-key indexes; a loosened "postgress" 28 ms against 5 ms
    on the trigram index. A search's passes run in this block, which makes them ask: one transaction, with
    sequential scans priced out until it ends. SQLite: nothing."""
    if connection.vendor != "postgresql" or not query:
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield


def tagged_ids(query: Query) -> dict[str, set]:
    """Ids of items, by model name, carrying a tag named by the whole query: its name (as the database
    lower-cases it) or its slug. Read from TagIndex, kept per catalogue version."""
    index = tag_index()
    found: dict[str, set] = {}
    for named in (index.by_name.get(query.text.lower(), {}), index.by_slug.get(slugify(query.text), {})):
        for model_name, ids in named.items():
            found.setdefault(model_name, set()).update(ids)
    return found


@dataclass(frozen=True)
class TagIndex:
    """Every tagged item of the catalogue (drafts too: a search narrows to what the person may see), by the
    tag's lower-cased name and by its slug, then by model name."""

    by_name: dict[str, dict[str, frozenset[int]]]
    by_slug: dict[str, dict[str, frozenset[int]]]


def tag_index() -> TagIndex:
    """This process's TagIndex for the current catalogue version (one query to build)."""
    token = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    return memo(("search-tag-index", token), _tag_index)


def _tag_index() -> TagIndex:
    rows = (
        TaggedItem.objects.filter(content_type__app_label="learning")
        .annotate(name=Lower("tag__name"))
        .values_list("name", "tag__slug", "content_type__model", "object_id")
    )
    by_name: dict[str, dict[str, set[int]]] = {}
    by_slug: dict[str, dict[str, set[int]]] = {}
    for name, slug, model_name, object_id in rows:
        by_name.setdefault(name, {}).setdefault(model_name, set()).add(object_id)
        by_slug.setdefault(slug, {}).setdefault(model_name, set()).add(object_id)

    def frozen(index):
        return {
            key: {model: frozenset(ids) for model, ids in models.items()} for key, models in index.items()
        }

    return TagIndex(frozen(by_name), frozen(by_slug))


def loosening_helps(spellings: dict[str, str]) -> bool:
    """Whether a loosened query can find what the words as typed didn't: with other spellings to allow, or on
    PostgreSQL, whose loosened query also matches titles near the words."""
    return bool(spellings) or connection.vendor == "postgresql"


def matches(document: Document, queryset, query: Query, tagged: set):
    """The items of the queryset matching the query, annotated with `rank`, best first."""
    if connection.vendor == "postgresql":
        ranked = _postgres(document, queryset, query, tagged)
    else:
        ranked = _fallback(document, queryset, query, tagged)
    return ranked.order_by("-rank", document.title, "pk")


def _tag_bonus(tagged: "AmongIds"):
    return Case(When(tagged, then=Value(TAG_WEIGHT)), default=Value(0.0), output_field=FloatField())


def _postgres(document, queryset, query, tagged):
    search_query = SearchQuery(tsquery_text(query), search_type="raw", config=CONFIG)
    found = Q(search_document=search_query)
    rank = SearchRank(F("search_document"), search_query) + _tag_bonus(AmongIds(tagged))
    if query.loose:
        found |= Q(**{f"{document.title}__trigram_word_similar": query.text})
        rank += TRIGRAM_WEIGHT * TrigramWordSimilarity(query.text, document.title)
    if tagged:
        found |= Q(AmongIds(tagged))
    return queryset.alias(search_document=StoredDocument()).filter(found).annotate(rank=rank)


class AmongIds(Expression):
    """Whether the row's primary key is one of `ids`, passed as one text parameter (a PostgreSQL array literal
    cast to an array; a JSON list that SQLite reads with json_each) rather than a parameter per id, each of
    which Django would prepare and the driver splice into the statement (a tag can be on hundreds of
    resources). The text is also what the expression is equal and hashed by: Django compares and hashes
    expressions while it compiles a query, and a list of hundreds of ids made that a millisecond a search."""

    output_field = BooleanField()

    def __init__(self, ids):
        super().__init__()
        self.ids = json.dumps(sorted(ids))  # "[3, 12]": JSON for SQLite; PostgreSQL reads it bracketed

    def __eq__(self, other):
        return isinstance(other, AmongIds) and other.ids == self.ids

    def __hash__(self):
        return hash((AmongIds, self.ids))

    def _column(self, compiler, connection) -> str:
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(compiler.query.model._meta.pk.column)}"

    def as_sql(self, compiler, connection):
        literal = "{" + self.ids[1:-1] + "}"  # the ids are integers: "[3, 12]" → "{3, 12}"
        return f"{self._column(compiler, connection)} = ANY(%s::bigint[])", [literal]

    def as_sqlite(self, compiler, connection, **extra_context):
        column = self._column(compiler, connection)  # names quoted by Django; the ids are a parameter
        return f"{column} IN (SELECT value FROM json_each(%s))", [self.ids]  # noqa: S608


class StoredDocument(Expression):
    """A row's weighted full-text vector (title A, summary B, body C, English stemming), which PostgreSQL
    keeps in the column `search_document` of each searchable table and indexes (migration 0012): matching
    and ranking read it instead of stemming every text they look at."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(STORED_DOCUMENT)}", []


def tsquery_text(query: Query) -> str:
    """The query as PostgreSQL's to_tsquery reads it: every word, as a prefix ("postgres" finds "PostgreSQL",
    "kube" finds "Kubernetes"), or one of its other spellings. The words are letters and digits only, so they
    cannot carry tsquery syntax."""
    return " & ".join(_any_of(query.spellings(term)) for term in query.terms)


def _any_of(spellings):
    prefixes = " | ".join(f"{spelling}:*" for spelling in spellings)
    return f"({prefixes})" if len(spellings) > 1 else prefixes


# Where a word was found decides its weight in the SQLite fallback's rank.
FALLBACK_WEIGHTS = (("title", 4), ("summary", 2), ("body", 1))


def _fallback(document, queryset, query, tagged):
    fields = {part: getattr(document, part) for part, _ in FALLBACK_WEIGHTS}
    found = Q()
    rank: Expression = Value(0.0, output_field=FloatField())
    for term in query.terms:
        spellings = query.spellings(term)
        found &= _in_any(fields.values(), spellings)
        rank += Case(
            *(When(_in_any([fields[part]], spellings), then=weight) for part, weight in FALLBACK_WEIGHTS),
            default=0,
            output_field=IntegerField(),
        )
    among = AmongIds(tagged)
    if tagged:
        found |= Q(among)
    return queryset.filter(found).annotate(rank=rank + _tag_bonus(among))


def _in_any(fields, spellings) -> Q:
    """Any of the spellings in any of the fields (case-insensitive)."""
    pairs = ((f"{field}__icontains", spelling) for field in fields for spelling in spellings)
    return Q(*pairs, _connector=Q.OR)
