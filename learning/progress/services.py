"""Writes of a learner's progress: topic status, follows, milestones built, bookmarks, reviews of done topics,
ready-check ticks. Keyword-only functions that validate, then save in a transaction.

Views, the admin and commands call these, so one rule holds everywhere. Each write is idempotent: two
identical requests at once leave one row (the unique constraints decide, and get_or_create retries).
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from learning.catalogue.models import Milestone, Step, Track
from learning.progress.activity import learners_day
from learning.progress.models import (
    ALL_DAYS,
    GOAL_MAX_HOURS,
    LAST_BOX,
    NOTE_MAX_LENGTH,
    REVIEW_INTERVALS,
    TOPIC_NOTE_MAX_LENGTH,
    Activity,
    Bookmark,
    MilestoneCompletion,
    ReadyCheckTick,
    TopicNote,
    TopicProgress,
    TopicReview,
    TrackFollow,
    TrackGoal,
)
from plumbing import cache_tokens
from plumbing.sql import Read, date_param, datetime_param, fetch_all, read_together
from plumbing.text import clean_learner_text

NOT_STARTED = "not_started"
STATUS_CHOICES = [(NOT_STARTED, "Not started"), *TopicProgress.Status.choices]


def activity_subject(topic, milestone) -> str:
    """What an Activity row is about, as stored in its `subject`: "topic:<id>" or "milestone:<id>"."""
    return f"topic:{topic.pk}" if topic is not None else f"milestone:{milestone.pk}"


def record_activity(*, user, kind: str, topic=None, milestone=None) -> None:
    """Counts a learning action on the learner's today (once per kind and subject a day: INSERT … ON
    CONFLICT DO NOTHING, so two identical requests at once still leave one row)."""
    now = timezone.now()
    subject = activity_subject(topic, milestone)
    Activity.objects.bulk_create(
        [
            Activity(
                user=user,
                kind=kind,
                subject=subject,
                topic=topic,
                milestone=milestone,
                at=now,
                day=learners_day(user, now),
            )
        ],
        ignore_conflicts=True,
    )


def undo_todays_activity(*, user, topic=None, milestone=None, kind: str | None = None) -> None:
    """An action taken back the day it was taken (a check-off undone, a milestone unmarked) no longer counts
    for that day: a streak can't be kept by ticking and unticking. `kind`: only that kind's (a self-check
    unticked leaves the topic's status change of the day standing)."""
    subject = activity_subject(topic, milestone)
    actions = Activity.objects.filter(user=user, subject=subject, day=learners_day(user))
    if kind is not None:
        actions = actions.filter(kind=kind)
    actions.delete()


@cache_tokens.bumped_once()  # its writes move the learner's token once, not once each
def set_topic_status(*, user, topic, status: str, following: Track | None = None) -> None:
    """Sets a learner's status for a topic; `not_started` removes it. A change counts as the day's activity;
    going back to not started the same day takes that day's activity on the topic back. A topic that becomes
    done gets its review schedule (box 1); one that is no longer done loses it. `following`: the track the
    learner checked it off from, which they then follow.

    Everything is written together or not at all, in one transaction (one BEGIN … COMMIT, where each write's
    own would be two round trips more and a commit each; inside a caller's transaction, no savepoint: an
    error undoes the caller's too)."""
    if status != NOT_STARTED and status not in TopicProgress.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    with transaction.atomic(savepoint=False):
        if status == NOT_STARTED:
            _remove_status(user, topic)
            if following is not None:
                follow_track(user=user, track=following)
        else:
            _change_status(user, topic, status, following)


def _remove_status(user, topic) -> None:
    removed, _ = TopicProgress.objects.filter(user=user, topic=topic).delete()
    if removed:
        undo_todays_activity(user=user, topic=topic)
        TopicReview.objects.filter(user=user, topic=topic).delete()


# A learner's status for a topic in one statement: a new row, or the row they have where its status differs.
# RETURNING gives a row when either happened, none when the status was already this one. (Through the ORM a
# check-off of a topic not started was five round trips: an UPDATE that found nothing, then get_or_create's
# SELECT, SAVEPOINT, INSERT and RELEASE.) PostgreSQL, and SQLite from 3.35.
SET_STATUS = """
INSERT INTO learning_topicprogress (user_id, topic_id, status, started_at, updated_at, completed_at)
VALUES (%(user)s, %(topic)s, %(status)s, %(now)s, %(now)s, %(completed_at)s)
ON CONFLICT (user_id, topic_id) DO UPDATE
SET status = excluded.status, completed_at = excluded.completed_at, updated_at = excluded.updated_at
WHERE learning_topicprogress.status <> excluded.status
RETURNING id
"""
# What follows a change, written together (one round trip on PostgreSQL: plumbing.sql.read_together), each
# once (ON CONFLICT DO NOTHING, as record_activity, schedule_review and follow_track write them through the
# ORM, which cost a millisecond of Python for the three): the day's activity, the first review of a topic
# done, the follow of the track it was checked off from. RETURNING says whether a row was written.
STATUS_ACTIVITY = """
INSERT INTO learning_activity (user_id, kind, subject, topic_id, milestone_id, at, day)
VALUES (%(user)s, %(status)s, %(subject)s, %(topic)s, NULL, %(now)s, %(day)s)
ON CONFLICT DO NOTHING RETURNING id
"""
FIRST_REVIEW = """
INSERT INTO learning_topicreview (user_id, topic_id, box, due, last_reviewed)
VALUES (%(user)s, %(topic)s, 1, %(due)s, NULL)
ON CONFLICT DO NOTHING RETURNING id
"""
FOLLOW = """
INSERT INTO learning_trackfollow (user_id, track_id, started_at) VALUES (%(user)s, %(track)s, %(now)s)
ON CONFLICT DO NOTHING RETURNING id
"""


def _change_status(user, topic, status: str, following: Track | None) -> None:
    moment = timezone.now()
    now = datetime_param(moment)
    completed_at = now if status == TopicProgress.Status.DONE else None
    mine = {"user": user.pk, "topic": topic.pk}
    changed = fetch_all(SET_STATUS, mine | {"status": status, "now": now, "completed_at": completed_at})
    writes = []
    if changed:  # none: the status it had already
        today = learners_day(user, moment)
        subject = activity_subject(topic, None)
        activity = {"status": status, "subject": subject, "now": now, "day": date_param(today)}
        writes.append(Read(STATUS_ACTIVITY, mine | activity, bool))
        if status == TopicProgress.Status.DONE:
            due = date_param(today + timedelta(days=REVIEW_INTERVALS[1]))
            writes.append(Read(FIRST_REVIEW, mine | {"due": due}, bool))
        else:
            TopicReview.objects.filter(user=user, topic=topic).delete()
    if following is not None:
        writes.append(Read(FOLLOW, {"user": user.pk, "track": following.pk, "now": now}, bool))
    # A changed status, or only a new follow: as a save of the rows would (learning.signals).
    if any(read_together(*writes)) or changed:
        cache_tokens.bump(cache_tokens.learner(user.pk))


def schedule_review(*, user, topic) -> None:
    """The first review of a topic just done: box 1, due on the learner's today + 3 days. One INSERT … ON
    CONFLICT DO NOTHING (a schedule already there stays as it is), like record_activity."""
    due = learners_day(user) + timedelta(days=REVIEW_INTERVALS[1])
    TopicReview.objects.bulk_create(
        [TopicReview(user=user, topic=topic, box=1, due=due)], ignore_conflicts=True
    )


SOLID = "solid"
REFRESH = "refresh"


@cache_tokens.bumped_once()
def answer_review(*, user, review: TopicReview, answer: str, relearn: bool = False) -> bool:
    """The learner's answer to a review that is due: "solid" moves the topic up a box (the last box keeps it)
    and it comes due after that box's interval; "refresh" sends it back to box 1 (three days), or with
    `relearn` sets the topic back to learning, which ends its schedule until it is done again. Either counts
    as the day's activity; `review` then holds its new box and date. Returns False, changing nothing, when
    the review isn't due on the learner's today (already answered, or answered twice at once: the update
    names the box and date it read)."""
    if answer not in (SOLID, REFRESH) or (relearn and answer != REFRESH):
        raise ValidationError({"answer": f"Unknown answer {answer!r}."})
    now = timezone.now()
    today = learners_day(user, now)
    if review.due > today:
        return False
    with transaction.atomic():
        if relearn:
            set_topic_status(user=user, topic=review.topic, status=TopicProgress.Status.LEARNING)
        else:
            box = min(review.box + 1, LAST_BOX) if answer == SOLID else 1
            due = today + timedelta(days=REVIEW_INTERVALS[box])
            changed = TopicReview.objects.filter(pk=review.pk, box=review.box, due=review.due).update_of(
                user, box=box, due=due, last_reviewed=now
            )
            if not changed:
                return False
            review.box, review.due, review.last_reviewed = box, due, now
        record_activity(user=user, kind=Activity.Kind.REVIEW, topic=review.topic)
    return True


@transaction.atomic
@cache_tokens.bumped_once()
def set_ready_ticks(*, user, topic, check_ids: set[int]) -> None:
    """Makes the learner's ticks of the topic's "You're ready when" checks exactly `check_ids` (ids of that
    topic's checks: the caller checks them). A newly ticked check counts as the day's self-check on the
    topic; once none of the topic's ticks dates from today (all unticked again), that day's self-check
    goes."""
    ticks = ReadyCheckTick.objects.filter(user=user, ready_check__topic=topic)
    ticks.exclude(ready_check_id__in=check_ids).delete()
    kept = list(ticks)
    new = check_ids - {tick.ready_check_id for tick in kept}
    if new:
        ReadyCheckTick.objects.bulk_create(
            [ReadyCheckTick(user=user, ready_check_id=pk) for pk in sorted(new)], ignore_conflicts=True
        )
        record_activity(user=user, kind=Activity.Kind.SELF_CHECK, topic=topic)
        return
    today = learners_day(user)
    if not any(learners_day(user, tick.ticked_at) == today for tick in kept):
        undo_todays_activity(user=user, topic=topic, kind=Activity.Kind.SELF_CHECK)


def follow_track(*, user, track: Track) -> None:
    """One INSERT … ON CONFLICT DO NOTHING: following a track followed already (or twice at once) leaves
    the one row, and its start."""
    TrackFollow.objects.bulk_create([TrackFollow(user=user, track=track)], ignore_conflicts=True)


@transaction.atomic
def unfollow_track(*, user, track: Track) -> None:
    TrackFollow.objects.filter(user=user, track=track).delete()


@transaction.atomic
def set_track_goal(*, user, track: Track, hours_per_week: int, study_days: int) -> TrackGoal:
    """Sets (or changes) the learner's weekly goal on a track, and follows the track."""
    if not 1 <= hours_per_week <= GOAL_MAX_HOURS:
        raise ValidationError(
            {"hours_per_week": f"Hours per week go from 1 to {GOAL_MAX_HOURS} (not {hours_per_week})."}
        )
    if not 0 <= study_days <= ALL_DAYS:
        raise ValidationError({"study_days": "Study days are days of the week, Monday to Sunday."})
    goal, _ = TrackGoal.objects.update_or_create(
        user=user, track=track, defaults={"hours_per_week": hours_per_week, "study_days": study_days}
    )
    follow_track(user=user, track=track)
    return goal


@transaction.atomic
def remove_track_goal(*, user, track: Track) -> bool:
    removed, _ = TrackGoal.objects.filter(user=user, track=track).delete()
    return bool(removed)


@transaction.atomic
@cache_tokens.bumped_once()
def set_milestone_done(*, user, milestone: Milestone, done: bool) -> None:
    if done:
        _, created = MilestoneCompletion.objects.get_or_create(user=user, milestone=milestone)
        follow_track(user=user, track=milestone.stage.track)
        if created:
            record_activity(user=user, kind=Activity.Kind.MILESTONE, milestone=milestone)
    else:
        removed, _ = MilestoneCompletion.objects.filter(user=user, milestone=milestone).delete()
        if removed:
            undo_todays_activity(user=user, milestone=milestone)


@transaction.atomic
@cache_tokens.bumped_once()
def reset_track_progress(*, user, track: Track) -> int:
    """Forgets the learner's progress on every topic and milestone of the track; returns rows removed.

    Topics are shared, so their progress goes in every track that contains them: the confirmation page
    lists those topics before the learner agrees.
    """
    topic_ids = Step.objects.filter(track=track).values("topic_id")
    removed, _ = TopicProgress.objects.filter(user=user, topic_id__in=topic_ids).delete()
    TopicReview.objects.filter(user=user, topic_id__in=topic_ids).delete()
    completions, _ = MilestoneCompletion.objects.filter(user=user, milestone__stage__track=track).delete()
    return removed + completions


def _checked_note(note: str) -> str:
    note = clean_learner_text(note)
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note under {NOTE_MAX_LENGTH} characters (it has {len(note)})."}
        )
    return note


@transaction.atomic
def add_bookmark(*, user, resource, note: str = "") -> Bookmark:
    note = _checked_note(note)
    bookmark, created = Bookmark.objects.get_or_create(user=user, resource=resource, defaults={"note": note})
    if not created and note and bookmark.note != note:
        bookmark.note = note
        bookmark.save(update_fields=["note", "updated_at"])
    return bookmark


@transaction.atomic
def remove_bookmark(*, user, resource) -> None:
    Bookmark.objects.filter(user=user, resource=resource).delete()


@transaction.atomic
def update_bookmark_note(*, bookmark: Bookmark, note: str) -> Bookmark:
    bookmark.note = _checked_note(note)
    bookmark.save(update_fields=["note", "updated_at"])
    return bookmark


@transaction.atomic
@cache_tokens.bumped_once()
def save_topic_note(*, user, topic, text: str) -> TopicNote | None:
    """The learner's note on `topic` becomes `text`; an empty text deletes it (None)."""
    text = clean_learner_text(text)
    if len(text) > TOPIC_NOTE_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Keep the note under {TOPIC_NOTE_MAX_LENGTH:,} characters (it has {len(text):,})."}
        )
    if not text:
        TopicNote.objects.filter(user=user, topic=topic).delete()
        return None
    note, _ = TopicNote.objects.update_or_create(user=user, topic=topic, defaults={"text": text})
    record_activity(user=user, kind=Activity.Kind.NOTE, topic=topic)
    return note


# ---------- Curated rows taken over by others (the content loader's `replaces`) ----------

# The more advanced of two statuses wins when a learner had progress on both topics of a merge.
STATUS_RANK: dict[str, int] = {
    TopicProgress.Status.SKIPPED: 0,
    TopicProgress.Status.LEARNING: 1,
    TopicProgress.Status.DONE: 2,
}


def carry_topic_progress(*, old, new: list) -> None:
    """Learners' progress on `old` moves to each topic of `new` (one for a rename or merge, several for a
    split). A learner with progress on both keeps the more advanced status (done > learning > skipped) and
    the earliest completion, and their review schedule moves too. `old`'s rows are then removed: a later load
    carries nothing twice."""
    rows = list(TopicProgress.objects.filter(topic=old))
    for topic in new:
        learners = [row.user_id for row in rows]
        have = {row.user_id: row for row in TopicProgress.objects.filter(topic=topic, user_id__in=learners)}
        for row in rows:
            mine = have.get(row.user_id)
            if mine is None:
                TopicProgress.objects.create(
                    user_id=row.user_id, topic=topic, status=row.status, completed_at=row.completed_at
                )
            elif STATUS_RANK[row.status] > STATUS_RANK[mine.status]:
                mine.status, mine.completed_at = row.status, row.completed_at
                mine.save(update_fields=["status", "completed_at", "updated_at"])
            elif row.status == mine.status == TopicProgress.Status.DONE and _earlier(row, mine):
                mine.completed_at = row.completed_at
                mine.save(update_fields=["completed_at", "updated_at"])
    TopicProgress.objects.filter(pk__in=[row.pk for row in rows]).delete()
    # Their review schedules go along (a learner with one on the new topic already keeps theirs).
    reviews = list(TopicReview.objects.filter(topic=old))
    for topic in new:
        TopicReview.objects.bulk_create(
            [
                TopicReview(
                    user_id=review.user_id,
                    topic=topic,
                    box=review.box,
                    due=review.due,
                    last_reviewed=review.last_reviewed,
                )
                for review in reviews
            ],
            ignore_conflicts=True,
        )
    TopicReview.objects.filter(pk__in=[review.pk for review in reviews]).delete()


def carry_topic_notes(*, old, new: list) -> None:
    """Learners' notes on `old` go to each topic of `new`: copied where they have none there, added below
    the one they have otherwise (within the length a note may have). `old`'s notes are then removed."""
    notes = list(TopicNote.objects.filter(topic=old))
    for topic in new:
        have = {
            note.user_id: note
            for note in TopicNote.objects.filter(topic=topic, user__in=[n.user_id for n in notes])
        }
        for note in notes:
            mine = have.get(note.user_id)
            if mine is None:
                TopicNote.objects.create(user_id=note.user_id, topic=topic, text=note.text)
            elif note.text not in mine.text:
                mine.text = f"{mine.text}\n\n{note.text}"[:TOPIC_NOTE_MAX_LENGTH]
                mine.save(update_fields=["text", "updated_at"])
    TopicNote.objects.filter(pk__in=[note.pk for note in notes]).delete()


def _earlier(row: TopicProgress, than: TopicProgress) -> bool:
    return (
        row.completed_at is not None
        and than.completed_at is not None
        and row.completed_at < than.completed_at
    )


def move_bookmarks(*, old, new) -> None:
    """Bookmarks of resource `old` move to `new`; a learner who bookmarked both keeps `new`'s, with `old`'s
    note added when `new`'s has none."""
    for bookmark in Bookmark.objects.filter(resource=old):
        kept = Bookmark.objects.filter(user_id=bookmark.user_id, resource=new).first()
        if kept is None:
            bookmark.resource = new
            bookmark.save(update_fields=["resource", "updated_at"])
            continue
        if bookmark.note and not kept.note:
            kept.note = bookmark.note
            kept.save(update_fields=["note", "updated_at"])
        bookmark.delete()


def move_completions(*, old, new) -> None:
    """ "Built" marks of milestone `old` move to `new` (a learner who marked both keeps `new`'s)."""
    for completion in MilestoneCompletion.objects.filter(milestone=old):
        if MilestoneCompletion.objects.filter(user_id=completion.user_id, milestone=new).exists():
            completion.delete()
        else:
            completion.milestone = new
            completion.save(update_fields=["milestone"])
