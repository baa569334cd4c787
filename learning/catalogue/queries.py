"""Reads for the public pages: each fetches all its page shows in a fixed number of queries."""

import copy
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import cast

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from taggit.models import Tag

from learning.catalogue.models import (
    BEST_FIRST,
    UNPLACED,
    ChecklistItem,
    Milestone,
    Resource,
    Stage,
    Step,
    Topic,
    Track,
    TrackChange,
    rank_in_topic,
    sees_drafts,
)
from plumbing import cache_tokens, overlay
from plumbing.overlay import memo

# The site mean used before any resource has been rated: the middle of the 1–5 scale.
NEUTRAL_MEAN = 3.0
SITE_MEAN_SECONDS = 3600
# A page of a list of resources: /resources/ and a tag's page.
RESOURCES_PER_PAGE = 24
# The stack filter's value for the resources no stack is specific to (their stack is "").
STACK_INDEPENDENT = "independent"


def site_mean_rating() -> float:
    """The prior of every ranking: the mean of every counted rating. It reads every rating, so it is kept in
    the cache until a rating changes (the stats token moves)."""
    token = cache_tokens.read([cache_tokens.STATS])[cache_tokens.STATS]
    # get_or_set returns None only for a None default; _site_mean always gives a float.
    return cast(float, cache.get_or_set(f"site-mean:{token}", _site_mean, timeout=SITE_MEAN_SECONDS))


def _site_mean() -> float:
    # The ratings are the community's rows; the ranking reads them through the relation, as with_stats does
    # (so related_model is typed only as type[Model]).
    ratings = Resource.ratings.rel.related_model.objects.counted()  # type: ignore[attr-defined]
    return ratings.aggregate(mean=Avg("stars"))["mean"] or NEUTRAL_MEAN


def memoised(request, *key, build, depends=(cache_tokens.CATALOGUE, cache_tokens.STATS)):
    """What `build()` makes for `key`, once per version of what it `depends` on and per what the person may
    see (staff see drafts), kept in this process's memo and in the shared cache (plumbing.overlay.memo,
    shared: built once between every process): catalogue data, or HTML with slots, that is the same for
    everyone under that key; never anything of one person's own. The key's parts are plain values."""
    versions = tuple(cache_tokens.current(request, name) for name in depends)
    return overlay.memo((*key, sees_drafts(request.user), versions), build, shared=True)


def visible_topics(user):
    return Topic.objects.visible_to(user)


def tracks_for_list(user):
    # The counts group rows, and grouped rows lose the model's default order: restate it.
    return Track.objects.visible_to(user).with_counts().prefetch_related("tags").order_by("position", "title")


def published_tracks() -> tuple[Track, ...]:
    """The published tracks in list order, read once per catalogue version (this process's memo): shared by
    every request under that version, so read only."""
    version = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    return memo(
        ("published-tracks", version), lambda: tuple(Track.objects.published().order_by("position", "title"))
    )


def track_for_roadmap(user, slug):
    """A track with its stages, steps (topic and resource count) and milestones."""
    topics = visible_topics(user)
    steps = (
        Step.objects.filter(topic__in=topics)
        .select_related("topic")
        .annotate(
            resource_count=Count(
                "topic__resources", filter=Q(topic__resources__in=Resource.objects.published())
            )
        )
        .order_by("position")
    )
    milestones = Milestone.objects.order_by("position").prefetch_related(Prefetch("topics", queryset=topics))
    stages = Stage.objects.order_by("position").prefetch_related(
        Prefetch("steps", queryset=steps), Prefetch("milestones", queryset=milestones)
    )
    # Whether it has a "What changed" list rides on the track's row: a track without one reads no more.
    queryset = (
        Track.objects.visible_to(user)
        .annotate(has_changes=Exists(TrackChange.objects.filter(track=OuterRef("pk"))))
        .prefetch_related("tags", Prefetch("stages", queryset=stages))
    )
    return get_object_or_404(queryset, slug=slug)


# How many of a track's latest changes its page lists.
CHANGES_SHOWN = 10


def track_changes(track) -> list:
    """The track's latest changes, newest first: one query, none when `has_changes` (track_for_roadmap)
    says it has none."""
    if not getattr(track, "has_changes", True):
        return []
    return list(track.changes.order_by("position")[:CHANGES_SHOWN])


def milestone_for_page(user, pk):
    """A milestone of a track the viewer may see, with its track and stage, its checklist in order and the
    topics it exercises that the viewer may see, by title: three queries, whatever their
    number. 404 otherwise."""
    topics = visible_topics(user).order_by("title")
    queryset = (
        Milestone.objects.filter(track__in=Track.objects.visible_to(user))
        .select_related("track", "stage")
        .prefetch_related(
            Prefetch("checklist", queryset=ChecklistItem.objects.order_by("position")),
            Prefetch("topics", queryset=topics),
        )
    )
    return get_object_or_404(queryset, pk=pk)


def ordered_steps(track_ids):
    """Every published step of the tracks, in track order, with its topic and stage: one query.

    `track_ids` may be a list or a subquery (a learner's followed track, chosen in the same query)."""
    return (
        Step.objects.filter(track_id__in=track_ids, topic__is_published=True)
        .select_related("topic", "stage")
        .order_by("track_id", "stage__position", "position")
    )


@dataclass(frozen=True)
class TrackOutline:
    """What a track's progress is counted over: its published steps in order (with topic and stage: the next
    step's link) and its milestones. Shared by every request under one catalogue version: read only."""

    steps: tuple[Step, ...] = ()
    milestones: tuple[Milestone, ...] = ()


def track_outlines() -> dict[int, TrackOutline]:
    """Track id → TrackOutline for every track, read in two queries once per catalogue version and kept in
    this process's memo (plumbing.overlay): curated data only, the same for everyone. A track without steps
    or milestones has no entry (`.get(pk, TrackOutline())`)."""
    version = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    return memo(("track-outlines", version), _track_outlines)


def track_outline(track_id: int) -> TrackOutline:
    """One track's outline from track_outlines (empty for a track without steps or milestones)."""
    return track_outlines().get(track_id, TrackOutline())


def published_step(track_slug: str, topic_slug: str) -> tuple[Track, Step] | None:
    """The published track `track_slug` and its step of the published topic `topic_slug` (the step's topic
    has its slug, title and hours), or None: from the catalogue version's memos (published_tracks,
    track_outlines), so no query once this process has them. Anyone may see both, as everyone sees what is
    published; drafts, which only staff see, are never found here. Read only, like the memos."""
    track = next((track for track in published_tracks() if track.slug == track_slug), None)
    if track is None:
        return None
    step = next((step for step in track_outline(track.pk).steps if step.topic.slug == topic_slug), None)
    return None if step is None else (track, step)


def _track_outlines() -> dict[int, TrackOutline]:
    steps: defaultdict[int, list[Step]] = defaultdict(list)
    milestones: defaultdict[int, list[Milestone]] = defaultdict(list)
    # Only what progress, its "next step" link and a weekly goal's projection (hours) show: a topic's guide
    # stays out of every process's memory.
    shown = (
        "topic__slug",
        "topic__title",
        "topic__is_published",
        "topic__hours",
        "stage__title",
        "stage__position",
    )
    for step in ordered_steps(Track.objects.values("pk")).only(
        "track", "stage", "topic", "position", "is_optional", "stage__track", *shown
    ):
        steps[step.track_id].append(step)
    for milestone in (
        Milestone.objects.select_related("stage").only("stage", "stage__track", "hours").order_by("pk")
    ):
        milestones[milestone.stage.track_id].append(milestone)
    return {
        pk: TrackOutline(tuple(steps[pk]), tuple(milestones[pk])) for pk in steps.keys() | milestones.keys()
    }


@dataclass(frozen=True)
class TrackPath:
    """A topic's place in one track: the track's published steps in order, and the steps either side."""

    placement: Step  # the topic's own step (its track and stage: the breadcrumb)
    steps: list  # the track's published steps in order
    previous: Step | None
    next: Step | None

    @property
    def track(self) -> Track:
        return self.placement.track

    @property
    def number(self) -> int | None:
        """The topic's place in the track, from 1; None when it is unpublished (not among the steps)."""
        return next((i for i, step in enumerate(self.steps, 1) if step.pk == self.placement.pk), None)


def track_path(placement: Step, steps: list) -> TrackPath:
    """The neighbours of `placement` among `steps` (ordered_steps of its track). None either side at the
    ends, and both when the topic itself is unpublished (it is no step a learner walks)."""
    index = next((i for i, step in enumerate(steps) if step.pk == placement.pk), None)
    if index is None:
        return TrackPath(placement, steps, None, None)
    previous = steps[index - 1] if index > 0 else None
    following = steps[index + 1] if index + 1 < len(steps) else None
    return TrackPath(placement, steps, previous, following)


def placement_in(topic, track_slug: str):
    """The topic's step in the track with this slug, among the tracks topic_for_page let the viewer see."""
    return next((step for step in topic.placements if step.track.slug == track_slug), None)


@dataclass(frozen=True)
class TopicPage:
    """All a topic page shows of the catalogue, read at once: the topic (with `ranked_resources`,
    `placements` and its tags), the tags of its resources and the related topics."""

    topic: Topic
    tags: list
    related: list

    @cached_property
    def resources(self) -> dict:
        """The ranked resources by id."""
        return {resource.pk: resource for resource in self.topic.ranked_resources}  # type: ignore[attr-defined]


def topic_page(user, read, *, filters: dict, stack_context: str = "") -> TopicPage:
    """A topic page's catalogue part (topic_sql.topic_for_page's TopicRead) as the page walked in a track of
    the stack `stack_context` shows it: the resources best first for that stack (rank_in_topic, in Python
    from the facts read once), or, when the filters narrow or reorder the list, as rank_topic_resources
    gives them; the tags of its resources and the related topics."""
    topic = copy.copy(read.topic)
    if _is_plain(filters):
        # A resource's prior is the site mean only while it is parked off its topic's order (a reorder).
        unplaced = any(resource.curated_position == UNPLACED for resource in read.resources)
        topic.ranked_resources = rank_in_topic(
            read.resources,
            stack_context=stack_context,
            prior_mean=site_mean_rating() if unplaced else NEUTRAL_MEAN,
        )
    else:
        rank_topic_resources(
            user, topic, prior_mean=site_mean_rating(), filters=filters, stack_context=stack_context
        )
    return TopicPage(topic=topic, tags=list(read.resource_tags), related=list(read.related))


def _is_plain(filters: dict) -> bool:
    """No filter given, and the default order ("best"): the topic's whole list as its page first shows it."""
    return (
        not any(value for name, value in filters.items() if name != "order")
        and filters.get("order", "best") == "best"
    )


def replacing_topic(user, slug):
    """The topic that took over the old slug `slug` (its `replaces` names it; for a split, the first by
    slug), if the viewer may see it; None otherwise. Asked only when no topic has that slug."""
    for topic in visible_topics(user).exclude(replaces=[]).order_by("slug").only("slug", "replaces"):
        if slug in topic.replaces:
            return topic
    return None


def rank_topic_resources(
    user, topic, *, prior_mean: float, filters: dict | None = None, stack_context: str = ""
) -> list:
    """The topic's resources as its page lists them, in one query: filtered when asked, ranked in the
    topic's own curated order blended with ratings, the resources of `stack_context` (the stack of the track
    the page is walked in; "" for none) grouped first (ResourceQuerySet.with_score). Also kept as
    `topic.ranked_resources`, as the Markdown checklist's topics have them."""
    resources = filter_resources(
        Resource.objects.visible_to(user).filter(topic_links__topic=topic),
        prior_mean=prior_mean,
        topic_slug=topic.slug,
        stack_context=stack_context,
        **(filters or {}),
    )
    topic.ranked_resources = list(resources)
    return topic.ranked_resources


# The orders a list of resources can take; "best" is the curator's order blended with the ratings.
ORDERINGS = {
    "best": BEST_FIRST,
    "bookmarked": ("-bookmark_count", *BEST_FIRST),
    "newest": ("-created_at", "-pk"),
    "title": ("title", "pk"),
}


def filter_resources(
    queryset,
    *,
    prior_mean,
    topic_slug=None,
    stack_context="",
    kind=None,
    cost=None,
    level=None,
    stack=None,
    tag=None,
    min_rating=None,
    order="best",
):
    """Resources narrowed by the filters of ResourceFilterForm, with their rating and bookmark stats; ranked
    within the topic `topic_slug` when given, the stack `stack_context` first (ResourceQuerySet.with_score).
    `stack` keeps one stack's resources, or the stack-independent ones (STACK_INDEPENDENT)."""
    queryset = queryset.with_score(prior_mean=prior_mean, topic_slug=topic_slug, stack_context=stack_context)
    exact = {"kind": kind, "cost": cost, "level": level, "tags__slug": tag}
    queryset = queryset.filter(**{name: value for name, value in exact.items() if value})
    if stack:
        queryset = queryset.filter(stack="" if stack == STACK_INDEPENDENT else stack)
    if min_rating:
        queryset = queryset.filter(rating_average__gte=min_rating)
    return queryset.order_by(*ORDERINGS[order])


def topics_of_cards(user):
    """The topics a resource card names: those the person can see, by title."""
    return visible_topics(user).order_by("title")


def resource_tags(user, *, topic=None):
    """The tags on the resources a person can see (of one topic, if given), with how many carry each."""
    resources = Resource.objects.visible_to(user)
    if topic is not None:
        resources = resources.filter(topics=topic)
    return (
        Tag.objects.filter(resource__in=resources)
        .annotate(item_count=Count("resource", distinct=True))
        .order_by("name")
    )


def tags_in_use():
    """Tags carried by at least one published track, topic or resource, with how many carry each."""
    tracks, topics, resources = (
        Count(name, filter=Q(**{f"{name}__is_published": True}), distinct=True)
        for name in ("track", "topic", "resource")
    )
    return (
        Tag.objects.annotate(item_count=tracks + topics + resources).filter(item_count__gt=0).order_by("name")
    )


def catalogue_counts():
    return {
        "tracks": Track.objects.published().count(),
        "topics": Topic.objects.published().count(),
        "resources": Resource.objects.published().count(),
    }
