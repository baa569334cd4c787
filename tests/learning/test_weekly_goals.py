"""Weekly goals: a learner sets hours a week and study days on a track they follow; the track page and the
dashboard project when they'll finish and say whether this week is on track (learning/progress/goals.py).
The arithmetic with exact dates, then the same through the real URLs: setting, changing, removing, bad input,
privacy, visitors, a learner in another time zone."""

from datetime import UTC, date, datetime
from fractions import Fraction
from types import SimpleNamespace

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning.models import Activity, TrackFollow, TrackGoal
from learning.progress import services
from learning.progress.goals import (
    Goal,
    WeekDone,
    bitmask_of,
    days_said,
    goals_and_week,
    monday_of,
    projection,
)
from learning.progress.state import LearnerState
from tests.conftest import logged_in
from tests.factories import (
    MilestoneFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)

WEDNESDAY = date(2026, 12, 2)  # "today" in these tests: a Wednesday
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


# ---------- The arithmetic, over plain objects (no database) ----------


def step(topic_id, hours, *, optional=False):
    return SimpleNamespace(topic_id=topic_id, is_optional=optional, topic=SimpleNamespace(hours=hours))


def milestone(pk, hours):
    return SimpleNamespace(pk=pk, hours=hours)


# 10 h + 5 h required, 8 h optional (never counted in what remains), a 6 h milestone: 21 h to go.
STEPS = [step(1, 10), step(2, 5), step(3, 8, optional=True), step(4, None)]
MILESTONES = [milestone(100, 6)]
NOTHING_DONE = LearnerState()


def project(goal, state=NOTHING_DONE, week=None, today=WEDNESDAY):
    return projection(goal, STEPS, MILESTONES, state, week or WeekDone(monday_of(today)), today)


def days(*weekdays):
    return bitmask_of(weekdays)


class TestTheProjectedFinish:
    def test_remaining_hours_are_the_required_steps_and_milestones_not_done(self):
        assert project(Goal(7)).remaining_hours == 21  # the optional 8 h and an unestimated topic count 0

    def test_today_plus_the_weeks_it_takes_on_any_day(self):
        assert project(Goal(7)).finish == date(2026, 12, 23)  # 21 h at 7 h a week: three weeks

    def test_a_part_of_a_day_rounds_up_to_the_next_day(self):
        assert project(Goal(10)).finish == date(2026, 12, 17)  # 21 × 7 ÷ 10 = 14.7 days → 15

    def test_the_finish_moves_on_to_the_next_study_day(self):
        assert project(Goal(7, days(MON, TUE))).finish == date(2026, 12, 28)  # Wed 23 → Mon 28
        assert project(Goal(7, days(WED))).finish == date(2026, 12, 23)  # a Wednesday already
        assert project(Goal(7, days(SUN))).finish == date(2026, 12, 27)

    def test_changing_the_goal_moves_the_date(self):
        assert project(Goal(14)).finish == date(2026, 12, 13)  # 10.5 days → 11
        assert project(Goal(60)).finish == date(2026, 12, 5)  # 2.45 days → 3
        assert project(Goal(1)).finish == date(2027, 4, 28)  # 147 days: 21 weeks

    def test_finishing_topics_moves_the_date(self):
        first_done = LearnerState({1: "done"})
        assert project(Goal(7), first_done).remaining_hours == 11
        assert project(Goal(7), first_done).finish == date(2026, 12, 13)
        skipped_and_built = LearnerState({1: "skipped", 2: "learning"}, frozenset({100}))
        assert project(Goal(7), skipped_and_built).finish == date(2026, 12, 7)  # 5 h left: 5 days

    def test_nothing_required_left_is_today_or_the_next_study_day(self):
        required_done = LearnerState({1: "done", 2: "done", 4: "done"}, frozenset({100}))
        assert project(Goal(7), required_done).remaining_hours == 0
        assert project(Goal(7), required_done).finish == WEDNESDAY
        assert project(Goal(7, days(SAT)), required_done).finish == date(2026, 12, 5)
        assert not project(Goal(7), required_done).finished  # the optional topic is still open

    def test_a_finished_track_says_finished_and_has_no_date(self):
        everything = LearnerState({1: "done", 2: "done", 3: "done", 4: "skipped"}, frozenset({100}))
        finished = project(Goal(7), everything)
        assert finished.finished
        assert finished.finish is None
        assert finished.week_said == "Finished"

    def test_the_days_are_said_in_words(self):
        assert days_said(0) == "any day"
        assert days_said(days(*range(7))) == "any day"
        assert days_said(days(MON, WED, FRI)) == "Mon, Wed, Fri"


class TestThisWeek:
    def test_expected_hours_grow_with_the_study_days_gone_today_included(self):
        goal = Goal(6, days(MON, WED, FRI))
        assert project(goal, today=date(2026, 11, 30)).expected_hours == 2  # Monday: 1 of 3
        assert project(goal, today=date(2026, 12, 1)).expected_hours == 2  # Tuesday: no study day
        assert project(goal).expected_hours == 4  # Wednesday: 2 of 3
        assert project(goal, today=date(2026, 12, 6)).expected_hours == 6  # Sunday: the whole week

    def test_no_study_day_chosen_counts_every_day(self):
        assert project(Goal(7)).expected_hours == 3  # Wednesday: 3 of 7 days
        assert project(Goal(5)).expected_hours == Fraction(15, 7)

    def test_behind_by_whole_hours_rounded_up(self):
        behind = project(Goal(5))  # 15/7 h expected, nothing done
        assert not behind.on_track
        assert behind.behind_by == 3
        assert behind.week_said == "Behind by 3 h"

    def test_topics_done_and_milestones_built_this_week_are_credited(self):
        goal = Goal(6, days(MON, WED, FRI))  # 4 h expected by Wednesday
        state = LearnerState({1: "done", 2: "done"}, frozenset({100}))
        week = WeekDone(monday_of(WEDNESDAY), frozenset({2}), frozenset())
        assert project(goal, state, week).credited_hours == 5
        assert project(goal, state, week).week_said == "On track"
        built = WeekDone(monday_of(WEDNESDAY), frozenset({2}), frozenset({100}))
        assert project(goal, state, built).credited_hours == 11
        two_steps = [step(5, 3), step(6, 4)]
        just_short = projection(Goal(12), two_steps, [], LearnerState({5: "done"}), week, WEDNESDAY)
        assert just_short.expected_hours == Fraction(36, 7)  # 5.14 h
        assert just_short.credited_hours == 0  # topic 5 was not done this week
        assert just_short.week_said == "Behind by 6 h"

    def test_a_topic_done_this_week_and_then_reopened_is_not_credited(self):
        week = WeekDone(monday_of(WEDNESDAY), frozenset({1}), frozenset({100}))
        assert project(Goal(6), LearnerState({1: "learning"}), week).credited_hours == 0

    def test_the_week_runs_monday_to_sunday(self):
        assert monday_of(date(2026, 12, 6)) == date(2026, 11, 30)  # a Sunday: the week began Monday
        assert monday_of(date(2026, 12, 7)) == date(2026, 12, 7)  # a Monday starts the next


# ---------- Through the database and the real URLs ----------


@pytest.fixture
def small_track(db):
    """Two required topics (10 h, 5 h), one optional (8 h), a 6 h milestone: 21 h to go."""
    track = TrackFactory(slug="weekly", title="Weekly track")
    stage = StageFactory(track=track, slug="only", title="Only stage", position=0)
    for position, (hours, optional) in enumerate([(10, False), (5, False), (8, True)]):
        StepFactory(stage=stage, topic=TopicFactory(hours=hours), position=position, is_optional=optional)
    MilestoneFactory(stage=stage, hours=6)
    return track


def goal_url(track):
    return reverse("learning:track_goal", args=[track.slug])


def topics_of(track):
    return [step.topic for step in track.steps.order_by("position")]


AT_NOON = datetime(2026, 12, 2, 12, tzinfo=UTC)  # Wednesday


@pytest.mark.django_db
class TestTheGoalThroughTheSite:
    def test_a_follower_sets_a_goal_and_sees_the_projection(self, learner, small_track):
        client = logged_in(learner)
        TrackFollow.objects.create(user=learner, track=small_track)
        with time_machine.travel(AT_NOON, tick=False):
            page = client.get(small_track.get_absolute_url()).content.decode()
            assert "Your weekly goal" in page
            assert "<legend>Study days</legend>" in page
            assert "Projected finish" not in page  # no goal yet: the invitation
            assert "Set a weekly goal" in page
            response = client.post(
                goal_url(small_track), {"hours_per_week": "7", "study_days": [str(MON), str(TUE)]}
            )
            assert response.status_code == 302
            assert response["Location"] == f"{small_track.get_absolute_url()}#weekly-goal"
            goal = TrackGoal.objects.get(user=learner, track=small_track)
            assert (goal.hours_per_week, goal.study_days) == (7, 0b11)
            page = client.get(response["Location"]).content.decode()
        goal_part = page.split('id="weekly-goal"')[1]
        assert "Your weekly goal: 7 hours a week." in goal_part
        assert 'Projected finish: <time datetime="2026-12-28">Mon 28 Dec 2026</time>' in goal_part
        assert "21 h left at 7 h a week, Mon, Tue" in goal_part
        assert "This week: <strong" in goal_part
        assert "Behind by 7 h" in goal_part  # the 7 h were due by Tuesday
        assert 'name="study_days" value="0" checked' in goal_part
        assert 'name="study_days" value="2">' in goal_part

    def test_changing_the_goal_and_finishing_topics_move_the_date(self, learner, small_track):
        client = logged_in(learner)
        with time_machine.travel(AT_NOON, tick=False):
            client.post(goal_url(small_track), {"hours_per_week": "7"})
            assert (
                'Projected finish: <time datetime="2026-12-23"'
                in client.get(small_track.get_absolute_url()).content.decode()
            )
            client.post(goal_url(small_track), {"hours_per_week": "14"})
            assert TrackGoal.objects.get(user=learner).hours_per_week == 14
            assert (
                'Projected finish: <time datetime="2026-12-13"'
                in client.get(small_track.get_absolute_url()).content.decode()
            )
            services.set_topic_status(user=learner, topic=topics_of(small_track)[0], status="done")
            page = client.get(small_track.get_absolute_url()).content.decode()
        assert 'Projected finish: <time datetime="2026-12-08"' in page  # 11 h at 14 a week: 5.5 days → 6
        assert "10 h done of 6 h expected by today" in page
        assert "On track" in page

    def test_the_dashboard_shows_each_followed_track_with_a_goal(self, learner, small_track):
        client = logged_in(learner)
        other = TrackFactory(slug="other", title="Other track")
        StepFactory(stage=StageFactory(track=other), topic=TopicFactory(hours=3))
        TrackFollow.objects.create(user=learner, track=other)
        with time_machine.travel(AT_NOON, tick=False):
            client.post(goal_url(small_track), {"hours_per_week": "7"})
            page = client.get(reverse("learning:dashboard")).content.decode()
        weekly_card = page.split("Weekly track</a>")[1].split("</article>")[0]
        assert 'Projected finish: <time datetime="2026-12-23">Wed 23 Dec 2026</time>' in weekly_card
        assert "Behind by 3 h" in weekly_card
        other_card = page.split("Other track</a>")[1].split("</article>")[0]
        assert "Projected finish" not in other_card
        assert f'href="{other.get_absolute_url()}#weekly-goal">Set a weekly goal</a>' in other_card

    def test_a_finished_track_says_finished(self, learner, small_track):
        client = logged_in(learner)
        client.post(goal_url(small_track), {"hours_per_week": "7"})
        for topic in topics_of(small_track):
            services.set_topic_status(user=learner, topic=topic, status="done")
        services.set_milestone_done(
            user=learner, milestone=small_track.stages.get().milestones.get(), done=True
        )
        goal_part = client.get(small_track.get_absolute_url()).content.decode().split('id="weekly-goal"')[1]
        assert "<strong>Finished.</strong>" in goal_part
        assert "Projected finish" not in goal_part
        assert "This week:" not in goal_part
        card = client.get(reverse("learning:dashboard")).content.decode().split("Weekly track</a>")[1]
        assert "Projected finish" not in card.split("</article>")[0]

    def test_setting_a_goal_on_a_track_you_dont_follow_follows_it(self, learner, small_track):
        client = logged_in(learner)
        assert not TrackFollow.objects.filter(user=learner).exists()
        client.post(goal_url(small_track), {"hours_per_week": "3"})
        assert TrackFollow.objects.filter(user=learner, track=small_track).exists()

    def test_no_study_day_chosen_is_allowed_and_means_any_day(self, learner, small_track):
        client = logged_in(learner)
        assert client.post(goal_url(small_track), {"hours_per_week": "5"}).status_code == 302
        assert TrackGoal.objects.get(user=learner).study_days == 0

    def test_removing_the_goal(self, learner, small_track):
        client = logged_in(learner)
        client.post(goal_url(small_track), {"hours_per_week": "5"})
        response = client.post(goal_url(small_track), {"action": "remove", "hours_per_week": "abc"})
        assert response.status_code == 302
        assert not TrackGoal.objects.exists()
        page = client.get(small_track.get_absolute_url()).content.decode()
        assert "Your weekly goal is removed." in page
        assert "Projected finish" not in page
        assert TrackFollow.objects.filter(user=learner, track=small_track).exists()  # still followed

    @pytest.mark.parametrize(
        ("data", "said"),
        [
            ({"hours_per_week": "0"}, "Hours per week go from 1 to 60."),
            ({"hours_per_week": "61"}, "Hours per week go from 1 to 60."),
            ({"hours_per_week": "abc"}, "Hours per week is a whole number from 1 to 60."),
            ({"hours_per_week": ""}, "Say how many hours a week you mean to study."),
            ({"hours_per_week": "5", "study_days": ["7"]}, "Study days are days of the week"),
            ({"hours_per_week": "5", "study_days": ["x"]}, "Study days are days of the week"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_stored(self, learner, small_track, data, said):
        client = logged_in(learner)
        response = client.post(goal_url(small_track), data)
        assert response.status_code == 400
        assert said in response.content.decode()
        assert not TrackGoal.objects.exists()
        assert not TrackFollow.objects.exists()

    def test_a_bad_change_leaves_the_goal_as_it_was(self, learner, small_track):
        client = logged_in(learner)
        client.post(goal_url(small_track), {"hours_per_week": "5"})
        assert client.post(goal_url(small_track), {"hours_per_week": "61"}).status_code == 400
        assert TrackGoal.objects.get(user=learner).hours_per_week == 5

    def test_another_learners_goal_is_never_seen_or_changed(self, learner, small_track):
        other = UserFactory()
        services.set_track_goal(user=other, track=small_track, hours_per_week=9, study_days=days(SUN))
        client = logged_in(learner)
        TrackFollow.objects.create(user=learner, track=small_track)
        page = client.get(small_track.get_absolute_url()).content.decode()
        assert "Projected finish" not in page
        assert 'value="6" checked' not in page
        client.post(goal_url(small_track), {"hours_per_week": "2"})
        client.post(goal_url(small_track), {"action": "remove"})
        assert TrackGoal.objects.get(user=other).hours_per_week == 9
        assert "Projected finish" not in client.get(reverse("learning:dashboard")).content.decode()

    def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(self, client, small_track):
        response = client.post(goal_url(small_track), {"hours_per_week": "5"})
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        assert not TrackGoal.objects.exists()
        assert "Your weekly goal" not in client.get(small_track.get_absolute_url()).content.decode()

    def test_a_learner_who_does_not_follow_sees_no_goal_form(self, learner, small_track):
        page = logged_in(learner).get(small_track.get_absolute_url()).content.decode()
        assert "Your weekly goal" not in page

    def test_the_goal_is_a_get_only_refused(self, learner, small_track):
        assert logged_in(learner).get(goal_url(small_track)).status_code == 405

    def test_the_goal_goes_with_the_account(self, learner, small_track):
        services.set_track_goal(user=learner, track=small_track, hours_per_week=5, study_days=0)
        learner.delete()
        assert not TrackGoal.objects.exists()


@pytest.mark.django_db
class TestTheDatabaseRefusesBadGoals:
    @pytest.mark.parametrize(("hours", "study_days"), [(0, 0), (61, 0), (5, 128)])
    def test_out_of_range(self, learner, small_track, hours, study_days):
        with pytest.raises(IntegrityError), transaction.atomic():
            TrackGoal.objects.create(
                user=learner, track=small_track, hours_per_week=hours, study_days=study_days
            )

    def test_one_goal_per_learner_and_track(self, learner, small_track):
        TrackGoal.objects.create(user=learner, track=small_track, hours_per_week=5)
        with pytest.raises(IntegrityError), transaction.atomic():
            TrackGoal.objects.create(user=learner, track=small_track, hours_per_week=6)


@pytest.mark.django_db
class TestTheLearnersWeekInTheirZone:
    """A learner in Auckland (UTC+13 in December): their Monday starts while it is Sunday noon in UTC."""

    SUNDAY_EVENING_THERE = datetime(2026, 12, 6, 9, tzinfo=UTC)  # Sun 22:00 in Auckland
    MONDAY_THERE = datetime(2026, 12, 6, 12, tzinfo=UTC)  # Mon 01:00 in Auckland, still Sunday in UTC

    def test_work_done_on_their_sunday_leaves_the_week_at_their_midnight(self, small_track):
        kiwi = UserFactory(time_zone="Pacific/Auckland")
        london = UserFactory(time_zone="UTC")
        first = topics_of(small_track)[0]
        with time_machine.travel(self.SUNDAY_EVENING_THERE, tick=False):
            for learner in (kiwi, london):
                services.set_track_goal(user=learner, track=small_track, hours_per_week=7, study_days=0)
                services.set_topic_status(user=learner, topic=first, status="done")
            _, week = goals_and_week(kiwi, date(2026, 12, 6))
            assert week.topic_ids == {first.pk}
        with time_machine.travel(self.MONDAY_THERE, tick=False):
            kiwi_page = logged_in(kiwi).get(small_track.get_absolute_url()).content.decode()
            london_page = logged_in(london).get(small_track.get_absolute_url()).content.decode()
        # Auckland: a new week (Monday, 1 h expected, nothing credited yet), 11 h left from Monday 7 Dec.
        assert 'Projected finish: <time datetime="2026-12-18"' in kiwi_page
        assert "0 h done of 1 h expected by today" in kiwi_page
        # UTC: still Sunday 6 Dec, the 10 h topic is this week's.
        assert 'Projected finish: <time datetime="2026-12-17"' in london_page
        assert "10 h done of 7 h expected by today" in london_page
        assert Activity.objects.filter(user=kiwi, day=date(2026, 12, 6)).exists()

    def test_the_page_moves_at_the_learners_midnight_with_nothing_written(self, small_track, settings):
        settings.PAGE_CACHE = True
        kiwi = UserFactory(time_zone="Pacific/Auckland")
        services.set_track_goal(user=kiwi, track=small_track, hours_per_week=7, study_days=0)
        client = logged_in(kiwi)
        with time_machine.travel(self.SUNDAY_EVENING_THERE, tick=False):
            assert 'datetime="2026-12-27"' in client.get(small_track.get_absolute_url()).content.decode()
        with time_machine.travel(self.MONDAY_THERE, tick=False):
            assert 'datetime="2026-12-28"' in client.get(small_track.get_absolute_url()).content.decode()
