"""Deterministic synthetic data for benchmarks: a demo catalogue and learners who use it (`seed_demo`).

At scale 1: 10 tracks, 500 topics, 5,000 resources, 1,000 learners, 100,000 topic progress rows, 50,000
ratings and 30,000 bookmarks. Scale N multiplies the learners and their rows by N; the catalogue keeps its
size. The same sizes always give the same data: every random choice comes from `random.Random` seeded with
a fixed value, and every timestamp is a fixed offset before `HISTORY_END`.

Demo rows are recognisable, so a re-run replaces them and leaves everything else alone: tracks and topics
have slugs starting with "demo-", resources have URLs under https://demo.example/, and users have
addresses @demo.example.

Building is pure (plain data from the sizes); inserting bypasses model instances: COPY on PostgreSQL,
executemany elsewhere.
"""

import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from learning import versions
from learning.models import (
    Bookmark,
    Cost,
    Kind,
    Level,
    Milestone,
    MilestoneCompletion,
    Rating,
    Resource,
    ResourceSuggestion,
    ReviewFlag,
    Stage,
    Step,
    Topic,
    TopicProgress,
    Track,
    TrackFollow,
)

SLUG_PREFIX = "demo-"
URL_PREFIX = "https://demo.example/"
EMAIL_DOMAIN = "demo.example"
LARGEST_TRACK_SLUG = "demo-track-01"
HEAVY_LEARNER_EMAIL = f"heavy@{EMAIL_DOMAIN}"
HEAVY_LEARNER_USERNAME = "demo-heavy"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the published password of throwaway demo accounts
PASSWORD_SALT = "demoexampleseed"  # noqa: S105 - fixed, so the same sizes give the very same rows

SEED = 20260101
# Every demo timestamp lies before this instant: the catalogue about a year earlier, learners after it.
HISTORY_END = datetime(2026, 1, 1, tzinfo=UTC)
CATALOGUE_START = HISTORY_END - timedelta(days=400)

DONE = TopicProgress.Status.DONE.value
LEARNING = TopicProgress.Status.LEARNING.value
SKIPPED = TopicProgress.Status.SKIPPED.value


class DemoError(ValueError):
    """Sizes or a scale that cannot give the promised demo data; nothing was stored."""


# --- Sizes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSizes:
    """How many rows to create. The defaults are scale 1; tests pass smaller catalogues directly."""

    tracks: int = 10
    topics: int = 500
    resources: int = 5_000
    largest_track_stages: int = 10
    largest_track_steps_per_stage: int = 10
    learners: int = 1_000
    progress: int = 100_000
    ratings: int = 50_000
    bookmarks: int = 30_000

    @classmethod
    def for_scale(cls, scale: float) -> "DemoSizes":
        """Scale 1's catalogue, with the learners and each of their row counts multiplied by `scale`."""
        base = cls()
        return replace(
            base,
            learners=round(base.learners * scale),
            progress=round(base.progress * scale),
            ratings=round(base.ratings * scale),
            bookmarks=round(base.bookmarks * scale),
        )

    @property
    def largest_track_steps(self) -> int:
        return self.largest_track_stages * self.largest_track_steps_per_stage

    @property
    def shared_topics(self) -> int:
        """Topics placed in a second track (about 10%)."""
        return self.topics // 10 if self.tracks > 1 else 0

    def check(self) -> None:
        """Raises DemoError when these sizes cannot give the data they promise."""
        problems = [*self._catalogue_problems(), *self._learner_problems()]
        if problems:
            raise DemoError("; ".join(problems))

    def _catalogue_problems(self) -> list[str]:
        if any(getattr(self, f.name) < 0 for f in fields(self)):
            return ["sizes cannot be negative"]
        if self.tracks < 2 or self.largest_track_stages < 1 or self.largest_track_steps_per_stage < 1:
            return ["the catalogue needs at least 2 tracks and a non-empty largest track"]
        others = (self.topics + self.shared_topics - self.largest_track_steps) / (self.tracks - 1)
        if not 1 <= others <= self.largest_track_steps / 1.25:
            return [f"{self.topics} topics do not fit {self.tracks} tracks whose largest has "
                    f"{self.largest_track_steps} steps"]  # fmt: skip
        if self.resources < self.topics:
            return ["every topic needs at least one resource"]
        return []

    def _learner_problems(self) -> list[str]:
        if self.learners < 1:
            return [f"{self.learners} learners: at least 1 is needed"]
        problems = []
        if self.progress < self.largest_track_steps:
            problems.append(
                f"{self.progress} progress rows are fewer than the {self.largest_track_steps} topics of "
                f"{LARGEST_TRACK_SLUG} the heavy learner works through"
            )
        for name, total, per_learner in (
            ("progress rows", self.progress, self.topics),
            ("ratings", self.ratings, self.resources),
            ("bookmarks", self.bookmarks, self.resources),
        ):
            if total > self.learners * per_learner:
                problems.append(f"{total} {name} do not fit {self.learners} learners")
        return problems


def parse_scale(value) -> float:
    """The --scale value as a positive finite number, or DemoError."""
    try:
        scale = float(value)
    except (TypeError, ValueError):
        raise DemoError(f"--scale must be a positive number, not {value!r}") from None
    if not math.isfinite(scale) or scale <= 0:
        raise DemoError(f"--scale must be a positive number, not {value!r}")
    return scale


def sizes_for_scale(value) -> DemoSizes:
    """The sizes for a --scale value, checked: DemoError for garbage, 0, negatives or a too small scale."""
    scale = parse_scale(value)
    sizes = DemoSizes.for_scale(scale)
    try:
        sizes.check()
    except DemoError as error:
        raise DemoError(f"--scale {value} is too small: {error}") from None
    return sizes


# --- Word lists ---------------------------------------------------------------------------------------

TRACK_NAMES = (
    "Backend foundations", "Python web services", "Data engineering", "Cloud operations", "API design",
    "Databases in depth", "Site reliability", "Security engineering", "Distributed systems",
    "Developer tooling",
)  # fmt: skip
STAGE_NAMES = (
    "Foundations", "Core skills", "Working with data", "Building services", "Testing and quality",
    "Operations", "Scaling up", "Security", "Advanced topics", "Capstone",
)  # fmt: skip
TOPIC_AREAS = (
    "Caching", "Indexing", "Query planning", "Message queues", "Rate limiting", "Authentication",
    "Session handling", "Logging", "Tracing", "Schema migrations", "Connection pooling", "Load balancing",
    "Containers", "Background jobs", "API versioning", "Pagination", "Input validation", "Error handling",
    "Feature flags", "Replication", "Sharding", "Full-text search", "Realtime messaging", "Unit testing",
    "Deployment",
)  # fmt: skip
TOPIC_ASPECTS = (
    "basics", "in practice", "patterns", "internals", "pitfalls", "at scale", "for beginners",
    "strategies", "deep dive", "trade-offs", "with Python", "with PostgreSQL", "checklists", "security",
    "performance", "monitoring", "case studies", "design", "anti-patterns", "tooling",
)  # fmt: skip
TAG_NAMES = (
    "python", "sql", "http", "postgresql", "django", "apis", "rest", "graphql", "docker", "kubernetes",
    "linux", "git", "testing", "security", "caching", "redis", "queues", "async", "performance",
    "monitoring", "logging", "cloud", "aws", "networking", "databases", "architecture", "microservices",
    "devops", "ci-cd", "javascript", "nodejs", "go", "rust", "java", "fundamentals", "algorithms",
    "design", "observability", "auth", "web",
)  # fmt: skip
MILESTONE_PROJECTS = (
    "a URL shortener", "a todo API", "a blog engine", "a chat server", "a job queue",
    "a metrics dashboard", "a file uploader", "a rate limiter", "a search service",
    "a payment webhook handler", "an image thumbnailer", "a feature-flag service",
)  # fmt: skip
AUTHORS = (
    "Ada Lindqvist", "Backend Weekly", "Demo Press", "Grace Okafor", "The Query Planner", "Linus Park",
    "Open Source Guild", "Mina Haddad", "Ops Notebook", "Ravi Menon", "Sofia Brandt",
    "Cloud Native Circle", "Tomás Rivera", "Yuki Tanaka", "Practical Dev Co.", "Hannah Schultz",
    "Data Street", "Kwame Mensah", "Leila Farahani", "Stack Academy",
)  # fmt: skip
INTRO_CLAIMS = (
    "is one of the ideas every backend developer meets early",
    "shapes how a service behaves under real traffic",
    "is where many production incidents start",
    "turns a working prototype into something you can run for years",
    "is easier than it looks once the vocabulary is clear",
)
INTRO_ADVICE = (
    "This page collects the material we found clearest, from first principles to production advice.",
    "Start with the overview, then pick one hands-on resource and build something small.",
    "Expect to come back to it: the second pass is where the trade-offs make sense.",
    "Most of the resources assume you know the basics of HTTP and SQL.",
)
LEARNING_POINTS = (
    "the core vocabulary and when it matters",
    "a minimal working example you wrote yourself",
    "the common failure modes and how to spot them",
    "how to measure before and after a change",
    "which defaults to keep and which to change",
    "how it interacts with the database",
    "how to test it automatically",
    "what to monitor in production",
)
RESOURCE_TITLES = {
    Kind.DOCS: ("{S}: reference documentation", "Official guide to {s}"),
    Kind.COURSE: ("{S}: the complete course", "Mastering {s}"),
    Kind.INTERACTIVE: ("Hands-on {s} exercises", "{S} playground"),
    Kind.BOOK: ("The {s} handbook", "{S}, second edition"),
    Kind.VIDEO: ("{S} explained", "{S} in one talk"),
    Kind.ARTICLE: ("A practical guide to {s}", "{S}: lessons learned"),
    Kind.TOOL: ("{S} toolkit", "A checker for {s}"),
    Kind.REPO: ("Awesome {s}", "{S} examples repository"),
    Kind.PODCAST: ("Talking {s}", "{S} on air"),
}
RESOURCE_DESCRIPTIONS = (
    "A clear walk through {s} with runnable examples.",
    "Covers {s} from first principles to production advice.",
    "Short and practical: {s} in the context of a real service.",
    "The reference many teams keep open when working on {s}.",
    "Exercises on {s} with solutions and explanations.",
)
KIND_WEIGHTS = {
    Kind.DOCS: 12, Kind.COURSE: 12, Kind.INTERACTIVE: 6, Kind.BOOK: 8, Kind.VIDEO: 18,
    Kind.ARTICLE: 28, Kind.TOOL: 6, Kind.REPO: 6, Kind.PODCAST: 4,
}  # fmt: skip
KIND_MINUTES = {
    Kind.DOCS: (10, 90), Kind.COURSE: (120, 1800), Kind.INTERACTIVE: (20, 240), Kind.BOOK: (240, 1200),
    Kind.VIDEO: (5, 90), Kind.ARTICLE: (5, 40), Kind.TOOL: (10, 60), Kind.REPO: (15, 120),
    Kind.PODCAST: (20, 70),
}  # fmt: skip
PAID_KINDS = (Kind.BOOK, Kind.COURSE)
REVIEW_OPENINGS = (
    "Clear and well paced.", "Exactly what I needed.", "A bit dated, but still useful.", "Great examples.",
    "Too long for what it covers.", "The best introduction I have found.", "Solid, if a little dry.",
)  # fmt: skip
REVIEW_DETAILS = (
    "The exercises made it stick.", "I skipped the first chapter.", "Pair it with the official docs.",
    "Worth it for the section on errors alone.", "I wish it covered testing.", "Easy to follow.",
)  # fmt: skip
BOOKMARK_NOTES = (
    "Read again before the project.", "Chapter 4 is the important part.", "Recommended by a colleague.",
    "Watch at 1.5× speed.", "Come back to this for the exercises.", "Good reference for interviews.",
)  # fmt: skip
STARS = (5, 4, 3, 2, 1)
STAR_WEIGHTS = (40, 35, 13, 7, 5)


def _rng(*key) -> random.Random:
    """A generator of its own for each purpose (and learner), so no choice depends on another's."""
    return random.Random(":".join(map(str, (SEED, *key))))  # noqa: S311 - synthetic data, not secrets


def _lower_first(text: str) -> str:
    return text if text[:2].isupper() else text[0].lower() + text[1:]


def _at(start: datetime, seconds: float) -> datetime:
    return start + timedelta(seconds=int(seconds))


# --- Spreading totals ---------------------------------------------------------------------------------


def apportion(total: int, weights: Sequence[float], caps: Sequence[int]) -> list[int]:
    """`total` split in proportion to the (positive) `weights`, no share above its cap; the shares add up
    to `total`."""
    if total > sum(caps):
        raise DemoError(f"cannot spread {total} over capacities adding up to {sum(caps)}")
    shares = [0] * len(weights)
    left = total
    while left:
        open_ = [i for i, cap in enumerate(caps) if shares[i] < cap]
        weight_sum = sum(weights[i] for i in open_)
        given = 0
        for i in open_:
            extra = min(caps[i] - shares[i], int(left * weights[i] / weight_sum))
            shares[i] += extra
            given += extra
        if not given:  # every proportional share rounded down to 0: one more each, heaviest first
            for i in sorted(open_, key=lambda i: -weights[i])[:left]:
                shares[i] += 1
                given += 1
        left -= given
    return shares


def _jittered_sizes(total: int, parts: int, rng: random.Random, spread: float = 0.2) -> list[int]:
    """`parts` sizes adding up to `total`, each within ±spread of the mean."""
    mean = total / parts
    low, high = math.ceil(mean * (1 - spread)), math.floor(mean * (1 + spread))
    sizes = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    for _ in range(parts * 10):
        giver, taker = rng.randrange(parts), rng.randrange(parts)
        amount = rng.randint(1, 5)
        if giver != taker and sizes[giver] - amount >= low and sizes[taker] + amount <= high:
            sizes[giver] -= amount
            sizes[taker] += amount
    return sizes


def _even_chunks(items: Sequence, parts: int) -> list[list]:
    base, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for index in range(parts):
        end = start + base + (1 if index < extra else 0)
        chunks.append(list(items[start:end]))
        start = end
    return chunks


def _weighted_sample(rng: random.Random, weights: Sequence[float], k: int) -> tuple[int, ...]:
    """k distinct indices, heavier ones more likely, in the order drawn."""
    pool = list(range(len(weights)))
    chosen = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, [weights[i] for i in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return tuple(chosen)


# --- The catalogue, as plain data ---------------------------------------------------------------------


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    title: str
    subject: str
    summary: str
    body: str
    tags: tuple[str, ...]
    created_at: datetime


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
            )
        )
    return topics


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
                slug=slugify(f"build {project}"),
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
        attached = (main,)
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


# --- Learners, as plain data --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnerSpec:
    index: int
    username: str
    email: str
    joined_at: datetime
    profile_is_public: bool
    follows: tuple[int, ...]  # track indices, main track first
    topics: list[int]  # the topics with progress, in the order worked on
    statuses: list[str]
    ratings: int
    bookmarks: int

    @property
    def active_seconds(self) -> float:
        """The time between joining and the end of the demo history, less a day of margin."""
        return (HISTORY_END - self.joined_at).total_seconds() - 86_400


class _Paths:
    """What learners who follow the same tracks work through: those tracks' topics in order, each once,
    then a few topics browsed elsewhere. Computed once per combination of followed tracks."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._splits: dict[tuple[int, ...], tuple[list[int], list[int]]] = {}

    def split(self, follows: tuple[int, ...]) -> tuple[list[int], list[int]]:
        if follows not in self._splits:
            tracks = self.catalogue.track_topics
            ordered = list(dict.fromkeys(topic for track in follows for topic in tracks[track]))
            taken = set(ordered)
            elsewhere = [topic for topic in range(len(self.catalogue.topics)) if topic not in taken]
            self._splits[follows] = (ordered, elsewhere)
        return self._splits[follows]

    def sequence(self, follows, quota: int, rng: random.Random, *, browse: float) -> tuple[list[int], int]:
        """`quota` distinct topics, and how many of them come in the followed tracks' order."""
        ordered, elsewhere = self.split(follows)
        browsed = min(len(elsewhere), round(quota * browse * rng.random()))
        in_order = min(len(ordered), quota - browsed)
        return ordered[:in_order] + rng.sample(elsewhere, quota - in_order), in_order


def build_learners(sizes: DemoSizes, catalogue: Catalogue) -> list[LearnerSpec]:
    """The learners, the heavy one first, with what each works on; the same every time."""
    rng = _rng("learners", sizes.learners)
    activity = [rng.lognormvariate(0, 0.9) for _ in range(sizes.learners)]
    activity[0] = max(activity)  # the heavy learner is the busiest
    quotas = zip(
        _quotas(sizes.progress, activity, len(catalogue.track_topics[0]), sizes.topics),
        _quotas(sizes.ratings, _jitter(activity, rng), 20, sizes.resources),
        _quotas(sizes.bookmarks, _jitter(activity, rng), 10, sizes.resources),
        strict=True,
    )
    paths = _Paths(catalogue)
    popularity = [1 / math.sqrt(track + 1) for track in range(len(catalogue.tracks))]
    return [_learner(index, paths, popularity, *counts) for index, counts in enumerate(quotas)]


def _jitter(weights: Sequence[float], rng: random.Random) -> list[float]:
    """Weights that follow `weights` loosely: busy learners also rate and bookmark more, mostly."""
    return [weight * rng.lognormvariate(0, 0.5) for weight in weights]


def _quotas(total: int, weights: Sequence[float], heavy_minimum: int, cap: int) -> list[int]:
    """Per-learner row counts adding up to `total`, at most `cap` each; the heavy learner (first) gets
    at least `heavy_minimum`."""
    minimums = [min(heavy_minimum, total, cap)] + [0] * (len(weights) - 1)
    extra = apportion(total - minimums[0], weights, [cap - low for low in minimums])
    return [low + more for low, more in zip(minimums, extra, strict=True)]


def _learner(index: int, paths: _Paths, popularity, progress: int, ratings: int, bookmarks: int):
    rng = _rng("learner", index)
    heavy = index == 0
    follows = (0,) if heavy else _weighted_sample(rng, popularity, rng.choices((1, 2, 3), (50, 35, 15))[0])
    topics, in_order = paths.sequence(follows, progress, rng, browse=0 if heavy else 0.2)
    working = 3 if heavy else rng.choice((0, 1, 1, 2, 3))
    return LearnerSpec(
        index=index,
        username=HEAVY_LEARNER_USERNAME if heavy else f"learner-{index:06d}",
        email=HEAVY_LEARNER_EMAIL if heavy else f"learner{index:06d}@{EMAIL_DOMAIN}",
        joined_at=HISTORY_END - timedelta(seconds=rng.randint(30 * 86_400, 365 * 86_400)),
        profile_is_public=heavy or rng.random() < 0.25,
        follows=follows,
        topics=topics,
        statuses=_statuses(rng, len(topics), in_order, working),
        ratings=ratings,
        bookmarks=bookmarks,
    )


def _statuses(rng: random.Random, count: int, in_order: int, working: int) -> list[str]:
    """Mostly done in order, the last few still being learned, some skipped; browsed topics vary more."""
    statuses = []
    for position in range(count):
        draw = rng.random()
        if position >= in_order:
            statuses.append(DONE if draw < 0.6 else LEARNING if draw < 0.9 else SKIPPED)
        elif position >= in_order - working:
            statuses.append(LEARNING)
        else:
            statuses.append(SKIPPED if draw < 0.04 else DONE)
    return statuses


# --- Learner rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ids:
    """Database ids, aligned with the catalogue's lists and the learners."""

    tracks: list[int]
    stages: list[int]
    topics: list[int]
    milestones: list[int]
    resources: list[int]
    users: list[int] = field(default_factory=list)


def _per_learner(learners: list[LearnerSpec], ids: Ids, purpose: str):
    """(learner, user id, the learner's own generator for `purpose`) for each learner."""
    for learner, user_id in zip(learners, ids.users, strict=True):
        yield learner, user_id, _rng(purpose, learner.index)


def follow_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "follows"):
        for track in learner.follows:
            yield user_id, ids.tracks[track], _at(learner.joined_at, rng.uniform(0, 2 * 86_400))


def progress_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "progress"):
        gap = learner.active_seconds / (len(learner.topics) + 1)
        for position, (topic, status) in enumerate(zip(learner.topics, learner.statuses, strict=True)):
            started = _at(learner.joined_at, gap * (position + rng.random()))
            completed = _at(started, gap * rng.uniform(0.1, 0.9)) if status == DONE else None
            updated = completed or _at(started, gap * rng.uniform(0, 0.5))
            yield user_id, ids.topics[topic], status, started, updated, completed


def rating_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "ratings"):
        for resource in _pick_resources(rng, learner, catalogue, learner.ratings):
            created = _at(learner.joined_at, rng.random() * learner.active_seconds)
            hidden = rng.random() < 0.01
            review = f"{rng.choice(REVIEW_OPENINGS)} {rng.choice(REVIEW_DETAILS)}"
            if not hidden and rng.random() >= 0.2:
                review = ""
            stars = rng.choices(STARS, STAR_WEIGHTS)[0]
            moderated = _at(created, 86_400) if hidden else None
            yield user_id, ids.resources[resource], stars, review, hidden, moderated, created, created


def bookmark_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "bookmarks"):
        for resource in _pick_resources(rng, learner, catalogue, learner.bookmarks):
            created = _at(learner.joined_at, rng.random() * learner.active_seconds)
            note = rng.choice(BOOKMARK_NOTES) if rng.random() < 0.1 else ""
            yield user_id, ids.resources[resource], note, created, created


def completion_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "milestones"):
        for milestone in _completed_milestones(learner, catalogue, rng):
            yield (
                user_id,
                ids.milestones[milestone],
                _at(learner.joined_at, rng.random() * learner.active_seconds),
            )


def _pick_resources(rng: random.Random, learner: LearnerSpec, catalogue: Catalogue, count: int) -> list[int]:
    """`count` distinct resources, mostly of the topics the learner worked on."""
    chosen: dict[int, None] = {}
    for _ in range(4 * count if learner.topics else 0):
        if len(chosen) == count:
            break
        chosen[rng.choice(catalogue.topic_resources[rng.choice(learner.topics)])] = None
    while len(chosen) < count:
        chosen[rng.randrange(len(catalogue.resources))] = None
    return list(chosen)


def _completed_milestones(learner: LearnerSpec, catalogue: Catalogue, rng: random.Random) -> list[int]:
    """The heavy learner completed the first half of its track's milestones; the others most milestones
    of their tracks whose topics they are done with."""
    milestones = [milestone for track in learner.follows for milestone in catalogue.track_milestones[track]]
    if learner.index == 0:
        return milestones[: round(len(milestones) / 2)]
    done = {topic for topic, status in zip(learner.topics, learner.statuses, strict=True) if status == DONE}
    return [m for m in milestones if done.issuperset(catalogue.milestones[m].topics) and rng.random() < 0.7]


# --- Inserting ----------------------------------------------------------------------------------------

INSERT_BATCH = 10_000


class _Counted:
    def __init__(self, rows: Iterable[tuple]):
        self.rows = rows
        self.count = 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def insert_rows(model, field_names: Sequence[str], rows: Iterable[tuple]) -> int:
    """Inserts tuples of values (in `field_names` order) without model instances: COPY on PostgreSQL,
    executemany elsewhere. Other columns get their field's default, or the database's. Returns the count."""
    meta = model._meta
    given = [meta.get_field(name) for name in field_names]
    rest = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.name not in field_names and not f.has_db_default()
    ]
    columns = [f.column for f in (*given, *rest)]
    tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
    counted = _Counted(rows)
    if connection.vendor == "postgresql":
        _copy(meta.db_table, columns, counted, tail)
    else:
        _execute_many(meta.db_table, columns, _adapted(given, counted, tail))
    return counted.count


def _quoted_columns(table: str, columns: Sequence[str]) -> str:
    quote = connection.ops.quote_name
    return f"{quote(table)} ({', '.join(map(quote, columns))})"


def _copy(table: str, columns: Sequence[str], rows: Iterable[tuple], tail: tuple) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {_quoted_columns(table, columns)} FROM STDIN") as copy,
    ):
        write = copy.write_row
        for row in rows:
            write(row + tail)


def _adapted(given, rows: Iterable[tuple], tail: tuple):
    """Rows with datetimes as the backend stores them (SQLite's driver no longer adapts them itself)."""
    adapt = connection.ops.adapt_datetimefield_value
    datetimes = [index for index, f in enumerate(given) if f.get_internal_type() == "DateTimeField"]
    for row in rows:
        if datetimes:
            row = list(row)
            for index in datetimes:
                row[index] = adapt(row[index])
            row = tuple(row)
        yield row + tail


def _execute_many(table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    placeholders = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO {_quoted_columns(table, columns)} VALUES ({placeholders})"  # noqa: S608
    rows = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, INSERT_BATCH)):
            cursor.executemany(statement, batch)


def _ids(queryset, keys: Sequence, *key_fields: str) -> list[int]:
    """The ids of the rows with these keys (one field's values, or tuples of several), in `keys`' order."""
    found = {
        (row[:-1] if len(key_fields) > 1 else row[0]): row[-1]
        for row in queryset.values_list(*key_fields, "pk")
    }
    return [found[key] for key in keys]


def _insert_catalogue(catalogue: Catalogue) -> Ids:
    tracks = _insert_tracks(catalogue)
    stages = _insert_stages(catalogue, tracks)
    topics = _insert_topics(catalogue)
    insert_rows(
        Step,
        ("track", "stage", "topic", "position", "is_optional"),
        (
            (
                tracks[catalogue.stages[s.stage].track],
                stages[s.stage],
                topics[s.topic],
                s.position,
                s.is_optional,
            )
            for s in catalogue.steps
        ),
    )
    ids = Ids(
        tracks=tracks,
        stages=stages,
        topics=topics,
        milestones=_insert_milestones(catalogue, stages, topics),
        resources=_insert_resources(catalogue, topics),
    )
    _insert_tags(catalogue, ids)
    return ids


def _insert_tracks(catalogue: Catalogue) -> list[int]:
    insert_rows(
        Track,
        ("slug", "title", "summary", "body", "position", "is_published", "created_at", "updated_at"),
        (
            (t.slug, t.title, t.summary, t.body, t.position, True, t.created_at, t.created_at)
            for t in catalogue.tracks
        ),
    )
    return _ids(
        Track.objects.filter(slug__startswith=SLUG_PREFIX), [t.slug for t in catalogue.tracks], "slug"
    )


def _insert_stages(catalogue: Catalogue, tracks: list[int]) -> list[int]:
    insert_rows(
        Stage,
        ("track", "slug", "title", "duration", "summary", "position"),
        ((tracks[s.track], s.slug, s.title, s.duration, s.summary, s.position) for s in catalogue.stages),
    )
    keys = [(tracks[s.track], s.slug) for s in catalogue.stages]
    return _ids(Stage.objects.filter(track__in=tracks), keys, "track_id", "slug")


def _insert_topics(catalogue: Catalogue) -> list[int]:
    insert_rows(
        Topic,
        ("slug", "title", "summary", "body", "is_published", "created_at", "updated_at"),
        (
            (t.slug, t.title, t.summary, t.body, True, t.created_at, _at(t.created_at, 86_400))
            for t in catalogue.topics
        ),
    )
    return _ids(
        Topic.objects.filter(slug__startswith=SLUG_PREFIX), [t.slug for t in catalogue.topics], "slug"
    )


def _insert_milestones(catalogue: Catalogue, stages: list[int], topics: list[int]) -> list[int]:
    insert_rows(
        Milestone,
        ("stage", "slug", "title", "description", "position"),
        ((stages[m.stage], m.slug, m.title, m.description, m.position) for m in catalogue.milestones),
    )
    keys = [(stages[m.stage], m.slug) for m in catalogue.milestones]
    milestones = _ids(Milestone.objects.filter(stage__in=stages), keys, "stage_id", "slug")
    insert_rows(
        Milestone.topics.through,
        ("milestone", "topic"),
        (
            (pk, topics[topic])
            for pk, m in zip(milestones, catalogue.milestones, strict=True)
            for topic in m.topics
        ),
    )
    return milestones


def _insert_resources(catalogue: Catalogue, topics: list[int]) -> list[int]:
    insert_rows(Resource, RESOURCE_FIELDS, (_resource_row(resource) for resource in catalogue.resources))
    urls = [r.url for r in catalogue.resources]
    resources = _ids(Resource.objects.filter(url__startswith=URL_PREFIX), urls, "url")
    insert_rows(
        Resource.topics.through,
        ("resource", "topic"),
        (
            (pk, topics[topic])
            for pk, r in zip(resources, catalogue.resources, strict=True)
            for topic in r.topics
        ),
    )
    return resources


RESOURCE_FIELDS = (
    "url", "title", "author", "description", "kind", "cost", "level", "estimated_minutes", "is_published",
    "created_at", "updated_at",
)  # fmt: skip


def _resource_row(r: ResourceSpec) -> tuple:
    return (
        r.url, r.title, r.author, r.description, r.kind, r.cost, r.level, r.estimated_minutes, True,
        r.created_at, r.created_at,
    )  # fmt: skip


def _tag_ids() -> dict[str, int]:
    """The pool's tags, reusing a tag of the same name (ignoring case) or slug that already exists."""

    def lookup():
        rows = Tag.objects.values_list("name", "slug", "pk")
        by_name = {name.lower(): pk for name, _, pk in rows}
        by_slug = {slug: pk for _, slug, pk in rows}
        return {name: by_name.get(name) or by_slug.get(slugify(name)) for name in TAG_NAMES}

    found = lookup()
    missing = [name for name, pk in found.items() if pk is None]
    if missing:
        Tag.objects.bulk_create([Tag(name=name, slug=slugify(name)) for name in missing])
        found = lookup()
    return found


def _insert_tags(catalogue: Catalogue, ids: Ids) -> None:
    tags = _tag_ids()

    def rows():
        for model, specs, pks in (
            (Track, catalogue.tracks, ids.tracks),
            (Topic, catalogue.topics, ids.topics),
            (Resource, catalogue.resources, ids.resources),
        ):
            content_type = ContentType.objects.get_for_model(model).pk
            for spec, pk in zip(specs, pks, strict=True):
                for name in spec.tags:
                    yield tags[name], content_type, pk

    insert_rows(TaggedItem, ("tag", "content_type", "object_id"), rows())


@dataclass(frozen=True)
class LearnerTable:
    label: str
    model: type
    fields: tuple[str, ...]
    rows: Callable  # (learners, ids, catalogue) → tuples in `fields` order


LEARNER_TABLES = (
    LearnerTable("track follows", TrackFollow, ("user", "track", "started_at"), follow_rows),
    LearnerTable(
        "topic progress rows",
        TopicProgress,
        ("user", "topic", "status", "started_at", "updated_at", "completed_at"),
        progress_rows,
    ),
    LearnerTable(
        "ratings",
        Rating,
        ("user", "resource", "stars", "review", "is_hidden", "moderated_at", "created_at", "updated_at"),
        rating_rows,
    ),
    LearnerTable(
        "bookmarks", Bookmark, ("user", "resource", "note", "created_at", "updated_at"), bookmark_rows
    ),
    LearnerTable(
        "milestone completions", MilestoneCompletion, ("user", "milestone", "completed_at"), completion_rows
    ),
)


def _insert_users(learners: list[LearnerSpec]) -> list[int]:
    """The demo users, each with a verified primary address so they can log in; returns their ids."""
    password = make_password(DEMO_PASSWORD, salt=PASSWORD_SALT)  # once: hashing is slow on purpose
    insert_rows(
        get_user_model(),
        ("username", "email", "password", "date_joined", "profile_is_public"),
        ((s.username, s.email, password, s.joined_at, s.profile_is_public) for s in learners),
    )
    users = _ids(demo_users(), [learner.username for learner in learners], "username")
    insert_rows(
        EmailAddress,
        ("user", "email", "verified", "primary"),
        ((pk, learner.email, True, True) for pk, learner in zip(users, learners, strict=True)),
    )
    return users


def _insert_learner_rows(learners: list[LearnerSpec], catalogue: Catalogue, ids: Ids) -> dict[str, int]:
    return {
        table.label: insert_rows(table.model, table.fields, table.rows(learners, ids, catalogue))
        for table in LEARNER_TABLES
    }


# --- Removing the previous demo data ------------------------------------------------------------------


def demo_users():
    return get_user_model().objects.filter(email__iendswith=f"@{EMAIL_DOMAIN}")


def _raw_delete(queryset) -> int:
    """DELETE … WHERE …, without the collector fetching every row first (rows here have no dependants)."""
    return queryset._raw_delete(queryset.db)


def delete_demo_data() -> None:
    """Removes the demo catalogue, the demo users and every learner row that touches either."""
    users = demo_users()
    tracks = Track.objects.filter(slug__startswith=SLUG_PREFIX)
    topics = Topic.objects.filter(slug__startswith=SLUG_PREFIX)
    resources = Resource.objects.filter(url__startswith=URL_PREFIX)
    milestones = Milestone.objects.filter(stage__track__in=tracks)
    ratings = Rating.objects.filter(Q(user__in=users) | Q(resource__in=resources))
    _raw_delete(ReviewFlag.objects.filter(Q(user__in=users) | Q(rating__in=ratings)))
    for queryset in (
        ratings,
        Bookmark.objects.filter(Q(user__in=users) | Q(resource__in=resources)),
        TopicProgress.objects.filter(Q(user__in=users) | Q(topic__in=topics)),
        MilestoneCompletion.objects.filter(Q(user__in=users) | Q(milestone__in=milestones)),
        TrackFollow.objects.filter(Q(user__in=users) | Q(track__in=tracks)),
        ResourceSuggestion.objects.filter(Q(user__in=users) | Q(topic__in=topics)),
        EmailAddress.objects.filter(user__in=users),
    ):
        _raw_delete(queryset)
    users.delete()
    _delete_tagged_items((Track, tracks), (Topic, topics), (Resource, resources))
    Step.objects.filter(topic__in=topics).delete()  # also in other tracks: Step.topic is PROTECT
    tracks.delete()
    topics.delete()
    resources.delete()


def _delete_tagged_items(*pairs) -> None:
    """taggit leaves an object's tagged items behind when the object is deleted."""
    for model, queryset in pairs:
        content_type = ContentType.objects.get_for_model(model)
        _raw_delete(TaggedItem.objects.filter(content_type=content_type, object_id__in=queryset.values("pk")))


def _refuse_taken_handles(learners: list[LearnerSpec]) -> None:
    """A user outside the demo may have picked a demo learner's handle; stop rather than fail halfway."""
    wanted = {learner.username.lower() for learner in learners}
    candidates = get_user_model().objects.annotate(handle=Lower("username"))
    candidates = candidates.filter(Q(handle__regex=r"^learner-[0-9]{6}$") | Q(handle=HEAVY_LEARNER_USERNAME))
    taken = sorted(set(candidates.values_list("handle", flat=True)) & wanted)
    if taken:
        raise DemoError(f"users outside the demo already have the handles {', '.join(taken[:5])}")


# --- Seeding ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedReport:
    counts: dict[str, int]
    seconds: float

    def summary(self) -> str:
        listed = ", ".join(f"{count:,} {label}" for label, count in self.counts.items())
        return f"Seeded the demo data in {self.seconds:.1f} s: {listed}."


def seed(sizes: DemoSizes | None = None) -> SeedReport:
    """Replaces the demo data with the data for `sizes` (scale 1 by default), in one transaction."""
    sizes = sizes or DemoSizes()
    sizes.check()
    started = time.perf_counter()
    catalogue = build_catalogue(sizes)
    learners = build_learners(sizes, catalogue)
    with transaction.atomic():
        delete_demo_data()
        _refuse_taken_handles(learners)
        ids = _insert_catalogue(catalogue)
        ids = replace(ids, users=_insert_users(learners))
        counts = {
            "tracks": len(ids.tracks),
            "stages": len(ids.stages),
            "steps": len(catalogue.steps),
            "milestones": len(ids.milestones),
            "topics": len(ids.topics),
            "resources": len(ids.resources),
            "learners": len(ids.users),
            **_insert_learner_rows(learners, catalogue, ids),
        }
        _finish(ids)
    return SeedReport(counts, time.perf_counter() - started)


SEEDED_MODELS = (
    Track, Stage, Step, Milestone, Milestone.topics.through, Topic, Resource, Resource.topics.through,
    TaggedItem, EmailAddress, TrackFollow, TopicProgress, Rating, Bookmark, MilestoneCompletion,
)  # fmt: skip


def _finish(ids: Ids) -> None:
    """The last step of seeding: fresh planner statistics for the tables just filled (PostgreSQL), and new
    cache version tokens, since rows inserted in bulk send no signals."""
    if connection.vendor == "postgresql":
        tables = [get_user_model()._meta.db_table, *(model._meta.db_table for model in SEEDED_MODELS)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")
    versions.bump(versions.CATALOGUE, versions.STATS, *map(versions.learner, ids.users))
