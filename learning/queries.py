"""Reads for the public pages: each fetches all its page shows in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from taggit.models import Tag

from learning.models import Milestone, Resource, Stage, Step, Topic, Track


def visible_topics(user):
    return Topic.objects.visible_to(user)


def tracks_for_list(user):
    # The counts group rows, and grouped rows lose the model's default order: restate it.
    return Track.objects.visible_to(user).with_counts().prefetch_related("tags").order_by("position", "title")


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
    queryset = Track.objects.visible_to(user).prefetch_related("tags", Prefetch("stages", queryset=stages))
    return get_object_or_404(queryset, slug=slug)


def topic_for_page(user, slug, *, prior_mean: float):
    resources = Resource.objects.visible_to(user).ranked(prior_mean=prior_mean)
    placements = Step.objects.filter(track__in=Track.objects.visible_to(user)).select_related(
        "track", "stage"
    )
    queryset = visible_topics(user).prefetch_related(
        "tags",
        Prefetch("resources", queryset=resources, to_attr="ranked_resources"),
        Prefetch(
            "steps", queryset=placements.order_by("track__position", "track__title"), to_attr="placements"
        ),
    )
    return get_object_or_404(queryset, slug=slug)


def resources_for_list(user, *, kind=None, cost=None, level=None, tag=None, order="title"):
    queryset = Resource.objects.visible_to(user)
    if kind:
        queryset = queryset.filter(kind=kind)
    if cost:
        queryset = queryset.filter(cost=cost)
    if level:
        queryset = queryset.filter(level=level)
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    ordering = {"title": ("title", "pk"), "newest": ("-created_at", "-pk")}[order]
    return queryset.order_by(*ordering).prefetch_related(
        Prefetch("topics", queryset=visible_topics(user).order_by("title"))
    )


def resource_for_page(user, pk):
    queryset = Resource.objects.visible_to(user).prefetch_related(
        "tags", Prefetch("topics", queryset=visible_topics(user).order_by("title"))
    )
    return get_object_or_404(queryset, pk=pk)


def tags_in_use():
    """Tags carried by at least one published track, topic or resource, with how many carry each."""
    tracks, topics, resources = (
        Count(name, filter=Q(**{f"{name}__is_published": True}), distinct=True)
        for name in ("track", "topic", "resource")
    )
    return (
        Tag.objects.annotate(item_count=tracks + topics + resources).filter(item_count__gt=0).order_by("name")
    )


def tag_for_page(user, slug):
    tag = get_object_or_404(Tag, slug=slug)
    tracks = list(tracks_for_list(user).filter(tags=tag))
    topics = list(visible_topics(user).filter(tags=tag).order_by("title"))
    resources = list(Resource.objects.visible_to(user).filter(tags=tag).order_by("title"))
    if not (tracks or topics or resources):
        return None
    return {"tag": tag, "tracks": tracks, "topics": topics, "resources": resources}


def catalogue_counts():
    return {
        "tracks": Track.objects.published().count(),
        "topics": Topic.objects.published().count(),
        "resources": Resource.objects.published().count(),
    }
