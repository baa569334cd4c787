"""On PostgreSQL, each row's stored search document follows its text and ranks as the text's own vector,
and a search asks the indexes."""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection

from learning.catalogue.search import CONFIG, DOCUMENTS, Query, StoredDocument, matches, planned_on_indexes
from learning.models import Topic
from tests.factories import ResourceFactory, TopicFactory, TrackFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search only")


@on_postgresql
def test_a_stored_document_follows_its_rows_text():
    topic = TopicFactory(title="Queues", summary="Jobs for later.", body="Brokers and workers.")
    document = next(document for document in DOCUMENTS if document.key == "topic")

    def found(words):
        return list(matches(document, Topic.objects.all(), Query.parse(words), set()))

    assert found("brokers") == [topic]
    topic.body = "Schedulers and workers."
    topic.save()
    assert found("brokers") == []
    assert found("schedulers") == [topic]


@on_postgresql
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: document.key)
def test_stored_documents_rank_exactly_as_the_vector_of_their_text(document):
    factory = {"track": TrackFactory, "topic": TopicFactory, "resource": ResourceFactory}[document.key]
    for n in range(3):
        factory(
            **{
                document.title: f"Python caching {n}",
                document.summary: "Caching " * n + "with Python.",
                document.body: "Python " * (n + 1),
            }
        )
    query = SearchQuery("python:* & cach:*", search_type="raw", config=CONFIG)
    vector = (
        SearchVector(document.title, weight="A", config=CONFIG)
        + SearchVector(document.summary, weight="B", config=CONFIG)
        + SearchVector(document.body, weight="C", config=CONFIG)
    )
    ranks = document.model.objects.annotate(
        stored=SearchRank(StoredDocument(), query), computed=SearchRank(vector, query)
    ).values_list("stored", "computed")
    assert len(ranks) == 3
    assert all(stored == computed for stored, computed in ranks)


@on_postgresql
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: document.key)
def test_a_search_asks_the_indexes_even_of_a_small_table(document):
    """Without planned_on_indexes, PostgreSQL tests every row of a table this small."""
    with planned_on_indexes():
        plan = matches(document, document.model.objects.all(), Query.parse("postgress"), {1, 2}).explain()
    assert f"{document.key}_search_gin" in plan
    assert f"{document.key}_title_trgm" in plan
    assert "Seq Scan" not in plan
