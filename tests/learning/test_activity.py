"""Activity and streaks: every learning action is recorded on the learner's day (their time zone's), the
streak rule's edges, the year's calendar on the dashboard, the time zone setting, privacy and constant
queries."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from learning.models import Activity
from learning.progress import services
from learning.progress.activity import (
    CALENDAR_WEEKS,
    current_streak,
    learners_day,
    level,
    longest_streak,
    summary_of,
)
from tests.batches import read_together
from tests.conftest import logged_in
from tests.factories import MilestoneFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("learning:dashboard")
TIME_ZONE = reverse("accounts:time_zone")


TODAY = date(2026, 12, 2)


def days(*offsets):
    return {TODAY - timedelta(days=offset) for offset in offsets}


class TestTheStreakRule:
    def test_no_activity_no_streak(self):
        assert current_streak(set(), TODAY) == 0
        assert longest_streak(set()) == 0

    def test_today_counts_as_soon_as_there_is_activity(self):
        assert current_streak(days(0, 1, 2), TODAY) == 3

    def test_until_today_has_activity_the_streak_up_to_yesterday_stands(self):
        assert current_streak(days(1, 2, 3), TODAY) == 3

    def test_a_day_without_activity_ends_it(self):
        assert current_streak(days(2, 3, 4), TODAY) == 0  # yesterday was empty
        assert current_streak(days(0, 2, 3), TODAY) == 1

    def test_the_longest_run_ever_is_kept(self):
        assert longest_streak(days(0, 1, 10, 11, 12, 13, 30)) == 4

    def test_days_ahead_of_today_after_a_zone_change_do_not_extend_the_current_streak(self):
        assert current_streak(days(-1, 0, 1), TODAY) == 2


def test_the_calendar_covers_whole_weeks_to_today_and_sums_the_year():
    today = date(2026, 12, 2)  # a Wednesday
    summary = summary_of({today: 3, today - timedelta(days=1): 1, date(2025, 1, 1): 9}, today)
    assert len(summary.weeks) == CALENDAR_WEEKS
    assert all(len(week) == 7 for week in summary.weeks)
    assert summary.weeks[0][0][0].weekday() == 0  # columns start on Mondays
    assert summary.weeks[-1][2] == (today, 3)
    assert summary.weeks[-1][3:] == [None] * 4  # Thursday to Sunday haven't come yet
    assert (summary.active_days, summary.actions) == (2, 4)  # January 2025 is outside the year
    assert summary.longest_streak == 2
    assert [level(n) for n in (0, 1, 2, 3, 4, 6, 7, 30)] == [0, 1, 2, 2, 3, 3, 4, 4]


def test_every_kind_of_learning_action_is_recorded_once_a_day(learner):
    topic, milestone = TopicFactory(), MilestoneFactory()
    services.set_topic_status(user=learner, topic=topic, status="learning")
    services.set_topic_status(user=learner, topic=topic, status="done")
    services.set_topic_status(user=learner, topic=topic, status="done")  # no change: no action
    services.set_milestone_done(user=learner, milestone=milestone, done=True)
    services.save_topic_note(user=learner, topic=topic, text="one")
    services.save_topic_note(user=learner, topic=topic, text="two")  # the same action again that day
    assert sorted(Activity.objects.values_list("kind", flat=True)) == [
        "done",
        "learning",
        "milestone",
        "note",
    ]
    assert set(Activity.objects.values_list("day", flat=True)) == {learners_day(learner)}


def test_a_check_off_taken_back_the_same_day_does_not_count(learner):
    topic, milestone = TopicFactory(), MilestoneFactory()
    services.set_topic_status(user=learner, topic=topic, status="done")
    services.set_topic_status(user=learner, topic=topic, status="not_started")
    services.set_milestone_done(user=learner, milestone=milestone, done=True)
    services.set_milestone_done(user=learner, milestone=milestone, done=False)
    assert not Activity.objects.exists()


def test_taking_back_a_check_off_of_an_earlier_day_leaves_that_day(learner):
    topic = TopicFactory()
    with time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False):
        services.set_topic_status(user=learner, topic=topic, status="done")
    with time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=UTC), tick=False):
        services.set_topic_status(user=learner, topic=topic, status="not_started")
    assert list(Activity.objects.values_list("day", flat=True)) == [date(2026, 11, 30)]


def test_days_end_at_midnight_in_the_learners_time_zone():
    learner = UserFactory(time_zone="Asia/Tokyo")  # UTC+9: midnight there is 15:00 UTC
    before, after = TopicFactory(), TopicFactory()
    with time_machine.travel(datetime(2026, 12, 1, 14, 59, tzinfo=UTC), tick=False):
        services.set_topic_status(user=learner, topic=before, status="done")
    with time_machine.travel(datetime(2026, 12, 1, 15, 1, tzinfo=UTC), tick=False):
        services.set_topic_status(user=learner, topic=after, status="done")
    assert dict(Activity.objects.values_list("topic__pk", "day")) == {
        before.pk: date(2026, 12, 1),
        after.pk: date(2026, 12, 2),
    }


def test_a_daylight_saving_change_does_not_break_a_streak(client):
    learner = UserFactory(time_zone="Europe/Berlin")  # clocks went back at 01:00 UTC on 25 Oct 2026
    for moment in (datetime(2026, 10, 24, 21, 30, tzinfo=UTC), datetime(2026, 10, 25, 22, 30, tzinfo=UTC)):
        with time_machine.travel(moment, tick=False):  # 23:30 on the 24th, then 23:30 on the 25th, local
            services.set_topic_status(user=learner, topic=TopicFactory(), status="done")
    assert sorted(Activity.objects.values_list("day", flat=True)) == [date(2026, 10, 24), date(2026, 10, 25)]
    client.force_login(learner)
    with time_machine.travel(datetime(2026, 10, 26, 8, tzinfo=UTC), tick=False):
        page = client.get(DASHBOARD).content.decode()
    assert streak(page) == ("2 days", "2 days")


def streak(page):
    current = re.search(r"<dt>Current streak</dt><dd>([^<]+)</dd>", page).group(1)
    longest = re.search(r"<dt>Longest streak</dt><dd>([^<]+)</dd>", page).group(1)
    return current, longest


def test_the_dashboard_shows_the_streaks_the_rule_and_the_year(client, learner):
    for back in (0, 1, 2, 5):  # 2 and 1 December, 30 and 27 November
        day = date(2026, 12, 2) - timedelta(days=back)
        at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12)
        Activity.objects.create(user=learner, kind="done", subject=f"topic:{back}", at=at, day=day)
    client.force_login(learner)
    with time_machine.travel(datetime(2026, 12, 2, 18, tzinfo=UTC), tick=False):
        page = client.get(DASHBOARD).content.decode()
    assert streak(page) == ("3 days", "3 days")
    assert "Your streak is the days in a row up to today" in page
    assert "Your days start at midnight in UTC" in page
    assert "4 actions on 4 days in the last twelve months" in page
    assert page.count('class="calendar__day') >= 4 * 7  # a cell a day (and the legend)
    assert 'title="2 Dec 2026: 1 action"' in page
    assert '<th scope="row">December 2026</th><td>2</td><td>2</td>' in page  # the calendar in words
    assert '<th scope="row">November 2026</th><td>2</td><td>2</td>' in page


def test_the_streak_moves_at_the_learners_midnight_with_nothing_written(client, learner):
    """The dashboard is cached under the learner's token, which nothing moves overnight: its key holds the
    learner's date too."""
    services.set_topic_status(user=learner, topic=TopicFactory(), status="done")
    client.force_login(learner)
    today = learners_day(learner)
    assert streak(client.get(DASHBOARD).content.decode())[0] == "1 day"
    with time_machine.travel(
        datetime.combine(today + timedelta(days=2), datetime.min.time(), UTC), tick=False
    ):
        assert streak(client.get(DASHBOARD).content.decode())[0] == "0 days"


def test_a_learner_chooses_their_time_zone_and_past_days_keep_their_date(client, learner):
    with time_machine.travel(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), tick=False):
        services.set_topic_status(user=learner, topic=TopicFactory(), status="done")
    client.force_login(learner)
    response = client.post(TIME_ZONE, {"time_zone": "America/New_York"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile_settings") + "#time-zone"
    learner.refresh_from_db()
    assert learner.time_zone == "America/New_York"
    assert list(Activity.objects.values_list("day", flat=True)) == [date(2026, 12, 1)]  # as it was then
    page = client.get(response["Location"]).content.decode()
    assert "Your days now start at midnight in America/New_York" in page
    assert '<option value="America/New_York" selected>' in page


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "UTC; DROP TABLE", "x" * 100])
def test_an_unknown_time_zone_is_refused_and_nothing_changes(client, learner, zone):
    client.force_login(learner)
    response = client.post(TIME_ZONE, {"time_zone": zone})
    assert response.status_code == 400
    assert "time zone this site knows" in response.content.decode() or "required" in response.content.decode()
    learner.refresh_from_db()
    assert learner.time_zone == "UTC"


def test_the_time_zone_setting_needs_a_login_and_a_post(client, learner):
    response = client.post(TIME_ZONE, {"time_zone": "Europe/Paris"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(learner)
    assert client.get(TIME_ZONE).status_code == 405


def test_nobody_else_sees_a_learners_activity(client, learner):
    services.set_topic_status(user=learner, topic=TopicFactory(title="Secret topic"), status="done")
    other = logged_in(UserFactory())
    page = other.get(DASHBOARD).content.decode()
    assert streak(page) == ("0 days", "0 days")
    assert "0 actions on 0 days" in page
    assert client.get(DASHBOARD).status_code == 302  # a visitor has no dashboard


def test_the_activity_is_in_the_export_and_goes_with_the_account(learner):
    from accounts.personal_data import export_for

    services.set_topic_status(user=learner, topic=TopicFactory(slug="sql"), status="done")
    exported = export_for(learner)["activity"]
    assert [(row["kind"], row["topic"]) for row in exported] == [("done", "sql")]
    learner.delete()
    assert not Activity.objects.exists()


# A learner with activity and nothing else: one query reads the active days; +2: no review is due (one query
# for the due ones, with their topics) and one the date the next one comes due; their weekly goals with this
# week's finished work come with their statuses and tallies (learning.pages.dashboard.DASHBOARD_ROWS),
# whatever the number of either; +1: their latest done topics; +1: the newest feedback on their projects. The
# six are read together: one query on PostgreSQL. (No suggestions: none read.)
DASHBOARD_QUERIES = 3 + read_together(6)


@pytest.mark.usefixtures("rendered_every_time")
def test_the_dashboard_reads_a_year_of_activity_in_one_query(client, learner, cold_get):
    client.force_login(learner)
    Activity.objects.create(user=learner, kind="done", subject="topic:1", at=datetime.now(UTC), day=TODAY)
    client.get(DASHBOARD)
    cold_get(client, DASHBOARD, DASHBOARD_QUERIES)
    Activity.objects.bulk_create(
        Activity(
            user=learner,
            kind="note",
            subject=f"topic:{n}",
            at=datetime.now(UTC),
            day=TODAY - timedelta(days=n),
        )
        for n in range(1, 400)
    )
    page = cold_get(client, DASHBOARD, DASHBOARD_QUERIES).content.decode()
    assert "Longest streak</dt><dd>" in page
