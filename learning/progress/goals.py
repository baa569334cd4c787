"""Weekly goals: when a learner who studies a track so many hours a week should finish it, and whether this
week is on course.

The rules, as the track page and the dashboard state them:
- Remaining: the hours of the track's required (not optional) steps that are neither done nor skipped, and
  of its milestones not built (a topic or milestone nobody has estimated counts 0).
- Projected finish: the learner's today + remaining ÷ hours a week, in weeks, rounded up to a whole day and
  then to the next of their study days (none chosen: any day). A finished track says "Finished".
- This week, Monday to Sunday on the learner's days: the hours credited are those of the track's topics
  finished this week (an Activity "done" this week, and still done) and of its milestones built this week
  (still built); the hours expected by today are hours a week × the study days gone, today included, ÷ the
  study days of the week. "On track" when credited ≥ expected, else "Behind by N h" (rounded up).

`projection` is pure arithmetic over what the page already read; `goals_and_week` reads the learner's
goals and this week's finished work in one query for any number of tracks.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from math import ceil

from learning.progress.models import ALL_DAYS, Activity
from learning.progress.state import DONE, SKIPPED, LearnerState
from plumbing.sql import Read

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
GOAL_ROW = "goal"  # no Activity kind is spelt so: marks the goal rows of goals_and_week's query


def days_of(study_days: int) -> list[int]:
    """The weekdays (0 Monday … 6 Sunday) in a study-days bitmask; no day chosen means every day."""
    chosen = [weekday for weekday in range(7) if study_days & (1 << weekday)]
    return chosen or list(range(7))


def bitmask_of(weekdays) -> int:
    """The bitmask of weekdays given as numbers 0 (Monday) … 6 (Sunday)."""
    return sum(1 << int(weekday) for weekday in set(weekdays))


def days_said(study_days: int) -> str:
    """ "Mon, Wed, Fri", or "any day" when none is chosen (or all are)."""
    if study_days in (0, ALL_DAYS):
        return "any day"
    return ", ".join(WEEKDAYS[weekday] for weekday in days_of(study_days))


@dataclass(frozen=True)
class Goal:
    hours_per_week: int
    study_days: int = 0

    @property
    def days(self) -> list[int]:
        return days_of(self.study_days)

    @property
    def weekdays(self) -> set[int]:
        """The weekdays ticked on the form (none when no day was chosen)."""
        return {weekday for weekday in range(7) if self.study_days & (1 << weekday)}

    @property
    def days_said(self) -> str:
        return days_said(self.study_days)


@dataclass(frozen=True)
class WeekDone:
    """What the learner finished this week (Monday to Sunday on their days): topic and milestone ids."""

    monday: date
    topic_ids: frozenset = frozenset()
    milestone_ids: frozenset = frozenset()


@dataclass(frozen=True)
class Projection:
    goal: Goal
    remaining_hours: int
    finish: date | None  # None once the track is finished
    credited_hours: int  # this week
    expected_hours: Fraction  # by today, this week
    finished: bool = False

    @property
    def behind_by(self) -> int:
        """Whole hours short of this week's expected hours so far (rounded up), 0 when on track."""
        return max(0, ceil(self.expected_hours - self.credited_hours))

    @property
    def on_track(self) -> bool:
        return self.behind_by == 0

    @property
    def week_said(self) -> str:
        if self.finished:
            return "Finished"
        return "On track" if self.on_track else f"Behind by {self.behind_by} h"

    @property
    def expected_said(self) -> int:
        """The expected hours by today, rounded up (what the page says next to the credited ones)."""
        return ceil(self.expected_hours)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def finish_date(remaining_hours: int, goal: Goal, today: date) -> date:
    """today + remaining ÷ hours a week weeks, rounded up to a whole day, then to the next study day."""
    days = ceil(Fraction(remaining_hours * 7, goal.hours_per_week))
    finish = today + timedelta(days=days)
    study = goal.days
    while finish.weekday() not in study:
        finish += timedelta(days=1)
    return finish


def expected_by(goal: Goal, today: date) -> Fraction:
    """Hours a week × study days of this week gone (today included) ÷ study days in the week."""
    study = goal.days
    gone = sum(1 for weekday in study if weekday <= today.weekday())
    return Fraction(goal.hours_per_week * gone, len(study))


def projection(goal: Goal, steps, milestones, state: LearnerState, week: WeekDone, today: date) -> Projection:
    """`steps` of the track (each with `is_optional` and `topic.hours`), its `milestones` (with `hours`), the
    learner's state and what they finished this week, on their `today`."""
    remaining = sum(
        step.topic.hours or 0
        for step in steps
        if not step.is_optional and state.status_of(step.topic_id) not in (DONE, SKIPPED)
    ) + sum(milestone.hours or 0 for milestone in milestones if milestone.pk not in state.milestones_done)
    topic_hours = {step.topic_id: step.topic.hours or 0 for step in steps}
    credited = sum(
        hours
        for topic_id, hours in topic_hours.items()
        if topic_id in week.topic_ids and state.status_of(topic_id) == DONE
    ) + sum(
        milestone.hours or 0
        for milestone in milestones
        if milestone.pk in week.milestone_ids and milestone.pk in state.milestones_done
    )
    total = len([step for step in steps if state.status_of(step.topic_id) != SKIPPED]) + len(milestones)
    done = sum(1 for step in steps if state.status_of(step.topic_id) == DONE) + sum(
        1 for milestone in milestones if milestone.pk in state.milestones_done
    )
    finished = total > 0 and done == total
    return Projection(
        goal=goal,
        remaining_hours=remaining,
        finish=None if finished else finish_date(remaining, goal, today),
        credited_hours=credited,
        expected_hours=expected_by(goal, today),
        finished=finished,
    )


# The learner's goals as (GOAL_ROW, track, hours a week, study days), and the "done" and "milestone"
# activity of one week as ("week:done", topic, NULL, NULL) and ("week:milestone", NULL, milestone, NULL).
# Every column of the first row is typed: PostgreSQL matches a UNION's types pair by pair, so the dashboard
# reads these first, then rows with NULLs (tests/learning/test_hand_written_sql.py checks the texts agree).
GOALS_AND_WEEK_ROWS = """
    SELECT 'goal', track_id, hours_per_week, study_days FROM learning_trackgoal WHERE user_id = %(user)s
    UNION ALL SELECT 'week:' || kind, topic_id, milestone_id, NULL FROM learning_activity
    WHERE user_id = %(user)s AND day >= %(monday)s AND day <= %(sunday)s AND kind IN ('done', 'milestone')
"""
WEEK_DONE, WEEK_BUILT = f"week:{Activity.Kind.DONE}", f"week:{Activity.Kind.MILESTONE}"


def week_params(user, today: date) -> dict:
    """GOALS_AND_WEEK_ROWS' parameters for the learner's week of `today`."""
    monday = monday_of(today)
    return {"user": user.pk, "monday": monday, "sunday": monday + timedelta(days=6)}


def goals_and_week(user, today: date) -> tuple[dict, WeekDone]:
    """Track id → Goal for every goal the learner set, and what they finished this week (the week of
    `today`, their date): one query (UNION ALL of their goals and this week's "done" and "milestone"
    activity), none for a visitor. Hand-written (plumbing.sql)."""
    if not user.is_authenticated:
        return {}, WeekDone(monday_of(today))
    return goals_and_week_read(user, today).run()


def goals_and_week_read(user, today: date) -> Read:
    return Read(GOALS_AND_WEEK_ROWS, week_params(user, today), lambda rows: goals_from(rows, today))


def goals_from(rows, today: date) -> tuple[dict, WeekDone]:
    """goals_and_week's answer from GOALS_AND_WEEK_ROWS' rows; rows of other kinds are someone else's."""
    found: dict = {}
    topics, built = set(), set()
    for kind, first, second, third in rows:
        if kind == GOAL_ROW:
            found[first] = Goal(hours_per_week=second, study_days=third)
        elif kind == WEEK_DONE and first is not None:
            topics.add(first)
        elif kind == WEEK_BUILT and second is not None:
            built.add(second)
    return found, WeekDone(monday_of(today), frozenset(topics), frozenset(built))
