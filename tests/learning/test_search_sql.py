"""The search page's hand-written top hits (learning.catalogue.search_sql) find what the querysets they stand for
find, in the same order, with the same counts (PostgreSQL: elsewhere the querysets run)."""

import pytest
from django.db import connection
from django.db.models import Count, Window
from django.test.utils import CaptureQueriesContext

from learning.catalogue.search import DOCUMENTS, Query, matches, planned_on_indexes, tagged_ids
from learning.catalogue.search_sql import INDEX_PLANNING, top_hits_reads
from plumbing.sql import read_together
from tests.factories import ResourceFactory, TopicFactory, TrackFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the hand-written search is PostgreSQL's"),
]
HITS = 5


@pytest.fixture
def catalogue():
    """Items that tie, that differ by where a word is, that are tagged, unpublished, or near a typo."""
    TrackFactory(title="Python & Django", summary="Build web apps with Python.", tags=["python"])
    TrackFactory(title="Draft Python track", summary="Python again.", is_published=False)
    TrackFactory(title="Node.js", summary="JavaScript on the server.")
    for n in range(8):  # more than a page of hits, several with the same rank: the title and id decide
        TopicFactory(title=f"Python topic {n % 3}", summary="About Python.", body="Python code.")
    TopicFactory(title="PostgreSQL indexes", summary="B-trees and GIN.", tags=["databases"])
    TopicFactory(title="Caching", summary="Keep answers near.", body="Python has lru_cache.", tags=["python"])
    TopicFactory(title="Unpublished Python", is_published=False)
    for n in range(9):
        ResourceFactory(title=f"Python guide {n}", description="Learn Python." if n % 2 else "A guide.")
    ResourceFactory(title="Docker docs", description="Containers.", tags=["python", "docker"])
    ResourceFactory(title="Postgres tips", description="Indexes and plans.", tags=["databases"])
    ResourceFactory(title="Hidden Python", is_published=False)


QUERIES = [
    Query.parse("python"),
    Query.parse("Python guide"),
    Query.parse("pyth"),  # a prefix
    Query.parse("databases"),  # a tag's name: tagged items without the word
    Query.parse("docker containers"),
    Query.parse("nothing matches this"),
    Query.parse("postgress").allowing({}),  # loosened: near titles (trigrams)
    Query.parse("pyton gide").allowing({"pyton": "python", "gide": "guide"}),  # other spellings as well
]


def by_querysets(query: Query, *, drafts: bool):
    """What search_groups' querysets find: (count, [ids of the first hits]) per type."""
    tagged = tagged_ids(query)
    found = []
    with planned_on_indexes(query):
        for document in DOCUMENTS:
            queryset = document.model.objects.all() if drafts else document.model.objects.published()
            ranked = matches(document, queryset, query, tagged.get(document.model._meta.model_name, set()))
            top = list(ranked.annotate(found_in_all=Window(Count("pk")))[:HITS])
            found.append((top[0].found_in_all if top else 0, [item.pk for item in top]))
    return found


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("query", QUERIES, ids=lambda query: query.text + (" (loose)" if query.loose else ""))
@pytest.mark.parametrize("drafts", [False, True], ids=["published", "drafts too"])
def test_the_same_hits_in_the_same_order_as_the_querysets(query, drafts):
    reads = top_hits_reads(query, tagged_ids(query), drafts=drafts, hits=HITS)
    answers = read_together(*reads, planner=INDEX_PLANNING)
    assert [(count, [item.pk for item in top]) for count, top in answers] == by_querysets(
        query, drafts=drafts
    )


@pytest.mark.usefixtures("catalogue")
def test_the_hits_are_whole_items_in_one_round_trip():
    query = Query.parse("python")
    with CaptureQueriesContext(connection) as queries:
        (tracks, (_, topics), (count, resources)) = read_together(
            *top_hits_reads(query, tagged_ids(query), drafts=False, hits=HITS), planner=INDEX_PLANNING
        )
        # What the page shows of each hit is there without another query.
        shown = [
            (item.title, item.get_absolute_url(), item.is_published, item.created_at.tzinfo is not None)
            for item in [*tracks[1], *topics, *resources]
        ]
        details = [
            (item.url, item.kind, item.level, item.stack, item.estimated_minutes) for item in resources
        ]
    assert len(queries) == 2  # the tagged items (once per catalogue version) and the batch
    assert count == 10
    assert len(resources) == HITS
    assert all(published and aware for _, _, published, aware in shown)
    assert all(url.startswith("http") for url, *_ in details)


@pytest.mark.parametrize("loose", [False, True], ids=["as typed", "loosened"])
def test_the_statements_ask_the_indexes(loose):
    """As test_search's test of the querysets' plans: the full-text index, and the trigram one when loosened."""
    query = Query.parse("postgress")
    query = query.allowing({}) if loose else query
    plans = read_together(
        *(
            read.__class__(
                f"EXPLAIN {read.statement}", read.params, lambda rows: "\n".join(row[0] for row in rows)
            )
            for read in top_hits_reads(query, {}, drafts=True, hits=HITS)
        ),
        planner=INDEX_PLANNING,
    )
    for document, plan in zip(DOCUMENTS, plans, strict=True):
        assert f"{document.key}_search_gin" in plan
        assert (f"{document.key}_title_trgm" in plan) is loose
