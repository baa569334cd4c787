"""A learner's activity: the days they learned on, their streaks, and the calendar of the last year.

The streak rule, as the dashboard states it: a day counts when the learner did something there (set a
topic's status, built a milestone, ticked a self-check, wrote notes, answered a review; an action taken back
the same day doesn't count). The current streak is the run of such days up to today; today joins it as soon as
they do something, and until then the run up to yesterday stands. Days are the learner's: each action is dated
where they were when they took it (learners_day).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from learning.progress.models import Activity
from plumbing.sql import Read, as_date

ONE_DAY = timedelta(days=1)
CALENDAR_WEEKS = 53  # the last twelve months, whole weeks from Monday
LEVELS = (0, 1, 2, 4, 7)  # the fewest actions a day needs for each shade of the calendar


def learners_day(user, moment=None) -> date:
    """The date it is (or was at `moment`) where the learner lives: their days start at midnight there."""
    return (moment or timezone.now()).astimezone(user.zone).date()


def current_streak(days: Iterable[date], today: date) -> int:
    """Days in a row with activity, ending today, or yesterday while today has none yet."""
    active = set(days)
    day = today if today in active else today - ONE_DAY
    streak = 0
    while day in active:
        streak += 1
        day -= ONE_DAY
    return streak


def longest_streak(days: Iterable[date]) -> int:
    """The longest run of consecutive days with activity, ever."""
    longest = run = 0
    previous = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == ONE_DAY else 1
        longest = max(longest, run)
        previous = day
    return longest


def level(actions: int) -> int:
    return max(index for index, least in enumerate(LEVELS) if actions >= least)


@dataclass(frozen=True)
class ActivitySummary:
    today: date
    current_streak: int
    longest_streak: int
    active_days: int  # in the calendar's year
    actions: int  # in the calendar's year
    weeks: list  # CALENDAR_WEEKS lists of 7 (day, actions) from Monday; days after today are None
    months: list  # (first day of the month, active days, actions), oldest first, months the calendar shows

    @property
    def calendar(self) -> SafeString:
        """The year as a table of days drawn with CSS (weeks in columns, Monday on top, months over their
        weeks): a cell a day, its shade its level; a day with activity says its date and count in a
        tooltip. It is a picture (aria-hidden): the page says the same in words, and by month."""
        # Built as plain strings (a dashboard draws 371 cells): every value is a number, a month's English
        # abbreviation or a date said with them, escaped all the same.
        spans: list[list] = []  # [month, weeks] in column order
        for week in self.weeks:
            month = week[0][0].replace(day=1)
            if spans and spans[-1][0] == month:
                spans[-1][1] += 1
            else:
                spans.append([month, 1])
        head = "".join(
            f'<th colspan="{weeks}" scope="colgroup">{month:%b}</th>'
            if weeks >= 2
            else f'<th colspan="{weeks}" scope="colgroup"></th>'
            for month, weeks in spans
        )
        rows = "".join(
            f'<tr><th scope="row">{name}</th>{"".join(day_cell(week[weekday]) for week in self.weeks)}</tr>'
            for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", ""))
        )
        return mark_safe(  # noqa: S308 - numbers and escaped dates only (above)
            f'<table class="calendar" aria-hidden="true"><thead><tr><td></td>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )


FUTURE_CELL = "<td></td>"
EMPTY_CELL = '<td><span class="calendar__day"></span></td>'


def day_cell(entry) -> str:
    if entry is None:
        return FUTURE_CELL
    day, actions = entry
    if not actions:
        return EMPTY_CELL
    said = escape(f"{day.day} {day:%b %Y}: {actions} action{'' if actions == 1 else 's'}")
    return f'<td><span class="calendar__day calendar__day--{level(actions)}" title="{said}"></span></td>'


def summary_of(days: dict[date, int], today: date) -> ActivitySummary:
    """`days`: actions per day, every day the learner was active."""
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=CALENDAR_WEEKS - 1)
    weeks: list[list[tuple[date, int] | None]] = []
    months: dict[date, list[int]] = {}
    month = [0, 0]  # the active days and actions of `day`'s month
    day = first
    for _ in range(CALENDAR_WEEKS):  # day by day in order: a week's column, Monday first, then the next
        column: list[tuple[date, int] | None] = []
        for _ in range(7):
            if day > today:
                column.append(None)
            else:
                actions = days.get(day, 0)
                column.append((day, actions))
                if day.day == 1 or day == first:
                    month = months.setdefault(day.replace(day=1), [0, 0])
                if actions:
                    month[0] += 1
                    month[1] += actions
            day += ONE_DAY
        weeks.append(column)
    in_year = [actions for day, actions in days.items() if first <= day <= today]
    return ActivitySummary(
        today=today,
        current_streak=current_streak(days, today),
        longest_streak=longest_streak(days),
        active_days=len(in_year),
        actions=sum(in_year),
        weeks=weeks,
        months=[(month, active, actions) for month, (active, actions) in months.items()],
    )


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int


def streaks_of(user) -> Streaks:
    """The learner's current and longest streak as of their today: one query, a row per active day."""
    days = Activity.objects.filter(user=user).values_list("day", flat=True).distinct()
    active = set(days)
    return Streaks(current=current_streak(active, learners_day(user)), longest=longest_streak(active))


ACTIONS_BY_DAY_SQL = "SELECT day, COUNT(*) FROM learning_activity WHERE user_id = %(user)s GROUP BY day"


def activity_of(user, today: date) -> ActivitySummary:
    """The learner's activity up to `today` (their date): one query, a row per active day. Hand-written
    (plumbing.sql): the dashboard reads it."""
    return activity_read(user, today).run()


def activity_read(user, today: date) -> Read:
    def parse(rows) -> ActivitySummary:
        return summary_of({as_date(day): actions for day, actions in rows}, today)

    return Read(ACTIONS_BY_DAY_SQL, {"user": user.pk}, parse)
