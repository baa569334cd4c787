"""Reads of a learner's progress: the dashboard's tracks, bookmarks, notes, follows and the public profile."""

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import (
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.shortcuts import get_object_or_404

from learning.catalogue.models import Topic
from learning.catalogue.queries import (
    TrackOutline,
    TrackPath,
    ordered_steps,
    placement_in,
    published_tracks,
    track_outlines,
    track_path,
)
from learning.progress.models import (
    Bookmark,
    ReadyCheckTick,
    TopicNote,
    TopicProgress,
    TopicReview,
)
from learning.progress.state import (
    STATUS_ROWS,
    LearnerRecord,
    LearnerState,
    learner_record_read,
    read_rows,
    track_progress,
)
from plumbing.sql import Read, as_date, as_datetime, read_together

RECENT_COMPLETIONS = 8


RESOURCE_BOOKMARKED = (
    "SELECT 1 FROM learning_bookmark b WHERE b.user_id = %(user_id)s AND b.resource_id = %(resource_id)s"
)


def bookmarked_read(user, resource_id: int) -> Read:
    """Whether the learner bookmarked the resource (read_together runs it beside their rating)."""
    return Read(RESOURCE_BOOKMARKED, {"user_id": user.pk, "resource_id": resource_id}, bool)


def topic_path(
    topic, track_slug: str = "", *, first_followed: int | None = None, steps_of=None
) -> TrackPath | None:
    """The track a topic page walks, with the topic's neighbours in it; None when there is none.

    The track named by `?track=` when it contains the topic and the viewer may see it (topic_for_page's
    placements); otherwise `first_followed`: the track containing it that the learner followed first
    (topic_reads reads it with their other bits of the page; None for a visitor). `steps_of(track_id)`
    gives a track's ordered steps (by default one query: ordered_steps).
    """
    if not topic.placements:
        return None
    if steps_of is None:
        steps_of = track_steps
    placement = placement_in(topic, track_slug) if track_slug else None
    if placement is None and first_followed is not None:
        placement = next((step for step in topic.placements if step.track_id == first_followed), None)
    if placement is None:
        return None
    steps = steps_of(placement.track_id)
    return track_path(placement, steps) if steps else None


def track_steps(track_id) -> list:
    return list(ordered_steps([track_id]))


def progress_by_track(tracks, state: LearnerState) -> dict:
    """Track id → TrackProgress for every track: the tracks' outlines come from the catalogue version's memo
    (two queries once per version), the learner's state is laid over them in memory."""
    if not tracks:
        return {}
    outlines = track_outlines()
    empty = TrackOutline()
    return {
        track.pk: track_progress(outline.steps, outline.milestones, state)
        for track in tracks
        for outline in [outlines.get(track.pk, empty)]
    }


@dataclass(frozen=True)
class Dashboard:
    in_progress: list  # [(track, progress)] of the tracks the learner follows
    also_progressing: list  # [(track, progress)] not followed, but with shared topics done
    not_started: list  # tracks with no progress at all
    recently_done: list
    done_count: int
    state: LearnerState = field(default_factory=LearnerState)  # what they checked off (goals' projections)


def dashboard_for(user) -> Dashboard:
    """The learner's tracks with their progress, and their latest done topics: two statements read together
    (learner_record's and recently_done's: one round trip on PostgreSQL); the tracks and their outlines are
    the catalogue version's memo."""
    return dashboard_of(*read_together(learner_record_read(user), recently_done_read(user)))


def dashboard_of(record: LearnerRecord, recent: list) -> Dashboard:
    """The Dashboard of a learner's record and their recently done topics, read by the caller."""
    state, followed = record.state, record.followed
    tracks = published_tracks()
    progress = progress_by_track(tracks, state)
    in_progress = [(track, progress[track.pk]) for track in tracks if track.pk in followed]
    in_progress.sort(key=lambda item: (item[1].finished, -item[1].percent))
    also_progressing = [
        (track, progress[track.pk])
        for track in tracks
        if track.pk not in followed and progress[track.pk].done
    ]
    also_progressing.sort(key=lambda item: -item[1].percent)
    return Dashboard(
        in_progress=in_progress,
        also_progressing=also_progressing,
        not_started=[track for track in tracks if track.pk not in followed and not progress[track.pk].done],
        recently_done=recent,
        done_count=sum(1 for status in state.statuses.values() if status == TopicProgress.Status.DONE),
        state=state,
    )


RECENTLY_DONE_SQL = """
    SELECT t.id, t.slug, t.title, p.completed_at
    FROM learning_topicprogress p JOIN learning_topic t ON t.id = p.topic_id
    WHERE p.user_id = %(user)s AND p.status = 'done' AND t.is_published = %(published)s
    ORDER BY p.completed_at DESC
    LIMIT %(recent)s
"""


def recently_done(user) -> list:
    """The learner's latest RECENT_COMPLETIONS done topics that are published, newest first: a link and a
    date each (TopicProgress with its topic's id, slug and title, no guide). Hand-written (plumbing.sql)."""
    return recently_done_read(user).run()


def recently_done_read(user) -> Read:
    def parse(rows) -> list:
        return [
            TopicProgress(
                user_id=user.pk,
                status=TopicProgress.Status.DONE,
                completed_at=as_datetime(completed_at),
                topic=Topic(id=topic_id, slug=slug, title=title, is_published=True),
            )
            for topic_id, slug, title, completed_at in rows
        ]

    return Read(RECENTLY_DONE_SQL, {"user": user.pk, "published": True, "recent": RECENT_COMPLETIONS}, parse)


REVIEWS_SHOWN = 5  # a batch to answer in one sitting; the next ones show as these are answered


@dataclass(frozen=True)
class DueReviews:
    shown: list  # the oldest due reviews, at most REVIEWS_SHOWN, each with its topic
    more: int  # how many more are due
    next_due: date | None = None  # when nothing is due: the date the next review comes due (None: no reviews)


# The oldest due reviews of published topics (and, with the window, how many are due); the first due date.
DUE_REVIEWS_SQL = """
    SELECT r.id, r.box, r.due, r.last_reviewed, t.id, t.slug, t.title, {total}
    FROM learning_topicreview r JOIN learning_topic t ON t.id = r.topic_id
    WHERE r.user_id = %(user)s AND r.due <= %(today)s AND t.is_published = %(published)s
    ORDER BY r.due, r.id
    LIMIT %(reviews)s
"""
DUE_REVIEWS_COUNTED_SQL = DUE_REVIEWS_SQL.format(total="0")
DUE_REVIEWS_WINDOW_SQL = DUE_REVIEWS_SQL.format(total="COUNT(*) OVER ()")
# The first by the (user, due) index, rather than MIN over every review joined to its topic: the heavy demo
# learner's 350 reviews took 0.3 ms that way, this 0.04.
FIRST_DUE_SQL = """
    SELECT r.due FROM learning_topicreview r JOIN learning_topic t ON t.id = r.topic_id
    WHERE r.user_id = %(user)s AND t.is_published = %(published)s
    ORDER BY r.due LIMIT 1
"""


def due_reviews(user, today) -> DueReviews:
    """The learner's reviews due on `today` or earlier, oldest first, with how many more there are: one
    query (a window counts them all before the limit). When none is due, one more finds the date the next
    one comes due. Hand-written (plumbing.sql): each review comes with its topic's id, slug and title."""
    shown, total = due_reviews_read(user, today, counted=False).run()
    return due_reviews_of(shown, total, None if shown else first_due_read(user).run())


def due_reviews_of(shown: list, due_count: int, first_due: date | None) -> DueReviews:
    """DueReviews of the reviews shown, how many are due, and the date the first comes due (said only when
    none is due)."""
    if shown:
        return DueReviews(shown=shown, more=max(0, due_count - len(shown)))
    return DueReviews(shown=[], more=0, next_due=first_due)


def due_reviews_read(user, today, *, counted: bool) -> Read:
    """The oldest REVIEWS_SHOWN reviews due, each with its topic, and how many are due (with `counted`,
    the caller counted them: 0 here)."""

    def parse(rows) -> tuple[list, int]:
        shown = [
            TopicReview(
                id=pk,
                user_id=user.pk,
                box=box,
                due=as_date(due),
                last_reviewed=as_datetime(last_reviewed),
                topic=Topic(id=topic_id, slug=slug, title=title, is_published=True),
            )
            for pk, box, due, last_reviewed, topic_id, slug, title, _ in rows
        ]
        return shown, rows[0][-1] if rows else 0

    statement = DUE_REVIEWS_COUNTED_SQL if counted else DUE_REVIEWS_WINDOW_SQL
    params = {"user": user.pk, "today": today, "published": True, "reviews": REVIEWS_SHOWN}
    return Read(statement, params, parse)


def first_due_read(user) -> Read:
    """The date the learner's first review of a published topic comes due (None: they have none)."""
    return Read(
        FIRST_DUE_SQL,
        {"user": user.pk, "published": True},
        lambda rows: as_date(rows[0][0]) if rows else None,
    )


BOOKMARKS_PER_PAGE = 25


def bookmarks_by_topic(user, page_number=None) -> tuple[Page, list]:
    """One page of the learner's bookmarks, grouped under the first (by title) published topic of each
    resource: the groups in that title order ("Other", for a resource in no published topic, last), newest
    first within a group. The page is the bookmarks', so a group may go on on the next page. Three queries:
    the count, the page, its resources' topics."""
    topics = Topic.objects.published().order_by("title")
    first_topic = topics.filter(resources=OuterRef("resource")).values("title")[:1]
    bookmarks = (
        Bookmark.objects.filter(user=user, resource__is_published=True)
        .annotate(group=Subquery(first_topic))
        .select_related("resource")
        .order_by(F("group").asc(nulls_last=True), "-created_at", "-pk")
    )
    page = Paginator(bookmarks, BOOKMARKS_PER_PAGE).get_page(page_number)
    shown = list(page.object_list)
    prefetch_related_objects(shown, Prefetch("resource__topics", queryset=topics))
    groups: dict = {}
    for bookmark in shown:
        groups.setdefault(next(iter(bookmark.resource.topics.all()), None), []).append(bookmark)
    return page, list(groups.items())


def bookmark_of(user, pk) -> Bookmark:
    """The learner's own bookmark, or 404: another learner's bookmark is never found."""
    return get_object_or_404(Bookmark.objects.select_related("resource"), pk=pk, user=user)


@dataclass(frozen=True)
class PublicProfile:
    """What a learner's public profile shows. Never their email, bookmarks, notes or ratings."""

    following: list  # [(track, progress)] of the tracks they follow
    also_progressing: list  # [(track, progress)] not followed, but with shared topics done
    recently_done: list  # TopicProgress of published topics, newest first
    done_count: int
    milestones_done: int


def public_profile_of(user) -> PublicProfile:
    """The dashboard's reads, cut down to what may be public, plus completed milestones: constant queries."""
    dashboard = dashboard_for(user)
    return PublicProfile(
        following=dashboard.in_progress,
        also_progressing=dashboard.also_progressing,
        recently_done=dashboard.recently_done,
        done_count=dashboard.done_count,
        milestones_done=user.milestone_completions.filter(milestone__stage__track__is_published=True).count(),
    )


NOTES_PER_PAGE = 20


def topic_note(user, topic) -> TopicNote | None:
    """The learner's note on the topic: one query for a learner, none for a visitor."""
    if not user.is_authenticated:
        return None
    return TopicNote.objects.filter(user=user, topic=topic).first()


# The kinds of topic_reads' rows besides the statuses
BOOKMARKED, TICKED, NOTED, FIRST_FOLLOWED = "bookmarked", "ticked", "noted", "first-followed"


@dataclass(frozen=True)
class TopicReads:
    """What a topic page shows of the learner: their statuses (the track's next step), which of the listed
    resources they bookmarked, which of the topic's checks they ticked, whether they wrote a note on it."""

    state: LearnerState = field(default_factory=LearnerState)
    bookmarked: set = field(default_factory=set)
    ticks: set = field(default_factory=set)
    noted: bool = False
    first_followed: int | None = None  # of the tracks asked about, the one they followed first


def topic_reads(user, topic, resource_ids, *, checks: bool = True, tracks=()) -> TopicReads:
    """The learner's TopicReads in one query (UNION ALL), none for a visitor; `checks=False`: the topic has
    no checks to read ticks of. Whether they wrote a note comes with it, so that the note's text is read
    (topic_note) only when there is one; and of `tracks` (the ids of those containing the topic), the one
    they followed first, which the page walks when no ?track= names one. Hand-written (plumbing.sql)."""
    if not user.is_authenticated:
        return TopicReads()
    return topic_reads_read(user, topic, resource_ids, checks=checks, tracks=tracks).run()


def topic_reads_read(user, topic, resource_ids, *, checks: bool = True, tracks=()) -> Read:
    listed = {f"resource_{index}": pk for index, pk in enumerate(resource_ids)}
    containing = {f"track_{index}": pk for index, pk in enumerate(tracks)}
    rows = [STATUS_ROWS, TOPIC_NOTED_ROWS]
    if listed:
        among = ", ".join(f"%({name})s" for name in listed)
        rows.append(f"{BOOKMARKED_ROWS} AND resource_id IN ({among})")
    if checks:
        rows.append(TICKED_ROWS)
    if containing:
        among = ", ".join(f"%({name})s" for name in containing)
        rows.append(FIRST_FOLLOWED_ROWS.format(among=among))
    params = {"user": user.pk, "topic": topic.pk} | listed | containing
    return Read(" UNION ALL ".join(rows), params, topic_reads_from)


# The kinds of topic_reads' rows besides the statuses (state.STATUS_ROWS), in their shape: NOTED, BOOKMARKED
# and TICKED (tests/learning/test_hand_written_sql.py checks the texts agree).
TOPIC_NOTED_ROWS = """SELECT 'noted', topic_id, NULL, NULL FROM learning_topicnote
    WHERE user_id = %(user)s AND topic_id = %(topic)s"""
BOOKMARKED_ROWS = (
    "SELECT 'bookmarked', resource_id, NULL, NULL FROM learning_bookmark WHERE user_id = %(user)s"
)
TICKED_ROWS = """SELECT 'ticked', tick.ready_check_id, NULL, NULL FROM learning_readychecktick tick
    JOIN learning_readycheck ready_check ON ready_check.id = tick.ready_check_id
    WHERE tick.user_id = %(user)s AND ready_check.topic_id = %(topic)s"""
# {among}: the placeholders of the tracks' ids (never values); a derived table, so its order and limit hold
# inside the UNION ALL on both databases.
FIRST_FOLLOWED_ROWS = """SELECT 'first-followed', track_id, NULL, NULL FROM (
    SELECT track_id FROM learning_trackfollow WHERE user_id = %(user)s AND track_id IN ({among})
    ORDER BY started_at, id LIMIT 1) first_followed"""


def topic_reads_from(rows) -> TopicReads:
    record = read_rows((pk, kind) for kind, pk, *_ in rows)
    marked = record.marked
    first_followed = next(iter(marked.get(FIRST_FOLLOWED, ())), None)
    return TopicReads(
        record.state,
        marked.get(BOOKMARKED, set()),
        marked.get(TICKED, set()),
        noted=NOTED in marked,
        first_followed=first_followed,
    )


def ready_ticks_of(user) -> set[int]:
    """The ids of every "You're ready when" check the learner ticked: one query, none for a visitor."""
    if not user.is_authenticated:
        return set()
    return set(ReadyCheckTick.objects.filter(user=user).values_list("ready_check_id", flat=True))


def notes_by_topic(user) -> dict:
    """Topic id → the learner's note on it, for every topic they wrote on (one query; none for a visitor)."""
    if not user.is_authenticated:
        return {}
    return dict(TopicNote.objects.filter(user=user).values_list("topic_id", "text"))


def notes_of(user, *, words: str = "", page_number=None) -> Page:
    """One page of the learner's notes, the most recently edited first, each with its topic (two queries:
    the count and the page). `words`: only notes whose text or topic title holds every one of them."""
    notes = TopicNote.objects.filter(user=user).select_related("topic").order_by("-updated_at", "-pk")
    for word in words.split():
        notes = notes.filter(Q(text__icontains=word) | Q(topic__title__icontains=word))
    return Paginator(notes, NOTES_PER_PAGE).get_page(page_number)
