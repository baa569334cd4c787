"""A topic's curated order and its Start here (TopicResource): ranking, positions, the admin, the migration."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F, Value
from django.urls import reverse

from learning.catalogue.models import curated_prior
from learning.models import Resource, Topic, TopicResource
from plumbing import cache_tokens
from tests.factories import RatingFactory, ResourceFactory, TopicFactory
from tests.learning.test_admin import inline

pytestmark = pytest.mark.django_db
RESOURCES = reverse("learning:resource_list")


def ranked(client, topic):
    return [
        resource.title for resource in client.get(topic.get_absolute_url()).context["topic"].ranked_resources
    ]


def rate(resource, *stars):
    for value in stars:
        RatingFactory(resource=resource, stars=value)


def start_here(topic, resource):
    TopicResource.objects.filter(topic=topic, resource=resource).update(is_start_here=True)


@pytest.fixture
def topic():
    """Four resources in curated order: their titles sort the other way, so the alphabet can't pass."""
    topic = TopicFactory(title="Caching")
    for title in ("D first", "C second", "B third", "A fourth"):
        ResourceFactory(title=title, kind="article", topics=[topic])
    return topic


def resource(title):
    return Resource.objects.get(title=title)


# ---------- positions


def test_a_resource_added_to_a_topic_goes_last(topic):
    late = ResourceFactory(title="Late")
    late.topics.add(topic)
    assert TopicResource.objects.get(topic=topic, resource=late).position == 4


def test_resources_added_together_to_one_topic_get_distinct_places():
    topic, first, second = TopicFactory(), ResourceFactory(), ResourceFactory()
    topic.resources.add(first, second)  # Django adds a set of ids: in no promised order
    links = dict(topic.resource_links.values_list("resource", "position"))
    assert set(links) == {first.pk, second.pk}
    assert sorted(links.values()) == [0, 1]


def test_the_database_refuses_two_start_heres_in_one_topic(topic):
    start_here(topic, resource("D first"))
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicResource.objects.filter(topic=topic, resource=resource("C second")).update(is_start_here=True)


def test_saving_and_deleting_a_link_moves_the_catalogue_token(topic):
    link = TopicResource.objects.get(topic=topic, resource=resource("A fourth"))
    for write in (lambda: link.save(), lambda: link.delete()):
        cache_tokens.forget_held()
        before = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
        write()
        cache_tokens.forget_held()
        assert cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE] != before


# ---------- ranking on a topic page


def test_without_ratings_a_topic_shows_the_curated_order_with_start_here_first(client, topic):
    assert ranked(client, topic) == ["D first", "C second", "B third", "A fourth"]
    start_here(topic, resource("B third"))
    assert ranked(client, topic) == ["B third", "D first", "C second", "A fourth"]
    html = client.get(topic.get_absolute_url()).content.decode()
    assert html.count("badge--start-here") == 1
    assert html.index("Start here") < html.index("D first")


def test_a_few_good_ratings_cannot_outrank_the_curated_first(client, topic):
    rate(resource("C second"), 5, 5, 5)
    rate(resource("A fourth"), 5, 5, 5, 5)
    assert ranked(client, topic)[0] == "D first"


def test_many_good_ratings_lift_a_lower_resource(client, topic):
    rate(resource("A fourth"), *([5] * 15 + [4] * 5))
    assert ranked(client, topic) == ["A fourth", "D first", "C second", "B third"]


def test_a_start_here_stays_first_until_its_ratings_are_clearly_worse(client, topic):
    start_here(topic, resource("B third"))
    rate(resource("D first"), *([5] * 30))
    rate(resource("B third"), 3, 2, 3, 3)  # four middling ratings: not enough to unpin it
    assert ranked(client, topic)[0] == "B third"
    rate(resource("B third"), 2)  # five ratings averaging 2.6: clearly worse
    assert ranked(client, topic)[:2] == ["D first", "C second"]


def test_the_prior_falls_with_the_position():
    topic = TopicFactory()
    ResourceFactory(topics=[topic])
    values = [TopicResource.objects.annotate(p=curated_prior(Value(n))).get().p for n in (0, 1, 4, 40)]
    assert values == pytest.approx([4.0, 3.6, 3.0, 2.0 + 8.0 / 44])


# ---------- /resources/ best rated


def test_best_rated_without_ratings_follows_the_curated_order_not_the_alphabet(client):
    python, go = TopicFactory(), TopicFactory()
    alpha = ResourceFactory(title=".NET home page", topics=[python])  # first in python, but second in go
    tutorial = ResourceFactory(title="The Python Tutorial", topics=[python])
    go_docs = ResourceFactory(title="Go documentation", topics=[go])
    alpha.topics.add(go)
    start_here(python, tutorial)
    TopicResource.objects.filter(topic=python).update(position=F("position") + 10)
    TopicResource.objects.filter(topic=python, resource=tutorial).update(position=0)
    TopicResource.objects.filter(topic=python, resource=alpha).update(position=1)
    # Best places: tutorial 0 (Start here), go_docs 0, alpha 1 (python) / 1 (go).
    titles = [r.title for r in client.get(RESOURCES).context["page"]]
    assert titles == [tutorial.title, go_docs.title, alpha.title]


# ---------- the admin, as a curator


def topic_form(topic, rows, initial):
    return {
        "title": topic.title,
        "slug": topic.slug,
        "summary": topic.summary,
        "body": topic.body,
        "tags": "",
        "is_published": "on",
        **inline("resource_links", rows, initial=initial),
        **inline("ready_checks", []),
        "_save": "Save",
    }


def link_rows(topic, changes):
    rows = []
    for link in topic.resource_links.order_by("position"):
        row = {"id": link.pk, "topic": topic.pk, "resource": link.resource_id, "position": link.position}
        row["is_start_here"] = link.is_start_here
        row.update(changes.get(link.resource.title, {}))
        rows.append(row)
    return rows


def order(topic):
    return [(link.resource.title, link.is_start_here) for link in topic.resource_links.order_by("position")]


def test_a_curator_swaps_positions_and_hands_start_here_over_in_one_save(curator_client, topic):
    start_here(topic, resource("D first"))
    rows = link_rows(
        topic,
        {
            "D first": {"position": 1, "is_start_here": False},
            "C second": {"position": 0, "is_start_here": True},
        },
    )
    url = reverse("admin:learning_topic_change", args=[topic.pk])
    response = curator_client.post(url, topic_form(topic, rows, initial=len(rows)))
    assert response.status_code == 302, response.context and response.context["errors"]
    assert order(topic) == [("C second", True), ("D first", False), ("B third", False), ("A fourth", False)]


def test_a_curator_cannot_mark_two_start_heres(curator_client, topic):
    rows = link_rows(topic, {"D first": {"is_start_here": True}, "B third": {"is_start_here": True}})
    url = reverse("admin:learning_topic_change", args=[topic.pk])
    response = curator_client.post(url, topic_form(topic, rows, initial=len(rows)))
    assert response.status_code == 200
    assert "Only one resource can be this topic" in response.content.decode()
    assert not TopicResource.objects.filter(is_start_here=True).exists()


def test_a_curator_moves_a_resource_up_with_the_move_button(curator_client, topic):
    link = TopicResource.objects.get(topic=topic, resource=resource("B third"))
    url = reverse("admin:learning_topic_move", args=[topic.pk, "topicresource", link.pk, "top"])
    response = curator_client.post(url)
    assert response.status_code == 302
    assert [title for title, _ in order(topic)] == ["B third", "D first", "C second", "A fourth"]
    page = curator_client.get(reverse("admin:learning_topic_change", args=[topic.pk])).content.decode()
    assert "reorder-button" in page
    assert "start here" in page.lower()


def test_attaching_topics_on_the_resource_page_keeps_places_and_appends_new_ones(curator_client, topic):
    other = TopicFactory(title="Other")
    ResourceFactory(topics=[other])
    moved = resource("C second")
    start_here(topic, moved)
    url = reverse("admin:learning_resource_change", args=[moved.pk])
    data = {
        "url": moved.url,
        "title": moved.title,
        "author": "",
        "description": "",
        "kind": moved.kind,
        "cost": moved.cost,
        "level": moved.level,
        "estimated_minutes": "",
        "topics": [topic.pk, other.pk],
        "tags": "",
        "is_published": "on",
        "_save": "Save",
    }
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    kept = TopicResource.objects.get(topic=topic, resource=moved)
    assert (kept.position, kept.is_start_here) == (1, True)
    assert TopicResource.objects.get(topic=other, resource=moved).position == 1


# ---------- the migration keeps the links


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_link_and_numbers_them_per_topic():
    executor = MigrationExecutor(connection)
    before = [("learning", "0008_rating_counted_stars")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldTopic, OldResource = old.get_model("learning", "Topic"), old.get_model("learning", "Resource")
    git = OldTopic.objects.create(slug="git", title="Git", summary="s")
    sql = OldTopic.objects.create(slug="sql", title="SQL", summary="s")
    book = OldResource.objects.create(url="https://example.com/book", title="Pro Git", kind="book")
    docs = OldResource.objects.create(url="https://example.com/docs", title="Reference", kind="docs")
    book.topics.add(git, sql)
    docs.topics.add(git)
    old_links = set(OldResource.topics.through.objects.values_list("id", "topic_id", "resource_id"))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # Forward to the latest migrations, not to a fixed one: the database must end as every later test
    # expects it (a transactional test's schema changes stay).
    executor.migrate(executor.loader.graph.leaf_nodes())

    links = TopicResource.objects.order_by("topic_id", "position")
    assert set(links.values_list("id", "topic_id", "resource_id")) == old_links
    # Numbered per topic as the old ranking broke ties: official docs first.
    assert [(link.topic_id, link.resource_id, link.position) for link in links] == [
        (git.pk, docs.pk, 0),
        (git.pk, book.pk, 1),
        (sql.pk, book.pk, 0),
    ]
    assert not links.filter(is_start_here=True).exists()
    assert list(Topic.objects.get(pk=git.pk).resources.order_by("title").values_list("pk", flat=True)) == [
        book.pk,
        docs.pk,
    ]
