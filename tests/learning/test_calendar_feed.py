"""The private calendar feed (/calendar/<token>.ics, learning/progress/calendar.py): a weekly recurring
study session per weekly goal on its study days, at the learner's study time (19:00 unless they chose
another) in their zone, the week's hours spread over those days; the secret address needs no login, can be
reset or turned off, and shows one learner only."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from accounts import reminders
from learning.models import Track
from learning.progress import services
from tests.factories import StageFactory, StepFactory, TopicFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db
# Wednesday 2 December 2026, 12:00 UTC: 07:00 in New York.
SET_ON = datetime(2026, 12, 2, 12, tzinfo=UTC)


def a_track(slug, title):
    track = TrackFactory(slug=slug, title=title)
    StepFactory(stage=StageFactory(track=track), topic=TopicFactory(hours=5))
    return track


def feed_url(user):
    return reverse("learning:calendar_feed", args=[user.calendar_token])


def events_of(response):
    return Calendar.from_ical(response.content).walk("VEVENT")


@pytest.fixture
def learner_with_goals(db):
    learner = UserFactory(time_zone="America/New_York")
    with time_machine.travel(SET_ON, tick=False):
        services.set_track_goal(
            user=learner, track=a_track("backend", "Backend"), hours_per_week=6, study_days=0b0010101
        )
        services.set_track_goal(
            user=learner, track=a_track("devops", "DevOps"), hours_per_week=7, study_days=0
        )
    reminders.new_calendar_token(user=learner)
    return learner


def test_each_goal_is_a_weekly_session_on_its_study_days(client, learner_with_goals):
    response = client.get(feed_url(learner_with_goals))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    backend, devops = events_of(response)

    assert str(backend["SUMMARY"]) == "Study: Backend"
    assert str(backend["URL"]) == "http://testserver/tracks/backend/"
    start = backend.decoded("DTSTART")
    assert str(start.tzinfo) == "America/New_York"
    # Set on a Wednesday: the first session is that Wednesday evening at 19:00 New York time.
    assert (start.date().isoformat(), start.time()) == ("2026-12-02", time(19, 0))
    assert backend.decoded("DURATION") == timedelta(hours=2)  # 6 h over Mon, Wed, Fri
    assert backend["RRULE"]["FREQ"] == ["WEEKLY"]
    assert backend["RRULE"]["BYDAY"] == ["MO", "WE", "FR"]

    assert str(devops["SUMMARY"]) == "Study: DevOps"
    assert devops["RRULE"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # no day chosen: any
    assert devops.decoded("DURATION") == timedelta(hours=1)  # 7 h over seven days
    assert backend["UID"] != devops["UID"]


def test_the_first_session_waits_for_the_next_study_day(client, db):
    learner = UserFactory(time_zone="Europe/Berlin")
    with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=UTC), tick=False):  # a Thursday
        services.set_track_goal(user=learner, track=a_track("go", "Go"), hours_per_week=3, study_days=0b1)
    reminders.new_calendar_token(user=learner)
    [event] = events_of(client.get(feed_url(learner)))
    start = event.decoded("DTSTART")
    assert (start.isoformat(), event["RRULE"]["BYDAY"]) == ("2026-12-07T19:00:00+01:00", ["MO"])
    assert event.decoded("DURATION") == timedelta(hours=3)


def test_sessions_start_at_the_time_the_learner_chose(client, learner_with_goals):
    reminders.set_study_time(user=learner_with_goals, starts_at=time(6, 30))
    backend, devops = events_of(client.get(feed_url(learner_with_goals)))
    for event in (backend, devops):
        start = event.decoded("DTSTART")
        assert (start.time(), str(start.tzinfo)) == (time(6, 30), "America/New_York")
    assert backend.decoded("DTSTART").date().isoformat() == "2026-12-02"  # still from the day it was set


def test_sessions_keep_their_local_time_across_daylight_saving(client, learner_with_goals):
    """The VTIMEZONE carries New York's rules: a session in July is at 19:00 EDT, one in December EST."""
    calendar = Calendar.from_ical(client.get(feed_url(learner_with_goals)).content)
    [zone] = calendar.walk("VTIMEZONE")
    names = {str(part["TZNAME"]) for part in zone.subcomponents}
    assert names >= {"EST", "EDT"}


def test_a_learner_without_goals_gets_an_empty_calendar(client, db):
    learner = UserFactory()
    reminders.new_calendar_token(user=learner)
    response = client.get(feed_url(learner))
    assert response.status_code == 200
    assert events_of(response) == []


def test_the_feed_shows_only_its_learners_goals(client, learner_with_goals):
    other = UserFactory()
    services.set_track_goal(
        user=other, track=a_track("secret", "Their secret track"), hours_per_week=2, study_days=0
    )
    reminders.new_calendar_token(user=other)
    mine = client.get(feed_url(learner_with_goals)).content.decode()
    assert "Their secret track" not in mine
    theirs = client.get(feed_url(other)).content.decode()
    assert "Their secret track" in theirs
    assert "Backend" not in theirs


def test_an_unpublished_track_leaves_the_feed(client, learner_with_goals):
    Track.objects.filter(slug="devops").update(is_published=False)
    assert [str(event["SUMMARY"]) for event in events_of(client.get(feed_url(learner_with_goals)))] == [
        "Study: Backend"
    ]


@pytest.mark.parametrize("token", ["unknown-token", "x" * 32])
def test_an_unknown_token_is_404(client, learner_with_goals, token):
    assert client.get(reverse("learning:calendar_feed", args=[token])).status_code == 404


def test_turned_off_or_reset_the_old_address_is_404(client, learner_with_goals):
    old = feed_url(learner_with_goals)
    reminders.new_calendar_token(user=learner_with_goals)
    assert client.get(old).status_code == 404
    new = feed_url(learner_with_goals)
    assert client.get(new).status_code == 200
    reminders.turn_calendar_off(user=learner_with_goals)
    assert client.get(new).status_code == 404


def test_a_learner_with_the_feed_off_has_no_address_at_all(client, db):
    UserFactory()  # calendar_token "" : no address can name it
    assert client.get("/calendar/.ics").status_code == 404


def test_the_feed_answers_only_reads(client, learner_with_goals):
    assert client.post(feed_url(learner_with_goals)).status_code == 405


@pytest.mark.parametrize("goals", [1, 12])
def test_the_feed_costs_two_queries_whatever_the_goals(client, django_assert_num_queries, db, goals):
    """One to find the learner by the token, one for their goals with their tracks."""
    learner = UserFactory()
    for index in range(goals):
        services.set_track_goal(
            user=learner, track=a_track(f"t{index}", f"Track {index}"), hours_per_week=4, study_days=0b11
        )
    reminders.new_calendar_token(user=learner)
    with django_assert_num_queries(2):
        response = client.get(feed_url(learner))
    assert len(events_of(response)) == goals
