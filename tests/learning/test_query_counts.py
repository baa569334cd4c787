"""Pages that list things run the same number of queries whatever the size of the data."""

import pytest
from django.db import connection
from django.urls import reverse

from learning.catalogue.queries import filter_resources
from learning.models import Resource
from tests.batches import read_together
from tests.factories import RatingFactory, ResourceFactory
from tests.learning.conftest import build_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]


PAGES = {
    "home": lambda track: "/",
    "track list": lambda track: reverse("learning:track_list"),
    "track": lambda track: track.get_absolute_url(),
    "topic": lambda track: track.steps.first().topic.get_absolute_url(),
    "topic in its track": lambda track: track.steps.last().topic.get_absolute_url() + f"?track={track.slug}",
    "resource list": lambda track: reverse("learning:resource_list"),
    "resource list filtered": lambda track: reverse("learning:resource_list") + "?kind=article&tag=docs",
    "resource list by rating": lambda track: reverse("learning:resource_list") + "?sort=bookmarked&tag=docs",
    "topic filtered": lambda track: (
        track.steps.first().topic.get_absolute_url() + "?kind=article&sort=newest"
    ),
    "resource": lambda track: track.steps.first().topic.resources.first().get_absolute_url(),
    "search": lambda track: reverse("learning:search") + "?q=topic",
    "search by tag, one type": lambda track: reverse("learning:search") + "?q=docs&type=resource&page=2",
    "search without results": lambda track: reverse("learning:search") + "?q=nothing+here",
    "search with a typo": lambda track: reverse("learning:search") + "?q=topik+develloper",
    "tag list": lambda track: reverse("learning:tag_list"),
    "tag": lambda track: reverse("learning:tag_detail", args=["fundamentals"]),
    "tag's resources": lambda track: reverse("learning:tag_detail", args=["docs"]),
    "tag's resources filtered, page 2": lambda track: (
        reverse("learning:tag_detail", args=["docs"]) + "?kind=article&level=beginner&sort=newest&page=2"
    ),
    "tag's resources best rated, out of range": lambda track: (
        reverse("learning:tag_detail", args=["docs"]) + "?sort=best&page=99"
    ),
}


# learning.catalogue.search.planned_on_indexes: one statement per pass of a search narrowed to one type, on
# PostgreSQL only.
SEARCH_PASS = 1 if connection.vendor == "postgresql" else 0
# When the words as typed find nothing, PostgreSQL tries again with titles near the words (a pass over the three
# types); SQLite tries again only with corrected spellings, which "nothing here" has none of.
LOOSENED_PASS = read_together(3) if connection.vendor == "postgresql" else 0

# A topic page's catalogue part (learning.catalogue.topic_sql): seven statements read together.
TOPIC_READ = read_together(7)

# The queries of each page rendered cold (nothing cached, PAGE_CACHE off): (for a visitor, for a curator).
# The same with a 2-topic track and with a 24-topic one and 30 more resources.
QUERIES = {
    "home": (4, 7),  # the curator follows no track: their record is read (one query), nothing more
    "track list": (1, 3),
    # A curator's record and goals (none) read together: one batch on PostgreSQL.
    "track": (6, 8 + read_together(2)),
    # A learner's own: their statuses (not their milestones: the page shows none), their bookmarks among the
    # listed resources, their ticks of its "You're ready when" checks and whether they wrote a note on it (none
    # here: its text isn't read) and the track containing it they followed first (none here), in one query
    # (topic_reads).
    # The catalogue part, read once per catalogue version: the topic, its tags, checks and tracks, its resources
    # with their ratings and bookmarks, their tags and the related topics, read together
    # (learning.catalogue.topic_sql), ranked in Python.
    # +1: the steps of the tracks containing it, all in one query, for the walks its shared copy carries
    # (learning.pages.views.walk_parts).
    "topic": (1 + TOPIC_READ, 4 + TOPIC_READ),
    # The same: the walked track's ordered steps (the previous and next step) are among those.
    "topic in its track": (1 + TOPIC_READ, 4 + TOPIC_READ),
    "resource list": (5, 7),
    "resource list filtered": (5, 7),
    "resource list by rating": (5, 7),
    # Filtered, the list is the queryset's (its ranking needs the site's mean rating): +2.
    "topic filtered": (3 + TOPIC_READ, 6 + TOPIC_READ),
    # The resource, its tags and topics, its ratings' spread and a page of reviews, read together
    # (learning.community.resource_sql); a learner's rating and bookmark, read together.
    "resource": (read_together(5), 2 + read_together(2) + read_together(5)),
    # Each type's top hits come with their count in one query; on PostgreSQL the three types' are one batch
    # (learning.catalogue.search_sql), which asks the planner to use the full-text and trigram indexes.
    "search": (2 + read_together(3), 4 + read_together(3)),
    # One type's page: its count and its page, in a transaction that asks for the indexes (SEARCH_PASS).
    "search by tag, one type": (5 + SEARCH_PASS, 7 + SEARCH_PASS),
    "search without results": (5 + read_together(3) + LOOSENED_PASS, 7 + read_together(3) + LOOSENED_PASS),
    # The catalogue's words for the corrections, the words as typed (nothing found), then the corrected ones
    # (the tagged items, read once per catalogue version, serve both passes).
    "search with a typo": (5 + 2 * read_together(3), 7 + 2 * read_together(3)),
    "tag list": (1, 3),
    "tag": (6, 8),
    "tag's resources": (8, 10),
    "tag's resources filtered, page 2": (8, 10),
    "tag's resources best rated, out of range": (8, 10),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("as_curator", [False, True], ids=["visitor", "curator"])
def test_queries_do_not_grow_with_the_data(client, curator, cold_get, page, as_curator):
    if as_curator:
        client.force_login(curator)
    queries = QUERIES[page][as_curator]
    small = build_track(2, slug="small", resources_per_topic=1)
    url = PAGES[page](small)
    client.get(url)  # warm up what lives for the whole process (content types)
    cold_get(client, url, queries)
    large = build_track(24, slug="large", resources_per_topic=3)
    for _ in range(30):
        ResourceFactory(tags=["docs"])
    cold_get(client, PAGES[page](large), queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans checked are PostgreSQL's")
def test_rankings_count_ratings_and_bookmarks_from_indexes():
    """Each ranked resource counts and sums its counted stars from the partial index rating_counted_stars
    (index-only once the table is vacuumed: see the README's Performance section), and its bookmarks from
    the foreign key's index; never by scanning the tables."""
    for resource in ResourceFactory.create_batch(3):
        RatingFactory.create_batch(2, resource=resource)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = filter_resources(Resource.objects.published(), prior_mean=3.0).explain()
    assert "Seq Scan on learning_rating" not in plan
    assert "Seq Scan on learning_bookmark" not in plan
    assert "Index Scan on rating_counted_stars" in plan or "using rating_counted_stars" in plan, plan
    assert "learning_bookmark_resource_id" in plan, plan
