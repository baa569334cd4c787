"""A topic page's catalogue part as hand-written SQL (plumbing.sql), read in one round trip.

Through the ORM, the first request for a topic page under a catalogue version read the topic with its tags,
checks and tracks (four queries), its ranked resources (one query whose rating, bookmark and curated-place
subqueries took about 20 ms of Python to build and compile), the tags of its resources and the related
topics: some 50 ms in a slow spell, for a few milliseconds of database time. The mix of many learners asks
for the long tail of topics, and each such request paid it. These statements read the same rows (tests
compare them with the querysets they stand for: tests/learning/test_topic_sql.py) as seven statements of
one batch; the resources come with the facts their ranking needs, and the ranking, which depends on the
stack of the track the page is walked in, is done in Python (models.resources.rank_in_topic) rather than
once per stack in SQL. A list narrowed by the filters keeps the queryset (queries.topic_page).

The statements run unchanged on SQLite and PostgreSQL. Only the columns the page shows are read; the rest
of each model (its timestamps, `replaces`, the link checker's fields) is left deferred.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from taggit.models import Tag

from learning.catalogue.models import ReadyCheck, Resource, Stage, Step, Topic, Track
from learning.catalogue.tags_sql import tags_of
from plumbing.sql import Read, columns, from_row, instances, read_together

TOPIC_FIELDS = {"id", "title", "slug", "summary", "body", "hours", "is_published"}
TRACK_FIELDS = {"id", "title", "slug", "position", "stack", "is_published"}
STAGE_FIELDS = {"id", "track_id", "slug", "title", "duration", "position"}
STEP_FIELDS = {"id", "track_id", "stage_id", "topic_id", "position", "is_optional"}
CHECK_FIELDS = {"id", "position", "text", "topic_id"}
RESOURCE_FIELDS = {
    "id",
    "url",
    "title",
    "author",
    "description",
    "kind",
    "cost",
    "level",
    "stack",
    "estimated_minutes",
    "is_published",
}
RELATED_LIMIT = 6


# The topic by its slug, when the viewer may see it: every other statement starts from it.
THE_TOPIC = "(SELECT id FROM learning_topic WHERE slug = %(slug)s AND (is_published OR %(drafts)s))"
VISIBLE = "({alias}.is_published OR %(drafts)s)"
COUNTED = "x.resource_id = r.id AND NOT x.is_hidden"  # a resource's ratings a moderator didn't hide


@dataclass(frozen=True)
class TopicRead:
    """What a topic page shows of the catalogue whatever track it is walked in: the topic (with
    `placements`, its steps in the tracks the viewer may see, each with its track and stage), its tags, its
    "You're ready when" checks in order, its resources with what ranks them (rank_in_topic), the tags of
    those resources with how many carry each, and the related topics (`shared_tags`)."""

    topic: Topic
    tags: tuple
    checks: tuple
    resources: tuple
    resource_tags: tuple
    related: tuple


def topic_for_page(user_sees_drafts: bool, slug: str) -> TopicRead:
    """The topic page's catalogue part for `slug`, in one round trip; Http404 when there is no such topic
    the viewer may see (staff, `user_sees_drafts`, see unpublished ones)."""
    params = {
        "slug": slug,
        "drafts": user_sees_drafts,
        "topic_type": ContentType.objects.get_for_model(Topic).pk,
        "resource_type": ContentType.objects.get_for_model(Resource).pk,
        "related": RELATED_LIMIT,
    }
    topics, tags, checks, placements, resources, resource_tags, related = read_together(
        *(Read(statement, params, parse) for statement, parse in READS)
    )
    if not topics:
        raise Http404("No topic matches the given query.")
    topic = topics[0]
    topic.placements = placements
    return TopicRead(topic, tags, checks, tuple(resources), resource_tags, related)


def _placements(rows) -> list:
    steps = []
    split_track = len(STEP_FIELDS)
    split_stage = split_track + len(TRACK_FIELDS)
    for row in rows:
        step = from_row(Step, STEP_FIELDS, row[:split_track])
        step.track = from_row(Track, TRACK_FIELDS, row[split_track:split_stage])
        step.stage = from_row(Stage, STAGE_FIELDS, row[split_stage:])
        steps.append(step)
    return steps


def _resources(rows) -> list:
    """Resources with the ranking's facts, as ResourceQuerySet.with_stats and with_score name them."""
    resources = []
    width = len(RESOURCE_FIELDS)
    for row in rows:
        resource = from_row(Resource, RESOURCE_FIELDS, row[:width])
        position, start_here, rating_count, rating_sum, bookmark_count = row[width:]
        resource.curated_position = position
        resource.is_start_here = bool(start_here)
        resource.rating_count = rating_count
        resource.rating_sum = rating_sum
        resource.rating_average = rating_sum * 1.0 / rating_count if rating_count else None
        resource.bookmark_count = bookmark_count
        resources.append(resource)
    return resources


def _resource_tags(rows) -> tuple:
    tags = []
    for pk, name, slug, count in rows:
        tag = Tag(id=pk, name=name, slug=slug)
        tag.item_count = count
        tags.append(tag)
    return tuple(tags)


def _related(rows) -> tuple:
    topics = []
    for row in rows:
        topic = from_row(Topic, {"id", "title", "slug"}, row[:-1])
        topic.shared_tags = row[-1]
        topics.append(topic)
    return tuple(topics)


READS = [
    (
        f"SELECT {columns('t', Topic, TOPIC_FIELDS)} FROM learning_topic t"  # noqa: S608 (the models' names)
        f" WHERE t.slug = %(slug)s AND {VISIBLE.format(alias='t')}",
        instances(Topic, TOPIC_FIELDS),
    ),
    tags_of("topic_type", THE_TOPIC),  # by name (the prefetch gave no order)
    (
        f"SELECT {columns('c', ReadyCheck, CHECK_FIELDS)} FROM learning_readycheck c"  # noqa: S608
        f" WHERE c.topic_id = {THE_TOPIC} ORDER BY c.position, c.id",
        instances(ReadyCheck, CHECK_FIELDS),
    ),
    # Its steps in the tracks the viewer may see, with the track and the stage.
    (
        f"SELECT {columns('s', Step, STEP_FIELDS)}, {columns('k', Track, TRACK_FIELDS)},"  # noqa: S608
        f" {columns('g', Stage, STAGE_FIELDS)}"
        " FROM learning_step s JOIN learning_track k ON k.id = s.track_id"
        " JOIN learning_stage g ON g.id = s.stage_id"
        f" WHERE s.topic_id = {THE_TOPIC} AND {VISIBLE.format(alias='k')} ORDER BY k.position, k.title, s.id",
        _placements,
    ),
    # Its resources the viewer may see, with their place in the topic, whether they are its Start here, and
    # the counted ratings (a moderator hid the others) and bookmarks of each.
    (
        f"SELECT {columns('r', Resource, RESOURCE_FIELDS)}, l.position, l.is_start_here,"  # noqa: S608
        f" (SELECT COUNT(*) FROM learning_rating x WHERE {COUNTED}),"
        f" (SELECT COALESCE(SUM(x.stars), 0) FROM learning_rating x WHERE {COUNTED}),"
        " (SELECT COUNT(*) FROM learning_bookmark b WHERE b.resource_id = r.id)"
        " FROM learning_resource_topics l JOIN learning_resource r ON r.id = l.resource_id"
        f" WHERE l.topic_id = {THE_TOPIC} AND {VISIBLE.format(alias='r')} ORDER BY l.position, r.id",
        _resources,
    ),
    # The tags on those resources, with how many of them carry each, by name (queries.resource_tags).
    (
        "SELECT g.id, g.name, g.slug, COUNT(DISTINCT i.object_id) FROM taggit_tag g"  # noqa: S608
        " JOIN taggit_taggeditem i ON i.tag_id = g.id AND i.content_type_id = %(resource_type)s"
        " WHERE i.object_id IN (SELECT l.resource_id FROM learning_resource_topics l"
        " JOIN learning_resource r ON r.id = l.resource_id"
        f" WHERE l.topic_id = {THE_TOPIC} AND {VISIBLE.format(alias='r')})"
        " GROUP BY g.id, g.name, g.slug ORDER BY g.name, g.id",
        _resource_tags,
    ),
    # Other topics the viewer may see that share tags with it: the most shared first, then by title.
    (
        "SELECT o.id, o.title, o.slug, COUNT(DISTINCT i.tag_id) AS shared FROM learning_topic o"  # noqa: S608
        " JOIN taggit_taggeditem i ON i.object_id = o.id AND i.content_type_id = %(topic_type)s"
        " WHERE i.tag_id IN (SELECT tag_id FROM taggit_taggeditem"
        f" WHERE content_type_id = %(topic_type)s AND object_id = {THE_TOPIC})"
        f" AND o.id <> {THE_TOPIC} AND {VISIBLE.format(alias='o')}"
        " GROUP BY o.id, o.title, o.slug ORDER BY shared DESC, o.title, o.id LIMIT %(related)s",
        _related,
    ),
]
