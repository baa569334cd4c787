"""A topic page's hand-written catalogue read (learning.catalogue.topic_sql) gives what the querysets it stands
for give, and its resources, ranked in Python (rank_in_topic), come in the order ResourceQuerySet.ranked gives
for every stack the page may be walked in. Run on SQLite and PostgreSQL."""

import copy

import pytest
from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from learning.catalogue import queries
from learning.catalogue.models import ReadyCheck, Resource, Stack, Step, Topic, TopicResource, Track
from learning.catalogue.topic_sql import RELATED_LIMIT, topic_for_page
from tests.batches import read_together
from tests.factories import (
    BookmarkFactory,
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db
STACK_CONTEXTS = ["", Stack.PYTHON, Stack.NODE, Stack.GO]


def resource(topic, position, *, stack="", start_here=False, stars=(), hidden=(), bookmarks=0, **fields):
    """A resource of `topic` at `position`, with counted ratings `stars`, hidden ones and bookmarks."""
    made = ResourceFactory(stack=stack, **fields)
    TopicResource.objects.create(topic=topic, resource=made, position=position, is_start_here=start_here)
    for value in stars:
        RatingFactory(resource=made, stars=value)
    for value in hidden:
        RatingFactory(resource=made, stars=value, is_hidden=True)
    for _ in range(bookmarks):
        BookmarkFactory(resource=made)
    return made


@pytest.fixture
def topic():
    """A topic in two published tracks and a draft one, with checks, tags and resources of every stack that
    rank differently by context: a Start here of one stack, one clearly worse than its ratings, others that
    ratings lift over the curator's order, a draft, and one shared with another topic at another place."""
    topic = TopicFactory(title="HTTP", tags=["web", "protocols", "basics"])
    for position, text in [(2, "You can read a status line"), (0, "You know the verbs"), (1, "Headers")]:
        ReadyCheck.objects.create(topic=topic, position=position, text=text)
    for title, position, stack, published in [
        ("Python & Django", 1, Stack.PYTHON, True),
        ("Backend", 0, "", True),
        ("Draft track", 2, Stack.GO, False),
    ]:
        track = TrackFactory(title=title, position=position, stack=stack, is_published=published)
        StepFactory(
            stage=StageFactory(track=track, duration="weeks 1-2"), topic=topic, is_optional=not position
        )
    resource(topic, 0, stack=Stack.NODE, start_here=True, stars=[5, 4], tags=["web"])
    resource(topic, 1, stars=[2, 2], hidden=[5, 5, 5], bookmarks=2, tags=["web", "http"])
    resource(topic, 2, stack=Stack.PYTHON, stars=[5, 5, 5, 5, 5, 5], tags=["python"])
    resource(topic, 3, kind=Resource.Kind.DOCS, bookmarks=1)
    resource(topic, 4, stack=Stack.PYTHON, stars=[1, 1], is_published=False, tags=["python"])
    resource(topic, 5, stars=[5, 5, 4])
    shared = resource(topic, 6, stack=Stack.NODE, stars=[3])
    other = TopicFactory(title="REST", tags=["web", "protocols"])
    TopicResource.objects.create(topic=other, resource=shared, position=0, is_start_here=True)
    TopicFactory(title="TLS", tags=["protocols"])
    TopicFactory(title="Draft sibling", tags=["web", "protocols", "basics"], is_published=False)
    TopicFactory(title="Unrelated", tags=["cooking"])
    return topic


@pytest.fixture
def clearly_worse_start_here():
    """A topic whose Start here has at least five ratings averaging below three stars: not pinned."""
    topic = TopicFactory()
    resource(topic, 0, start_here=True, stars=[2, 2, 2, 3, 3])
    resource(topic, 1)
    resource(topic, 2, stars=[4])
    return topic


def placements_by_queryset(topic, drafts: bool):
    tracks = Track.objects.all() if drafts else Track.objects.published()
    steps = Step.objects.filter(topic=topic, track__in=tracks).select_related("track", "stage")
    return [
        (s.pk, s.track_id, s.stage_id, s.track.slug, s.stage.duration)
        for s in steps.order_by("track__position", "track__title")
    ]


def related_by_queryset(topic, drafts: bool):
    """What the page's related topics were through the ORM: visible topics sharing the most tags."""
    visible = Topic.objects.all() if drafts else Topic.objects.published()
    related = (
        visible.filter(tags__in=topic.tags.all())
        .exclude(pk=topic.pk)
        .annotate(shared_tags=Count("tags", distinct=True))
        .order_by("-shared_tags", "title")[:RELATED_LIMIT]
    )
    return [(other.pk, other.shared_tags) for other in related]


@pytest.mark.parametrize("drafts", [False, True], ids=["visitor", "staff"])
def test_the_topic_its_tags_checks_and_tracks_are_the_querysets(topic, drafts):
    read = topic_for_page(drafts, topic.slug)
    assert (read.topic.pk, read.topic.title, read.topic.summary, read.topic.body) == (
        topic.pk,
        topic.title,
        topic.summary,
        topic.body,
    )
    assert [tag.name for tag in read.tags] == sorted(topic.tags.names())
    assert [check.text for check in read.checks] == [
        "You know the verbs",
        "Headers",
        "You can read a status line",
    ]
    got = [(s.pk, s.track_id, s.stage_id, s.track.slug, s.stage.duration) for s in read.topic.placements]
    assert got == placements_by_queryset(topic, drafts)
    assert len(got) == (3 if drafts else 2)


@pytest.mark.parametrize("drafts", [False, True], ids=["visitor", "staff"])
def test_resource_tags_and_related_topics_are_the_querysets(topic, drafts):
    read = topic_for_page(drafts, topic.slug)
    user = staff_or_visitor(drafts)
    by_queryset = queries.resource_tags(user, topic=topic)
    assert [(t.pk, t.name, t.item_count) for t in read.resource_tags] == [
        (t.pk, t.name, t.item_count) for t in by_queryset
    ]
    assert [(other.pk, other.shared_tags) for other in read.related] == related_by_queryset(topic, drafts)
    titles = [other.title for other in read.related]
    assert titles[:2] == ["REST", "TLS"] if not drafts else titles[0] == "Draft sibling"
    assert "Unrelated" not in titles
    assert "HTTP" not in titles


def staff_or_visitor(drafts: bool):
    from django.contrib.auth.models import AnonymousUser

    from tests.factories import StaffFactory

    return StaffFactory() if drafts else AnonymousUser()


@pytest.mark.parametrize("stack", STACK_CONTEXTS, ids=lambda stack: stack or "no stack")
@pytest.mark.parametrize("drafts", [False, True], ids=["visitor", "staff"])
def test_the_ranking_in_python_is_the_querysets(topic, clearly_worse_start_here, stack, drafts):
    user = staff_or_visitor(drafts)
    for each in (topic, clearly_worse_start_here):
        read = topic_for_page(drafts, each.slug)
        ranked = queries.rank_topic_resources(
            user, copy.copy(each), prior_mean=queries.site_mean_rating(), stack_context=stack
        )
        page = queries.topic_page(user, read, filters={"order": "best"}, stack_context=stack)
        assert [r.pk for r in page.topic.ranked_resources] == [r.pk for r in ranked]
        facts = (
            "rating_count",
            "rating_sum",
            "rating_average",
            "bookmark_count",
            "curated_position",
            "is_start_here",
        )
        assert [[getattr(r, name) for name in facts] for r in page.topic.ranked_resources] == [
            [getattr(r, name) for name in facts] for r in ranked
        ]


def test_the_ranking_moves_with_the_stack_the_topic_is_walked_in(topic):
    read = topic_for_page(False, topic.slug)
    first = {
        stack: queries.topic_page(None, read, filters={}, stack_context=stack).topic.ranked_resources[0]
        for stack in STACK_CONTEXTS
    }
    # Without a stack, and in its own stack's track, the Start here leads; in another stack's track it doesn't:
    # that stack's own come first, or, with none of its own, those for any stack.
    assert first[""].is_start_here
    assert first[Stack.NODE].is_start_here
    assert first[Stack.PYTHON].stack == Stack.PYTHON
    assert first[Stack.GO].stack == ""


def test_a_filtered_list_keeps_the_queryset(topic):
    read = topic_for_page(False, topic.slug)
    page = queries.topic_page(None, read, filters={"kind": Resource.Kind.DOCS, "order": "best"})
    assert [r.kind for r in page.topic.ranked_resources] == [Resource.Kind.DOCS]
    assert read.topic.__dict__.get("ranked_resources") is None  # the read is shared: left as it was


def test_a_draft_topic_is_staffs_only(topic):
    topic.is_published = False
    topic.save()
    with pytest.raises(Http404):
        topic_for_page(False, topic.slug)
    assert topic_for_page(True, topic.slug).topic.pk == topic.pk
    with pytest.raises(Http404):
        topic_for_page(True, "no-such-topic")


def test_the_read_is_one_round_trip_and_needs_nothing_more(topic, django_assert_num_queries):
    topic_for_page(False, topic.slug)  # the content types, which Django keeps per process
    with CaptureQueriesContext(connection) as captured:
        read = topic_for_page(False, topic.slug)
    assert len(captured) == read_together(7)
    with django_assert_num_queries(0):
        page = queries.topic_page(None, read, filters={}, stack_context=Stack.PYTHON)
        for step in read.topic.placements:
            assert step.track.get_absolute_url()
            assert step.stage.title
        for each in page.topic.ranked_resources:
            assert each.host
            assert each.get_kind_display()
