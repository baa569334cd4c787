"""A learner's progress in their personal-data export (accounts.personal_data): one query per section."""

from django.urls import reverse

from accounts.personal_data import export_time, register_section
from learning.progress.goals import WEEKDAYS
from learning.progress.models import (
    Activity,
    Bookmark,
    DigestSent,
    MilestoneCompletion,
    ReadyCheckTick,
    TopicNote,
    TopicProgress,
    TopicReview,
    TrackFollow,
    TrackGoal,
)


def followed_tracks(user) -> list[dict]:
    return [
        {
            "track": follow.track.slug,
            "title": follow.track.title,
            "started_at": export_time(follow.started_at),
        }
        for follow in TrackFollow.objects.filter(user=user).select_related("track").order_by("pk")
    ]


def topic_progress(user) -> list[dict]:
    return [
        {
            "topic": progress.topic.slug,
            "title": progress.topic.title,
            "status": progress.status,
            "updated_at": export_time(progress.updated_at),
            "completed_at": export_time(progress.completed_at),
        }
        for progress in TopicProgress.objects.filter(user=user).select_related("topic").order_by("pk")
    ]


def milestones_done(user) -> list[dict]:
    return [
        {
            "track": done.milestone.stage.track.slug,
            "milestone": done.milestone.title,
            "completed_at": export_time(done.completed_at),
        }
        for done in MilestoneCompletion.objects.filter(user=user)
        .select_related("milestone__stage__track")
        .order_by("pk")
    ]


def bookmarks(user) -> list[dict]:
    return [
        {
            "url": mark.resource.url,
            "title": mark.resource.title,
            "note": mark.note,
            "created_at": export_time(mark.created_at),
        }
        for mark in Bookmark.objects.filter(user=user).select_related("resource").order_by("pk")
    ]


def topic_notes(user) -> list[dict]:
    return [
        {
            "topic": note.topic.slug,
            "title": note.topic.title,
            "text": note.text,
            "created_at": export_time(note.created_at),
            "updated_at": export_time(note.updated_at),
        }
        for note in TopicNote.objects.filter(user=user).select_related("topic").order_by("pk")
    ]


def ready_checks_ticked(user) -> list[dict]:
    return [
        {
            "topic": tick.ready_check.topic.slug,
            "check": tick.ready_check.text,
            "ticked_at": export_time(tick.ticked_at),
        }
        for tick in ReadyCheckTick.objects.filter(user=user)
        .select_related("ready_check__topic")
        .order_by("pk")
    ]


def activity(user) -> list[dict]:
    return [
        {
            "day": action.day.isoformat(),
            "kind": action.kind,
            "subject": action.subject,
            "topic": action.topic.slug if action.topic else None,
            "milestone": action.milestone.title if action.milestone else None,
            "at": export_time(action.at),
        }
        for action in Activity.objects.filter(user=user)
        .select_related("topic", "milestone")
        .order_by("at", "pk")
    ]


def topic_reviews(user) -> list[dict]:
    return [
        {
            "topic": review.topic.slug,
            "title": review.topic.title,
            "box": review.box,
            "due": review.due.isoformat(),
            "last_reviewed": export_time(review.last_reviewed),
        }
        for review in TopicReview.objects.filter(user=user).select_related("topic").order_by("pk")
    ]


def track_goals(user) -> list[dict]:
    return [
        {
            "track": goal.track.slug,
            "hours_per_week": goal.hours_per_week,
            "study_days": [name for weekday, name in enumerate(WEEKDAYS) if goal.study_days & (1 << weekday)],
            "created_at": export_time(goal.created_at),
            "updated_at": export_time(goal.updated_at),
        }
        for goal in TrackGoal.objects.filter(user=user).select_related("track").order_by("pk")
    ]


def digests_sent(user) -> list[dict]:
    return [
        {"week": digest.week.isoformat(), "sent_at": export_time(digest.sent_at)}
        for digest in DigestSent.objects.filter(user=user).order_by("week", "pk")
    ]


def calendar_feed(user) -> list[dict]:
    """The learner's own feed address (its path: the export is theirs), while the feed is on."""
    if not user.calendar_token:
        return []
    return [{"path": reverse("learning:calendar_feed", args=[user.calendar_token])}]


def register() -> None:
    register_section("followed_tracks", followed_tracks)
    register_section("topic_progress", topic_progress)
    register_section("milestones_done", milestones_done)
    register_section("bookmarks", bookmarks)
    register_section("topic_notes", topic_notes)
    register_section("ready_checks_ticked", ready_checks_ticked)
    register_section("activity", activity)
    register_section("topic_reviews", topic_reviews)
    register_section("track_goals", track_goals)
    register_section("digests_sent", digests_sent)
    register_section("calendar_feed", calendar_feed)
