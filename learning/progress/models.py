"""What a learner keeps of their own learning: followed tracks, progress on topics, completed milestones,
bookmarks, notes on topics, ticked "ready when" self-checks, the record of learning actions that streaks and
the activity calendar count, the review schedule of done topics, and weekly goals per track.

Every row belongs to one user; the database refuses a second row for the same (user, object) and any
value out of range.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from learning.catalogue.models import Milestone, ReadyCheck, Resource, Topic, Track
from plumbing.token_querysets import OwnedQuerySet
from plumbing.urls import reversed_url

NOTE_MAX_LENGTH = 1000
GOAL_MAX_HOURS = 60  # hours a week: a full-time job and then some
ALL_DAYS = 0b1111111  # TrackGoal.study_days: bit 0 is Monday … bit 6 Sunday
TOPIC_NOTE_MAX_LENGTH = 20_000  # a page or two of Markdown per topic


class TrackFollow(models.Model):
    """A track the learner chose to follow; it leads their dashboard. Checking off on a track follows it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tracks"
    )
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="followers")
    started_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "track"], name="follow_once_per_user_track")]

    def __str__(self):
        return f"{self.user} follows {self.track}"


class TopicProgress(models.Model):
    class Status(models.TextChoices):
        LEARNING = "learning", "Learning"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_progress"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(max_length=10, choices=Status.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "topic progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="progress_once_per_user_topic"),
            models.CheckConstraint(
                condition=Q(status__in=["learning", "done", "skipped"]), name="progress_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False) | ~Q(status="done"),
                name="progress_done_has_completed_at",
            ),
        ]
        indexes = [models.Index(fields=["user", "status", "-completed_at"], name="progress_user_recent")]

    def __str__(self):
        return f"{self.user} · {self.topic}: {self.status}"


class MilestoneCompletion(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestone_completions"
    )
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "milestone"], name="completion_once_per_user_milestone")
        ]

    def __str__(self):
        return f"{self.user} · {self.milestone}"


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="bookmarks")
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, help_text="Private to the learner.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    shows_to_visitors = True  # bookmark counts show on resource cards
    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "resource"], name="bookmark_once_per_user_resource"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH), name="bookmark_note_length"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.resource}"


class TopicNote(models.Model):
    """A learner's own notes on a topic ("My notes" on the topic page): Markdown, private to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_notes")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(max_length=TOPIC_NOTE_MAX_LENGTH, help_text="Markdown. Private to the learner.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="topic_note_once_per_user_topic"),
            models.CheckConstraint(condition=Q(text__gt=""), name="topic_note_not_empty"),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TOPIC_NOTE_MAX_LENGTH), name="topic_note_length"
            ),
        ]
        indexes = [models.Index(fields=["user", "-updated_at"], name="topic_note_user_recent")]

    def __str__(self):
        return f"{self.user} · {self.topic}"


class Activity(models.Model):
    """One learning action on one of the learner's days: a topic's status set, a milestone built, a note
    written. At most one row per (learner, day, kind, subject), so a day's count is of different actions,
    not of clicks. `day` is the date in the learner's time zone when it happened, kept as it was if they
    later change zone."""

    class Kind(models.TextChoices):
        LEARNING = "learning", "Started a topic"
        DONE = "done", "Finished a topic"
        SKIPPED = "skipped", "Skipped a topic"
        MILESTONE = "milestone", "Built a milestone"
        NOTE = "note", "Wrote notes"
        REVIEW = "review", "Reviewed a topic"
        SELF_CHECK = "self_check", "Ticked a self-check"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What it was about: "topic:<id>" or "milestone:<id>", kept when the topic or milestone is deleted.
    subject = models.CharField(max_length=40)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    day = models.DateField()

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day", "kind", "subject"], name="activity_once_per_day"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["learning", "done", "skipped", "milestone", "note", "review", "self_check"]
                ),
                name="activity_kind_known",
            ),
        ]
        indexes = [models.Index(fields=["user", "day"], name="activity_user_day")]

    def __str__(self):
        return f"{self.user} · {self.day} · {self.kind} {self.subject}"


class ReadyCheckTick(models.Model):
    """A "You're ready when" check of a topic that the learner ticked as true of them: private to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ready_ticks")
    # Not named `check`: a field of that name would hide Model.check(), which Django's system checks call.
    ready_check = models.ForeignKey(ReadyCheck, on_delete=models.CASCADE, related_name="ticks")
    ticked_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ready_check"], name="ready_tick_once_per_user_check")
        ]

    def __str__(self):
        return f"{self.user} · {self.ready_check}"


# Leitner boxes: a topic answered "Still solid" moves up a box and comes back after that box's interval;
# "Need a refresher" sends it back to box 1. The last box keeps it, every 60 days.
REVIEW_INTERVALS = {1: 3, 2: 7, 3: 21, 4: 60}  # box → days until it is due again
LAST_BOX = max(REVIEW_INTERVALS)


class TopicReview(models.Model):
    """When the learner next reviews a topic they finished: one row per done topic, made when it is marked
    done (box 1, due three days later) and removed when it is no longer done. `due` is a date on the
    learner's calendar (their time zone's): it comes due at their midnight."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_reviews")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="spaced_reviews")
    box = models.PositiveSmallIntegerField(default=1)
    due = models.DateField()
    last_reviewed = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="review_once_per_user_topic"),
            models.CheckConstraint(condition=Q(box__gte=1, box__lte=LAST_BOX), name="review_box_known"),
        ]
        indexes = [models.Index(fields=["user", "due"], name="review_user_due")]

    def __str__(self):
        return f"{self.user} · {self.topic}: box {self.box}, due {self.due}"

    def get_answer_url(self):
        """Where "Still solid" and "Need a refresher" are posted."""
        return reversed_url("learning:topic_review", slug=self.topic.slug)


class TrackGoal(models.Model):
    """A learner's weekly goal on a track: the hours a week they mean to study it, and on which weekdays
    (`study_days`: a bitmask, bit 0 Monday … bit 6 Sunday; 0 means no day chosen: any day). The projected
    finish and this week's state are worked out from it (learning/progress/goals.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="track_goals")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="goals")
    hours_per_week = models.PositiveSmallIntegerField()
    study_days = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "track"], name="goal_once_per_user_track"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1, hours_per_week__lte=GOAL_MAX_HOURS),
                name="goal_hours_per_week_range",
            ),
            models.CheckConstraint(
                condition=Q(study_days__gte=0, study_days__lte=ALL_DAYS), name="goal_study_days_range"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.track}: {self.hours_per_week} h a week"


class DigestSent(models.Model):
    """The weekly digest queued for a learner for one week (`week`: the Monday of that week on their days).
    Inserted in the transaction that queues the mail: the database refuses a second row for the same learner
    and week, so two runs at once send one mail between them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests_sent")
    week = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "digest sent"
        verbose_name_plural = "digests sent"
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_user_week")]

    def __str__(self):
        return f"{self.user} · digest for the week of {self.week}"
