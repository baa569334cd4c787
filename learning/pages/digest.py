"""The weekly digest: one email a week to each learner who opted in, on the weekday they chose, in their
time zone (`python manage.py send_digests`, run hourly by cron or the task queue).

What it says: last week's activity (Monday to Sunday on their days: actions and active days), their current
and longest streak, the next step of each track they follow (with its weekly goal's state and projected
finish, if they set one), the reviews due (how many, the oldest five), and the feedback other learners left on
their projects since last week began. A learner with nothing to say (no followed track, no activity last week,
nothing due, no new feedback) gets no mail that week.

Never twice for one learner and week: the mail is queued (plumbing.mail stores it in the caller's
transaction) in the transaction that inserts DigestSent(user, week), which the database keeps unique. A
second run, or one on another server at the same moment, fails that insert (on PostgreSQL it waits for the
first to commit, then conflicts) and skips the learner, so its mail is never queued.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import cast

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from accounts.reminders import unsubscribe_token
from learning.catalogue.models import Step
from learning.catalogue.queries import TrackOutline, track_outlines
from learning.community.project_queries import new_feedback_for
from learning.progress.activity import learners_day, streaks_of
from learning.progress.goals import goals_and_week, monday_of, projection
from learning.progress.models import Activity, DigestSent, TrackFollow
from learning.progress.queries import due_reviews
from learning.progress.state import learner_state, track_progress
from plumbing.mail import absolute_url

DIGEST_FROM_HOUR = 7  # on the chosen day, the digest goes from 07:00 the learner's time (not at midnight)
REVIEWS_LISTED = 5
FEEDBACK_LISTED = 5


@dataclass(frozen=True)
class TrackLine:
    title: str
    url: str
    summary: str  # "12 of 33 topics · 1 of 4 milestones"
    next_title: str = ""  # the next step's topic, "" when the track is finished
    next_url: str = ""
    # "6 h a week (Mon, Wed, Fri) · this week so far: 0 of 2 h planned by today · projected finish …"
    goal: str = ""


@dataclass(frozen=True)
class Digest:
    week: date  # the Monday of the week it is sent in (the learner's days)
    last_week: date  # the Monday of the week it tells about
    actions: int
    active_days: int
    current_streak: int
    longest_streak: int
    tracks: list[TrackLine] = field(default_factory=list)
    reviews_due: int = 0
    reviews: list[tuple[str, str]] = field(default_factory=list)  # (topic title, URL), oldest due first
    feedback_count: int = 0  # feedback left on the learner's projects since last week began
    feedback: list[tuple[str, str, str, str]] = field(default_factory=list)  # (writer, project, text, URL)

    @property
    def is_empty(self) -> bool:
        return not self.tracks and not self.actions and not self.reviews_due and not self.feedback_count

    @property
    def feedback_more(self) -> int:
        return self.feedback_count - len(self.feedback)

    @property
    def reviews_more(self) -> int:
        """Reviews due beyond those listed."""
        return self.reviews_due - len(self.reviews)

    @property
    def last_sunday(self) -> date:
        return self.last_week + timedelta(days=6)


def digest_for(user, today: date) -> Digest:
    """What the learner's digest says on `today` (their date)."""
    week = monday_of(today)
    last_week = week - timedelta(days=7)
    days = list(
        Activity.objects.filter(user=user, day__gte=last_week, day__lt=week).values_list("day", flat=True)
    )
    streaks = streaks_of(user)
    due = due_reviews(user, today)
    since = datetime.combine(last_week, time(0), tzinfo=user.zone)  # last Monday's midnight where they live
    feedback = list(new_feedback_for(user, since)[: FEEDBACK_LISTED + 1])
    feedback_count = (
        len(feedback) if len(feedback) <= FEEDBACK_LISTED else new_feedback_for(user, since).count()
    )
    return Digest(
        week=week,
        last_week=last_week,
        actions=len(days),
        active_days=len(set(days)),
        current_streak=streaks.current,
        longest_streak=streaks.longest,
        tracks=track_lines(user, today),
        reviews_due=len(due.shown) + due.more,
        reviews=[
            (review.topic.title, absolute_url(review.topic.get_absolute_url()))
            for review in due.shown[:REVIEWS_LISTED]
        ],
        feedback_count=feedback_count,
        feedback=[
            (
                row.user.username,
                row.submission.milestone.title,
                row.text,
                absolute_url(f"{row.submission.milestone.get_absolute_url()}#feedback-{row.pk}"),
            )
            for row in feedback[:FEEDBACK_LISTED]
        ],
    )


def track_lines(user, today: date) -> list[TrackLine]:
    """A line for each published track the learner follows, in the order they followed them."""
    follows = list(
        TrackFollow.objects.filter(user=user, track__is_published=True)
        .select_related("track")
        .only("started_at", "track", "track__slug", "track__title")
        .order_by("started_at", "pk")
    )
    if not follows:
        return []
    state = learner_state(user)
    outlines = track_outlines()
    goal_of, week = goals_and_week(user, today)
    lines = []
    for follow in follows:
        track = follow.track
        outline = outlines.get(track.pk, TrackOutline())
        progress = track_progress(outline.steps, outline.milestones, state)
        goal = goal_of.get(track.pk)
        goal_said = ""
        if goal is not None:
            planned = projection(goal, outline.steps, outline.milestones, state, week, today)
            if planned.finish is None:
                goal_said = f"{goal.hours_per_week} h a week · finished"
            else:
                # Early on the digest day "Behind by 2 h" would scold a week just begun: the hours say it.
                goal_said = (
                    f"{goal.hours_per_week} h a week ({goal.days_said}) · this week so far: "
                    f"{planned.credited_hours} of {planned.expected_said} h planned by today"
                    f" · projected finish {planned.finish.day} {planned.finish:%B %Y}"
                )
        next_step = cast(Step | None, progress.next_step)
        lines.append(
            TrackLine(
                title=track.title,
                url=absolute_url(track.get_absolute_url()),
                summary=progress.summary,
                next_title=next_step.topic.title if next_step else "",
                next_url=(
                    absolute_url(f"{next_step.topic.get_absolute_url()}?track={track.slug}")
                    if next_step
                    else ""
                ),
                goal=goal_said,
            )
        )
    return lines


def message_for(user, digest: Digest) -> EmailMultiAlternatives:
    """The digest as a multipart mail (text and HTML) with RFC 8058's one-click unsubscribe headers."""
    unsubscribe_url = absolute_url(reverse("accounts:digest_unsubscribe", args=[unsubscribe_token(user)]))
    context = {
        "site_name": settings.SITE_NAME,
        "learner": user,
        "digest": digest,
        "dashboard_url": absolute_url(reverse("learning:dashboard")),
        "reviews_url": absolute_url(reverse("learning:dashboard") + "#reviews"),
        "settings_url": absolute_url(reverse("accounts:profile_settings") + "#digest"),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        subject=f"Your week on {settings.SITE_NAME}: {digest.week.day} {digest.week:%B %Y}",
        body=render_to_string("learning/email/digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("learning/email/digest.html", context), "text/html")
    return message


def recipients():
    """Learners who opted in and whose address is verified (the digest goes to their account's address)."""
    verified = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    return (
        User.objects.filter(digest_is_on=True, is_active=True)
        .exclude(email="")
        .filter(Exists(verified))
        .order_by("pk")
    )


def is_digest_time(user, now: datetime) -> bool:
    """Whether it is the learner's chosen weekday, from DIGEST_FROM_HOUR on, where they live."""
    local = now.astimezone(user.zone)
    return local.weekday() == user.digest_weekday and local.hour >= DIGEST_FROM_HOUR


def send_digest(user, digest: Digest) -> bool:
    """Queues the learner's digest for its week unless one was queued already (here or by a concurrent run):
    the DigestSent row and the queued mail commit together or not at all."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, week=digest.week)
            message_for(user, digest).send()
    except IntegrityError:
        return False
    return True


@dataclass
class DigestRun:
    sent: int = 0
    nothing_to_say: int = 0
    already_sent: int = 0


def send_digests(now: datetime | None = None) -> DigestRun:
    """Sends the digests due at `now` (default: now): each opted-in learner whose digest time it is and who
    has not had this week's yet."""
    now = now or timezone.now()
    run = DigestRun()
    for user in recipients().iterator():
        if not is_digest_time(user, now):
            continue
        today = learners_day(user, now)
        if DigestSent.objects.filter(user=user, week=monday_of(today)).exists():
            run.already_sent += 1
            continue
        digest = digest_for(user, today)
        if digest.is_empty:
            run.nothing_to_say += 1
        elif send_digest(user, digest):
            run.sent += 1
        else:
            run.already_sent += 1
    return run


@task()
def send_digests_task() -> dict:
    """send_digests on the task queue (`send_digests --queue` enqueues it; `db_worker` runs it)."""
    return asdict(send_digests())
