"""The demo catalogue as plain data: tracks, stages, steps, milestones, topics and resources."""

import random
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.text import slugify

from bench.demo.sizes import CATALOGUE_START, SLUG_PREFIX, URL_PREFIX, DemoSizes
from bench.demo.spread import _at, _even_chunks, _jittered_sizes, _lower_first, _rng, apportion
from bench.demo.words import (
    AUTHORS,
    INTRO_ADVICE,
    INTRO_CLAIMS,
    KIND_MINUTES,
    KIND_WEIGHTS,
    LEARNING_POINTS,
    MILESTONE_PROJECTS,
    PAID_KINDS,
    RESOURCE_DESCRIPTIONS,
    RESOURCE_TITLES,
    STAGE_NAMES,
    TAG_NAMES,
    TOPIC_AREAS,
    TOPIC_ASPECTS,
    TRACK_NAMES,
)
from learning.models import Cost, Kind, Level


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    title: str
    subject: str
    summary: str
    body: str
    tags: tuple[str, ...]
    created_at: datetime
    ready_checks: tuple[str, ...] = ()  # its "You're ready when" checks, in order


@dataclass(frozen=True)
class TrackSpec:
    slug: str
    title: str
    summary: str
    body: str
    position: int
    tags: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class StageSpec:
    track: int
    slug: str
    title: str
    duration: str
    summary: str
    position: int


@dataclass(frozen=True)
class StepSpec:
    stage: int
    topic: int
    position: int
    is_optional: bool


@dataclass(frozen=True)
class MilestoneSpec:
    stage: int
    slug: str
    title: str
    description: str
    position: int
    topics: tuple[int, ...]


@dataclass(frozen=True)
class ResourceSpec:
    url: str
    title: str
    author: str
    description: str
    kind: str
    cost: str
    level: str
    estimated_minutes: int | None
    topics: tuple[int, ...]
    tags: tuple[str, ...]
    created_at: datetime


@dataclass
class Catalogue:
    topics: list[TopicSpec]
    tracks: list[TrackSpec]
    stages: list[StageSpec] = field(default_factory=list)
    steps: list[StepSpec] = field(default_factory=list)
    milestones: list[MilestoneSpec] = field(default_factory=list)
    resources: list[ResourceSpec] = field(default_factory=list)
    track_topics: list[list[int]] = field(default_factory=list)  # each track's topics in step order
    track_milestones: list[list[int]] = field(default_factory=list)
    topic_resources: list[list[int]] = field(default_factory=list)


def _markdown(rng: random.Random, subject: str) -> str:
    points = rng.sample(LEARNING_POINTS, 3)
    return (
        f"{subject} {rng.choice(INTRO_CLAIMS)}. {rng.choice(INTRO_ADVICE)}\n\n"
        f"{rng.choice(INTRO_ADVICE)}\n\n### What to learn\n\n" + "".join(f"- {point}\n" for point in points)
    )


def build_catalogue(sizes: DemoSizes) -> Catalogue:
    """The demo catalogue for these sizes; the same every time."""
    rng = _rng("catalogue")
    catalogue = Catalogue(topics=_topics(sizes, rng), tracks=_tracks(sizes, rng))
    for track, topic_order in enumerate(_track_topic_orders(sizes, rng)):
        catalogue.track_topics.append(topic_order)
        _add_stages(catalogue, track, topic_order, sizes, rng)
    catalogue.resources = _resources(sizes, catalogue.topics, rng)
    catalogue.topic_resources = [[] for _ in catalogue.topics]
    for index, resource in enumerate(catalogue.resources):
        for topic in resource.topics:
            catalogue.topic_resources[topic].append(index)
    return catalogue


def _topics(sizes: DemoSizes, rng: random.Random) -> list[TopicSpec]:
    subjects = [f"{area} {aspect}" for area in TOPIC_AREAS for aspect in TOPIC_ASPECTS]
    rng.shuffle(subjects)
    topics = []
    for index in range(sizes.topics):
        subject = subjects[index % len(subjects)]
        topics.append(
            TopicSpec(
                slug=f"{SLUG_PREFIX}topic-{index + 1:03d}",
                title=f"Demo topic {index + 1:03d}: {subject}",
                subject=subject,
                summary=f"What {_lower_first(subject)} means for a backend service, and how to get it right.",
                body=_markdown(rng, subject),
                tags=tuple(rng.sample(TAG_NAMES, rng.randint(1, 3))),
                created_at=_at(CATALOGUE_START, 3_600 + index * 600),
                ready_checks=_ready_checks(index, subject),
            )
        )
    return topics


def _ready_checks(index: int, subject: str) -> tuple[str, ...]:
    """Three to five "You're ready when" checks, as the shipped topics have (a generator of their own, so
    the rest of the catalogue stays as it was)."""
    rng = _rng("ready-checks", index)
    points = rng.sample(LEARNING_POINTS, rng.randint(3, 5))
    return tuple(f"You can explain {_lower_first(point)} for {_lower_first(subject)}." for point in points)


def _tracks(sizes: DemoSizes, rng: random.Random) -> list[TrackSpec]:
    tracks = []
    for index in range(sizes.tracks):
        name = TRACK_NAMES[index % len(TRACK_NAMES)]
        tracks.append(
            TrackSpec(
                slug=f"{SLUG_PREFIX}track-{index + 1:02d}",
                title=f"Demo track {index + 1:02d}: {name}",
                summary=f"A demo path through {_lower_first(name)}, from the first steps to production.",
                body=_markdown(rng, name),
                position=100 + index,
                tags=tuple(rng.sample(TAG_NAMES, rng.randint(1, 2))),
                created_at=_at(CATALOGUE_START, index * 60),
            )
        )
    return tracks


def _track_topic_orders(sizes: DemoSizes, rng: random.Random) -> list[list[int]]:
    """Each track's topics in order: its own run of topics, with a few shared ones slotted in."""
    others = sizes.topics + sizes.shared_topics - sizes.largest_track_steps
    track_sizes = [sizes.largest_track_steps, *_jittered_sizes(others, sizes.tracks - 1, rng)]
    shared = apportion(sizes.shared_topics, track_sizes, [size - 1 for size in track_sizes])
    orders, start, home = [], 0, {}
    for track, (size, borrowed) in enumerate(zip(track_sizes, shared, strict=True)):
        own = list(range(start, start + size - borrowed))
        home.update(dict.fromkeys(own, track))
        orders.append(own)
        start += len(own)
    already_shared: set[int] = set()
    for track, borrowed in enumerate(shared):
        candidates = [topic for topic in range(sizes.topics) if home[topic] != track]
        candidates = [topic for topic in candidates if topic not in already_shared]
        for topic in rng.sample(candidates, borrowed):
            orders[track].insert(rng.randint(0, len(orders[track])), topic)
            already_shared.add(topic)
    return orders


def _add_stages(catalogue: Catalogue, track: int, topics: list[int], sizes: DemoSizes, rng) -> None:
    stage_count = sizes.largest_track_stages if track == 0 else min(rng.randint(4, 6), len(topics))
    catalogue.track_milestones.append([])
    for position, stage_topics in enumerate(_even_chunks(topics, stage_count)):
        name = STAGE_NAMES[position % len(STAGE_NAMES)]
        stage = len(catalogue.stages)
        catalogue.stages.append(
            StageSpec(
                track=track,
                slug=f"{slugify(name)}-{position + 1}",
                title=name,
                duration=f"months {position + 1}–{position + 2}",
                summary=f"Stage {position + 1} of {stage_count}: {_lower_first(name)}, closed by a project.",
                position=position,
            )
        )
        for step_position, topic in enumerate(stage_topics):
            catalogue.steps.append(StepSpec(stage, topic, step_position, is_optional=rng.random() < 0.1))
        for milestone in _milestones(stage, stage_topics, rng):
            catalogue.track_milestones[track].append(len(catalogue.milestones))
            catalogue.milestones.append(milestone)


def _milestones(stage: int, topics: list[int], rng: random.Random) -> list[MilestoneSpec]:
    projects = rng.sample(MILESTONE_PROJECTS, rng.randint(1, 2))
    milestones = []
    for position, project in enumerate(projects):
        chosen = sorted(rng.sample(topics, min(len(topics), rng.randint(2, 3))), key=topics.index)
        milestones.append(
            MilestoneSpec(
                stage=stage,
                # The stage's number keeps the slug unique in the track when two stages build alike.
                slug=slugify(f"build {project} {stage}"),
                title=f"Build {project}",
                description=(
                    f"Build {project} that puts this stage into practice.\n\n"
                    "- keep it small enough to finish in a weekend\n- write a README\n- deploy it\n"
                ),
                position=position,
                topics=tuple(chosen),
            )
        )
    return milestones


def _resources(sizes: DemoSizes, topics: list[TopicSpec], rng: random.Random) -> list[ResourceSpec]:
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    resources = []
    for index in range(sizes.resources):
        main = index % sizes.topics
        attached: tuple[int, ...] = (main,)
        if rng.random() < 0.1 and sizes.topics > 1:
            attached = (main, (main + rng.randint(1, sizes.topics - 1)) % sizes.topics)
        kind = rng.choices(kinds, kind_weights)[0]
        resources.append(_resource(index, kind, topics[main].subject, attached, rng))
    return resources


def _resource(index: int, kind: Kind, subject: str, topics: tuple[int, ...], rng) -> ResourceSpec:
    title = rng.choice(RESOURCE_TITLES[kind]).format(S=subject, s=_lower_first(subject))
    low, high = KIND_MINUTES[kind]
    paid_share = 0.45 if kind in PAID_KINDS else 0.08
    cost_draw = rng.random()
    cost = (
        Cost.PAID if cost_draw < paid_share else Cost.FREEMIUM if cost_draw < paid_share + 0.15 else Cost.FREE
    )
    return ResourceSpec(
        url=f"{URL_PREFIX}{kind.value}/{index + 1:05d}-{slugify(title)[:60]}",
        title=title,
        author=rng.choice(AUTHORS),
        description=rng.choice(RESOURCE_DESCRIPTIONS).format(s=_lower_first(subject)),
        kind=kind.value,
        cost=cost.value,
        level=rng.choices(Level.values, (45, 38, 17))[0],
        estimated_minutes=None if rng.random() < 0.08 else rng.randint(low, high),
        topics=topics,
        tags=tuple(rng.sample(TAG_NAMES, rng.randint(1, 3))),
        created_at=_at(CATALOGUE_START, 86_400 + index * 300),
    )
