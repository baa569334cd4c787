"""What the search page keeps between requests (its suggestions, the spelling vocabulary) shows a curated
change on the next request and keeps drafts the staff's; on PostgreSQL, each row's stored search document
follows its text, and a search asks the indexes."""

import pytest
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.urls import reverse
from taggit.models import Tag

from learning.catalogue.search import CONFIG, DOCUMENTS, Query, StoredDocument, matches, planned_on_indexes
from learning.models import Topic
from tests.factories import ResourceFactory, StaffFactory, TopicFactory, TrackFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's search only")
SEARCH = reverse("learning:search")


def test_the_suggested_tracks_and_tags_follow_a_curated_change_at_once(client):
    track = TrackFactory(title="Backend developer", tags=["web"])
    html = client.get(SEARCH).content.decode()
    assert "Backend developer" in html
    assert "Go developer" not in html
    track.title = "Backend engineer"
    track.save()
    TrackFactory(title="Go developer", tags=["golang"])
    html = client.get(SEARCH, {"q": "zzzz"}).content.decode()
    assert "Backend engineer" in html
    assert "Go developer" in html
    assert ">golang <span" in html


@pytest.mark.parametrize("staff_first", [True, False], ids=["staff first", "visitor first"])
def test_suggested_drafts_are_the_staffs_whoever_comes_first(client, staff_first):
    TrackFactory(title="Published track")
    TrackFactory(title="Draft track", is_published=False)
    staff = StaffFactory()

    def as_staff():
        client.force_login(staff)
        assert "Draft track" in client.get(SEARCH).content.decode()
        client.logout()

    def as_visitor():
        html = client.get(SEARCH).content.decode()
        assert "Published track" in html
        assert "Draft track" not in html

    for step in (as_staff, as_visitor) if staff_first else (as_visitor, as_staff):
        step()


def test_a_new_word_is_known_to_the_spelling_at_once(client):
    TopicFactory(title="Docker")
    assert "did_you_mean" not in client.get(SEARCH, {"q": "kubernets"}).context
    TopicFactory(title="Kubernetes")
    assert client.get(SEARCH, {"q": "kubernets"}).context["did_you_mean"] == "kubernetes"


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
    loosened = Query.parse("postgress").allowing({})
    with planned_on_indexes(loosened):
        plan = matches(document, document.model.objects.all(), loosened, {1, 2}).explain()
    assert f"{document.key}_search_gin" in plan
    assert f"{document.key}_title_trgm" in plan
    assert "Seq Scan" not in plan


@on_postgresql
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: document.key)
def test_the_words_as_typed_ask_the_full_text_index_too(document):
    """A common word matches a tenth of a table: PostgreSQL would test every row's document for it."""
    typed = Query.parse("python")
    with planned_on_indexes(typed):
        plan = matches(document, document.model.objects.all(), typed, {1, 2}).explain()
    assert f"{document.key}_search_gin" in plan
    assert "Seq Scan" not in plan


def test_a_new_or_renamed_tag_finds_at_once(client):
    topic = TopicFactory(title="Containers", tags=["docker"])
    TopicFactory(title="Orchestration")
    assert hit_titles(client.get(SEARCH, {"q": "docker"}), "topic") == ["Containers"]
    topic.tags.add("kubernetes")
    assert hit_titles(client.get(SEARCH, {"q": "Kubernetes"}), "topic") == ["Containers"]
    tag = Tag.objects.get(slug="kubernetes")
    tag.name = "K8s"
    tag.save()
    assert hit_titles(client.get(SEARCH, {"q": "k8s"}), "topic") == ["Containers"]


def test_tagged_drafts_are_found_by_staff_only(client):
    TopicFactory(title="Published containers", tags=["docker"])
    TopicFactory(title="Draft containers", tags=["docker"], is_published=False)
    assert hit_titles(client.get(SEARCH, {"q": "docker"}), "topic") == ["Published containers"]
    client.force_login(StaffFactory())
    assert sorted(hit_titles(client.get(SEARCH, {"q": "docker"}), "topic")) == [
        "Draft containers",
        "Published containers",
    ]


def hit_titles(response, kind):
    group = next(group for group in response.context["groups"] if group.document.key == kind)
    return [hit.item.title for hit in group.hits]


@on_postgresql
def test_the_search_indexes_keep_no_pending_list():
    """New rows go straight into the GIN indexes (migration 0013): a search never reads a pending list."""
    names = [
        f"{model}_{kind}" for model in ("track", "topic", "resource") for kind in ("search_gin", "title_trgm")
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [names])
        options = dict(cursor.fetchall())
    assert options == {name: ["fastupdate=off"] for name in names}
