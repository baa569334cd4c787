"""The learner's private calendar feed (.ics, through the icalendar library): their study sessions, a weekly
recurring event per weekly goal on its study days.

Each goal's hours a week are spread evenly over its study days (no day chosen: every day), each session
starting at the time the learner chose on /me/profile/ (User.study_starts_at; 19:00 unless they changed it:
the evening, when most people who learn beside a job or school have time), in their time zone; a calendar
app lets them move a single session. The events start on the first study day on or after the day the goal
was set, and the zone travels with them (TZID and a VTIMEZONE), so a daylight-saving change keeps the
sessions at the same local time.
"""

from datetime import datetime, timedelta

from django.conf import settings
from icalendar import Calendar, Event, vRecur

from learning.progress.activity import learners_day
from learning.progress.goals import days_of
from learning.progress.models import TrackGoal

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def session_minutes(hours_per_week: int, study_days: int) -> int:
    """Minutes of one session: the week's hours over its study days, rounded to whole minutes."""
    return round(hours_per_week * 60 / len(days_of(study_days)))


def first_session(goal: TrackGoal, zone) -> datetime:
    """The learner's study time on the first of the goal's study days on or after the day it was set (their
    days)."""
    day = learners_day(goal.user, goal.created_at)
    weekdays = days_of(goal.study_days)
    while day.weekday() not in weekdays:
        day += timedelta(days=1)
    return datetime.combine(day, goal.user.study_starts_at, tzinfo=zone)


def study_calendar(user, *, absolute) -> bytes:
    """The feed of `user`'s goals on published tracks as iCalendar bytes; `absolute` turns a site path into
    a full URL. One query."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Study sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.SITE_NAME}: study sessions")
    calendar.add("x-wr-timezone", user.time_zone)
    zone = user.zone
    goals = (
        TrackGoal.objects.filter(user=user, track__is_published=True)
        .select_related("track")
        .only(
            "hours_per_week", "study_days", "created_at", "updated_at", "track", "track__slug", "track__title"
        )
        .order_by("pk")
    )
    for goal in goals:
        goal.user = user  # first_session's learners_day reads the zone from it, with no query
        track_url = absolute(goal.track.get_absolute_url())
        event = Event()
        event.add("uid", f"goal-{goal.pk}-{user.pk}@{settings.SITE_NAME.lower()}")
        event.add("dtstamp", goal.updated_at)
        event.add("last-modified", goal.updated_at)
        event.add("summary", f"Study: {goal.track.title}")
        event.add("dtstart", first_session(goal, zone))
        event.add("duration", timedelta(minutes=session_minutes(goal.hours_per_week, goal.study_days)))
        event.add("rrule", vRecur(freq="WEEKLY", byday=[ICAL_DAYS[day] for day in days_of(goal.study_days)]))
        event.add("url", track_url)
        event.add(
            "description",
            f"Your weekly goal: {goal.hours_per_week} h a week on {goal.track.title}. {track_url}",
        )
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
