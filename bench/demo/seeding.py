"""Seeding: the previous demo data deleted, the catalogue, users and learner rows inserted, in one
transaction; then fresh planner statistics and cache tokens."""

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Model, Q
from django.db.models.functions import Lower
from django.utils.text import slugify
from taggit.models import Tag, TaggedItem

from bench.demo.catalogue import Catalogue, ResourceSpec, TopicSpec, TrackSpec, build_catalogue
from bench.demo.learners import (
    Ids,
    LearnerSpec,
    activity_rows,
    bookmark_rows,
    build_learners,
    completion_rows,
    follow_rows,
    goal_rows,
    note_rows,
    progress_rows,
    rating_rows,
    review_rows,
    tick_rows,
)
from bench.demo.projects import insert_reactions, project_rows
from bench.demo.rows import _ids, insert_rows
from bench.demo.sizes import (
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    HEAVY_LEARNER_USERNAME,
    PASSWORD_SALT,
    SLUG_PREFIX,
    URL_PREFIX,
    DemoError,
    DemoSizes,
)
from bench.demo.spread import _at
from bench.demo.words import TAG_NAMES
from learning.models import (
    Activity,
    Bookmark,
    Milestone,
    MilestoneCompletion,
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
    Rating,
    ReadyCheck,
    ReadyCheckTick,
    Resource,
    ResourceSuggestion,
    ReviewFlag,
    Stage,
    Step,
    Topic,
    TopicNote,
    TopicProgress,
    TopicReview,
    Track,
    TrackFollow,
    TrackGoal,
)
from plumbing import cache_tokens


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
        milestones=_insert_milestones(catalogue, tracks, stages, topics),
        resources=_insert_resources(catalogue, topics),
        ready_checks=_insert_ready_checks(catalogue, topics),
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


def _insert_ready_checks(catalogue: Catalogue, topics: list[int]) -> dict[int, list[int]]:
    """Each topic's "You're ready when" checks; returns topic id -> its checks' ids in order."""
    insert_rows(
        ReadyCheck,
        ("topic", "position", "text"),
        (
            (topics[index], position, text)
            for index, topic in enumerate(catalogue.topics)
            for position, text in enumerate(topic.ready_checks, 1)
        ),
    )
    checks: dict[int, list[int]] = {}
    for pk, topic_id in (
        ReadyCheck.objects.filter(topic__in=topics)
        .order_by("topic", "position")
        .values_list("pk", "topic_id")
    ):
        checks.setdefault(topic_id, []).append(pk)
    return checks


def _insert_milestones(
    catalogue: Catalogue, tracks: list[int], stages: list[int], topics: list[int]
) -> list[int]:
    # A milestone carries its stage's track (its slug is unique per track), as Milestone.save sets it.
    track_of = [tracks[stage.track] for stage in catalogue.stages]
    insert_rows(
        Milestone,
        ("track", "stage", "slug", "title", "description", "position"),
        (
            (track_of[m.stage], stages[m.stage], m.slug, m.title, m.description, m.position)
            for m in catalogue.milestones
        ),
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
    # Each topic's resources in the order they are generated: positions 0, 1, 2… per topic.
    placed: Counter[int] = Counter()

    def place(topic: int) -> int:
        placed[topic] += 1
        return placed[topic] - 1

    insert_rows(
        Resource.topics.through,
        ("resource", "topic", "position"),
        (
            (pk, topics[topic], place(topics[topic]))
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
        sources: tuple[tuple[type[Model], Sequence[TrackSpec | TopicSpec | ResourceSpec], list[int]], ...] = (
            (Track, catalogue.tracks, ids.tracks),
            (Topic, catalogue.topics, ids.topics),
            (Resource, catalogue.resources, ids.resources),
        )
        for model, specs, pks in sources:
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
    LearnerTable(
        "activity days",
        Activity,
        ("user", "kind", "subject", "topic", "milestone", "at", "day"),
        activity_rows,
    ),
    LearnerTable("notes", TopicNote, ("user", "topic", "text", "created_at", "updated_at"), note_rows),
    LearnerTable("ready ticks", ReadyCheckTick, ("user", "ready_check", "ticked_at"), tick_rows),
    LearnerTable(
        "weekly goals",
        TrackGoal,
        ("user", "track", "hours_per_week", "study_days", "created_at", "updated_at"),
        goal_rows,
    ),
    LearnerTable("reviews", TopicReview, ("user", "topic", "box", "due", "last_reviewed"), review_rows),
    LearnerTable(
        "projects",
        ProjectSubmission,
        ("user", "milestone", "repository_url", "write_up", "visibility", "created_at", "updated_at"),
        project_rows,
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
    counts = {
        table.label: insert_rows(table.model, table.fields, table.rows(learners, ids, catalogue))
        for table in LEARNER_TABLES
    }
    return counts | insert_reactions(ids)  # they need the projects' ids


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
    projects = ProjectSubmission.objects.filter(Q(user__in=users) | Q(milestone__in=milestones))
    for reaction in (ProjectFlag, ProjectVote, ProjectFeedback):
        _raw_delete(reaction.objects.filter(Q(user__in=users) | Q(submission__in=projects)))
    _raw_delete(ProjectSubmission.checklist_met.through.objects.filter(projectsubmission__in=projects))
    _raw_delete(projects)
    for queryset in (
        ratings,
        Bookmark.objects.filter(Q(user__in=users) | Q(resource__in=resources)),
        TopicProgress.objects.filter(Q(user__in=users) | Q(topic__in=topics)),
        MilestoneCompletion.objects.filter(Q(user__in=users) | Q(milestone__in=milestones)),
        Activity.objects.filter(Q(user__in=users) | Q(topic__in=topics) | Q(milestone__in=milestones)),
        TopicNote.objects.filter(Q(user__in=users) | Q(topic__in=topics)),
        ReadyCheckTick.objects.filter(Q(user__in=users) | Q(ready_check__topic__in=topics)),
        ReadyCheck.objects.filter(topic__in=topics),
        TrackGoal.objects.filter(Q(user__in=users) | Q(track__in=tracks)),
        TopicReview.objects.filter(Q(user__in=users) | Q(topic__in=topics)),
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
    TaggedItem, EmailAddress, TrackFollow, TopicProgress, Rating, Bookmark, MilestoneCompletion, Activity,
    TopicNote, TrackGoal, TopicReview, ProjectSubmission, ProjectVote, ProjectFeedback,
)  # fmt: skip


def _finish(ids: Ids) -> None:
    """The last step of seeding, once the rows are committed: the tables just filled as a live database keeps
    them (PostgreSQL), and new cache version tokens, since rows inserted in bulk send no signals.

    A live database is vacuumed by autovacuum; rows just COPYed are not, and reading them is not what a site
    in use does (no visibility map, so no index-only scans; hint bits set on first reads). So VACUUM
    (ANALYZE) them: on a fresh scale-1 database, the learner pages of `make render-times` took about 1.5 times
    as long without it (dashboard 24.7 ms, then 16.8 ms). Inside a transaction (a test's) VACUUM can't run,
    and ANALYZE alone refreshes the planner's statistics."""
    if connection.vendor == "postgresql":
        tables = [get_user_model()._meta.db_table, *(model._meta.db_table for model in SEEDED_MODELS)]
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            cursor.execute(f"{command} {', '.join(map(connection.ops.quote_name, tables))}")
    cache_tokens.bump(cache_tokens.CATALOGUE, cache_tokens.STATS, *map(cache_tokens.learner, ids.users))
