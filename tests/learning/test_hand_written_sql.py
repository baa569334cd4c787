"""The dashboard's hand-written reads (plumbing.sql) give what their ORM definitions give, with the ORM's
types, on SQLite and on PostgreSQL: each is compared, on data with the cases it must leave out (another
learner's rows, unpublished topics, hidden projects and feedback, the learner's own feedback), with the
queryset it stands for."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min

from learning.community import project_queries
from learning.community.project_queries import FEEDBACK_ON_DASHBOARD, new_feedback_for, recent_feedback_for
from learning.models import (
    Activity,
    MilestoneCompletion,
    ReadyCheck,
    ReadyCheckTick,
    TopicProgress,
    TopicReview,
    TrackFollow,
    TrackGoal,
)
from learning.pages.dashboard import DASHBOARD_ROWS, Tallies, tallies_from
from learning.progress import activity, goals, state
from learning.progress.queries import (
    BOOKMARKED,
    BOOKMARKED_ROWS,
    FIRST_FOLLOWED,
    FIRST_FOLLOWED_ROWS,
    NOTED,
    RECENT_COMPLETIONS,
    REVIEWS_SHOWN,
    TICKED,
    TICKED_ROWS,
    TOPIC_NOTED_ROWS,
    TopicReads,
    due_reviews,
    due_reviews_read,
    recently_done,
    topic_reads,
)
from plumbing.sql import fetch_all
from tests.factories import (
    ActivityFactory,
    BookmarkFactory,
    MilestoneFactory,
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    ProjectVoteFactory,
    RatingFactory,
    ResourceFactory,
    ResourceSuggestionFactory,
    TopicFactory,
    TopicNoteFactory,
    TopicProgressFactory,
    TrackFactory,
    UserFactory,
)

TODAY = date(2026, 3, 18)  # a Wednesday


def at(days_ago: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, 18, hour, 30, 15, 123456, tzinfo=UTC) - timedelta(days=days_ago)


def dashboard_rows(user):
    return fetch_all(DASHBOARD_ROWS, goals.week_params(user, TODAY) | {"today": TODAY, "published": True})


def tallies_of(user):
    return tallies_from(dashboard_rows(user))


@pytest.fixture
def other(db):
    return UserFactory()


@pytest.mark.django_db
class TestLearnerRecord:
    def test_statuses_built_milestones_and_followed_tracks_are_the_learners(self, learner, other):
        done, learning, skipped = TopicFactory(), TopicFactory(), TopicFactory()
        for topic, status in ((done, "done"), (learning, "learning"), (skipped, "skipped")):
            TopicProgressFactory(user=learner, topic=topic, status=status)
        TopicProgressFactory(user=other, topic=TopicFactory())
        built, track = MilestoneFactory(), TrackFactory()
        MilestoneCompletion.objects.create(user=learner, milestone=built)
        MilestoneCompletion.objects.create(user=other, milestone=MilestoneFactory())
        TrackFollow.objects.create(user=learner, track=track)
        TrackFollow.objects.create(user=other, track=TrackFactory())

        record = state.learner_record(learner)

        assert state.record_from(dashboard_rows(learner)) == record  # the dashboard reads it with the rest

        assert record.state.statuses == {done.pk: "done", learning.pk: "learning", skipped.pk: "skipped"}
        assert record.state.milestones_done == frozenset({built.pk})
        assert record.followed == frozenset({track.pk})
        assert record.marked == {}  # the SQL's kinds are exactly MILESTONE_DONE and FOLLOWED
        assert {state.MILESTONE_DONE, state.FOLLOWED} == {"milestone", "followed"}

    def test_a_learner_with_nothing_has_an_empty_record(self, learner):
        assert state.learner_record(learner) == state.LearnerRecord()


@pytest.mark.django_db
class TestLearnerState:
    def test_statuses_and_built_milestones_or_statuses_alone(self, learner, other):
        topic, built = TopicFactory(), MilestoneFactory()
        TopicProgressFactory(user=learner, topic=topic, status="learning")
        TopicProgressFactory(user=other, topic=TopicFactory(), status="done")
        MilestoneCompletion.objects.create(user=learner, milestone=built)
        TrackFollow.objects.create(user=learner, track=TrackFactory())

        assert state.learner_state(learner) == state.LearnerState(
            {topic.pk: "learning"}, frozenset({built.pk})
        )
        assert state.learner_state(learner, milestones=False) == state.LearnerState({topic.pk: "learning"})
        assert state.learner_state(AnonymousUser()) == state.LearnerState()


@pytest.mark.django_db
class TestTopicReads:
    def test_only_the_learners_statuses_bookmarks_among_the_listed_ticks_and_note_of_this_topic(
        self, learner, other
    ):
        topic, elsewhere = TopicFactory(), TopicFactory()
        listed, unlisted = ResourceFactory(), ResourceFactory()
        ticked, unticked = (
            ReadyCheck.objects.create(topic=topic, position=n, text=f"Check {n}") for n in (0, 1)
        )
        check_elsewhere = ReadyCheck.objects.create(topic=elsewhere, position=0, text="Elsewhere")
        TopicProgressFactory(user=learner, topic=elsewhere, status="done")
        for user in (learner, other):
            BookmarkFactory(user=user, resource=listed)
            BookmarkFactory(user=user, resource=unlisted)
            ReadyCheckTick.objects.create(user=user, ready_check=ticked)
            ReadyCheckTick.objects.create(user=user, ready_check=check_elsewhere)
            TopicNoteFactory(user=user, topic=elsewhere)
        TopicNoteFactory(user=other, topic=topic)
        ReadyCheckTick.objects.create(user=other, ready_check=unticked)

        mine = topic_reads(learner, topic, [listed.pk])

        assert mine == TopicReads(
            state.LearnerState({elsewhere.pk: "done"}), {listed.pk}, {ticked.pk}, noted=False
        )
        TopicNoteFactory(user=learner, topic=topic)
        assert topic_reads(learner, topic, [listed.pk]).noted
        assert topic_reads(learner, topic, [], checks=False) == TopicReads(
            state.LearnerState({elsewhere.pk: "done"}), noted=True
        )
        assert topic_reads(AnonymousUser(), topic, [listed.pk]) == TopicReads()

    def test_of_the_tracks_asked_about_the_one_the_learner_followed_first(self, learner, other):
        topic = TopicFactory()
        first, second, not_asked = TrackFactory(), TrackFactory(), TrackFactory()
        now = datetime(2026, 3, 18, 9, tzinfo=UTC)
        for track, started in ((second, now), (not_asked, now - timedelta(days=9))):
            TrackFollow.objects.create(user=learner, track=track)
            TrackFollow.objects.filter(user=learner, track=track).update(started_at=started)
        TrackFollow.objects.create(user=other, track=first)
        asked = [first.pk, second.pk]
        assert topic_reads(learner, topic, [], tracks=asked).first_followed == second.pk
        TrackFollow.objects.create(user=learner, track=first)
        TrackFollow.objects.filter(user=learner, track=first).update(started_at=now - timedelta(days=1))
        assert topic_reads(learner, topic, [], tracks=asked).first_followed == first.pk
        assert topic_reads(learner, topic, [], tracks=[not_asked.pk]).first_followed == not_asked.pk
        assert topic_reads(learner, topic, []).first_followed is None  # no tracks asked about: not read
        assert topic_reads(other, topic, [], tracks=[second.pk]).first_followed is None

    def test_the_kinds_in_the_statements_are_the_readers(self):
        assert f"'{FIRST_FOLLOWED}'" in FIRST_FOLLOWED_ROWS
        assert f"'{NOTED}'" in TOPIC_NOTED_ROWS
        assert f"'{BOOKMARKED}'" in BOOKMARKED_ROWS
        assert f"'{TICKED}'" in TICKED_ROWS


@pytest.mark.django_db
class TestMine:
    def test_only_the_learners_mark_project_and_votes_among_the_listed(self, learner, other):
        milestone, elsewhere = MilestoneFactory(), MilestoneFactory()
        listed, unlisted = (
            ProjectSubmissionFactory(milestone=milestone),
            ProjectSubmissionFactory(milestone=milestone),
        )
        for user in (learner, other):
            ProjectVoteFactory(user=user, submission=listed)
            ProjectVoteFactory(user=user, submission=unlisted)
            MilestoneCompletion.objects.create(user=user, milestone=elsewhere)
            ProjectSubmissionFactory(user=user, milestone=elsewhere)
        MilestoneCompletion.objects.create(user=other, milestone=milestone)
        ProjectSubmissionFactory(user=other, milestone=milestone, is_featured=True)

        assert project_queries.mine(learner, milestone, [listed.pk]) == project_queries.Mine(
            voted=frozenset({listed.pk})
        )

        MilestoneCompletion.objects.create(user=learner, milestone=milestone)
        ProjectSubmissionFactory(user=learner, milestone=milestone, visibility="private", is_hidden=True)
        own = project_queries.OwnProject(visibility="private", is_hidden=True, is_featured=False)
        assert project_queries.mine(learner, milestone, []) == project_queries.Mine(built=True, own=own)
        assert project_queries.mine(AnonymousUser(), milestone, [listed.pk]) == project_queries.Mine()

    def test_the_kinds_in_the_statements_are_the_readers(self):
        assert f"'{project_queries.BUILT}'" in project_queries.BUILT_ROWS
        assert f"'{project_queries.OWN}'" in project_queries.OWN_ROWS
        assert f"'{project_queries.VOTED}'" in project_queries.VOTED_ROWS


@pytest.mark.django_db
class TestRecentlyDone:
    def test_the_latest_published_done_topics_newest_first_with_their_times(self, learner, other):
        topics = [TopicFactory() for _ in range(RECENT_COMPLETIONS + 2)]
        for days_ago, topic in enumerate(topics):
            TopicProgressFactory(user=learner, topic=topic, completed_at=at(days_ago))
        TopicProgressFactory(user=learner, topic=TopicFactory(is_published=False), completed_at=at(0, 23))
        TopicProgressFactory(user=learner, topic=TopicFactory(), status="learning", completed_at=None)
        TopicProgressFactory(user=other, topic=TopicFactory(), completed_at=at(0, 23))
        expected = list(
            TopicProgress.objects.filter(user=learner, status="done", topic__is_published=True)
            .select_related("topic")
            .order_by("-completed_at")[:RECENT_COMPLETIONS]
        )

        shown = recently_done(learner)

        assert (
            [item.topic for item in shown] == [item.topic for item in expected] == topics[:RECENT_COMPLETIONS]
        )
        assert [item.completed_at for item in shown] == [item.completed_at for item in expected]
        assert shown[0].completed_at == at(0)
        assert shown[0].completed_at.tzinfo is not None
        assert [(item.topic.slug, item.topic.title) for item in shown] == [
            (topic.slug, topic.title) for topic in topics[:RECENT_COMPLETIONS]
        ]
        assert shown[0].topic.get_absolute_url() == topics[0].get_absolute_url()


@pytest.mark.django_db
class TestTallies:
    def test_the_counts_are_the_learners_and_reviews_due_by_today_of_published_topics(self, learner, other):
        for owner, n in ((learner, 3), (other, 1)):
            for _ in range(n):
                BookmarkFactory(user=owner)
                TopicNoteFactory(user=owner)
                RatingFactory(user=owner)
            ResourceSuggestionFactory(user=owner)
        TopicReview.objects.create(user=learner, topic=TopicFactory(), due=TODAY)
        TopicReview.objects.create(user=learner, topic=TopicFactory(), due=TODAY - timedelta(days=9))
        TopicReview.objects.create(user=learner, topic=TopicFactory(), due=TODAY + timedelta(days=1))
        TopicReview.objects.create(user=learner, topic=TopicFactory(is_published=False), due=TODAY)
        TopicReview.objects.create(user=other, topic=TopicFactory(), due=TODAY)

        assert tallies_of(learner) == Tallies(bookmarks=3, notes=3, ratings=3, reviews_due=2, suggestions=1)
        assert tallies_of(UserFactory()) == Tallies(0, 0, 0, 0, 0)


@pytest.mark.django_db
class TestDueReviews:
    def make_reviews(self, learner, other):
        topics = [TopicFactory() for _ in range(REVIEWS_SHOWN + 2)]
        for days_ago, topic in enumerate(topics):
            TopicReview.objects.create(
                user=learner, topic=topic, box=1 + days_ago % 3, due=TODAY - timedelta(days=days_ago),
                last_reviewed=at(days_ago + 3) if days_ago % 2 else None,
            )  # fmt: skip
        TopicReview.objects.create(
            user=learner, topic=TopicFactory(is_published=False), due=TODAY - timedelta(99)
        )
        TopicReview.objects.create(user=other, topic=TopicFactory(), due=TODAY - timedelta(days=99))
        return topics

    def test_the_oldest_due_first_with_how_many_more(self, learner, other):
        self.make_reviews(learner, other)
        expected = list(
            TopicReview.objects.filter(user=learner, due__lte=TODAY, topic__is_published=True)
            .select_related("topic")
            .order_by("due", "pk")[:REVIEWS_SHOWN]
        )

        due = due_reviews(learner, TODAY)
        counted, _ = due_reviews_read(learner, TODAY, counted=True).run()  # the dashboard's: it counted them

        for shown in (due.shown, counted):
            assert [review.pk for review in shown] == [review.pk for review in expected]
            assert [(r.box, r.due, r.last_reviewed) for r in shown] == [
                (r.box, r.due, r.last_reviewed) for r in expected
            ]
            assert [(r.topic, r.topic.slug, r.topic.title) for r in shown] == [
                (r.topic, r.topic.slug, r.topic.title) for r in expected
            ]
            assert type(shown[0].due) is date
        assert due.more == 2
        assert due.next_due is None

    def test_none_due_gives_the_first_date_one_comes_due(self, learner, other):
        TopicReview.objects.create(user=learner, topic=TopicFactory(), due=TODAY + timedelta(days=4))
        TopicReview.objects.create(user=learner, topic=TopicFactory(), due=TODAY + timedelta(days=9))
        TopicReview.objects.create(
            user=learner, topic=TopicFactory(is_published=False), due=TODAY + timedelta(1)
        )
        TopicReview.objects.create(user=other, topic=TopicFactory(), due=TODAY + timedelta(days=1))
        first = TopicReview.objects.filter(user=learner, topic__is_published=True).aggregate(first=Min("due"))

        due = due_reviews(learner, TODAY)

        assert due.shown == []
        assert due.more == 0
        assert due.next_due == first["first"] == TODAY + timedelta(days=4)
        assert type(due.next_due) is date
        assert due_reviews(other, TODAY - timedelta(days=5)).next_due == TODAY + timedelta(days=1)
        assert due_reviews(UserFactory(), TODAY).next_due is None


@pytest.mark.django_db
class TestActivityAndGoals:
    def test_actions_are_counted_per_day_of_the_learners(self, learner, other):
        for days_ago, kinds in ((0, ["done", "note"]), (1, ["learning"]), (40, ["review", "done", "note"])):
            for kind in kinds:
                ActivityFactory(user=learner, day=TODAY - timedelta(days=days_ago), kind=kind)
        ActivityFactory(user=other, day=TODAY - timedelta(days=2))
        expected = dict(
            Activity.objects.filter(user=learner)
            .values("day")
            .annotate(n=Count("pk"))
            .values_list("day", "n")
        )

        summary = activity.activity_of(learner, TODAY)

        assert expected == {TODAY: 2, TODAY - timedelta(1): 1, TODAY - timedelta(40): 3}
        assert summary.actions == 6
        assert summary.active_days == 3
        assert summary.current_streak == 2

    def test_goals_and_this_weeks_finished_work(self, learner, other):
        track, topic, milestone = TrackFactory(), TopicFactory(), MilestoneFactory()
        TrackGoal.objects.create(user=learner, track=track, hours_per_week=6, study_days=0b0010101)
        TrackGoal.objects.create(user=other, track=TrackFactory(), hours_per_week=2)
        monday = TODAY - timedelta(days=2)
        ActivityFactory(user=learner, day=monday, kind="done", topic=topic, subject=f"topic:{topic.pk}")
        ActivityFactory(user=learner, day=TODAY, kind="milestone", milestone=milestone, subject="milestone:1")
        ActivityFactory(user=learner, day=monday - timedelta(days=1), kind="done", topic=TopicFactory())
        ActivityFactory(user=learner, day=TODAY, kind="learning", topic=TopicFactory())
        ActivityFactory(user=other, day=TODAY, kind="done", topic=TopicFactory())

        found, week = goals.goals_and_week(learner, TODAY)

        assert goals.goals_from(dashboard_rows(learner), TODAY) == (found, week)  # read with the rest

        assert found == {track.pk: goals.Goal(hours_per_week=6, study_days=0b0010101)}
        assert week == goals.WeekDone(monday, frozenset({topic.pk}), frozenset({milestone.pk}))
        assert goals.GOAL_ROW == "goal"  # the SQL's text for a goal's row


@pytest.mark.django_db
class TestRecentFeedback:
    def test_it_is_new_feedback_for_s_newest_with_the_writer_and_the_project(self, learner, other):
        shared = ProjectSubmissionFactory(user=learner)
        hidden_project = ProjectSubmissionFactory(user=learner, is_hidden=True)
        for days_ago in range(FEEDBACK_ON_DASHBOARD + 1):
            ProjectFeedbackFactory(submission=shared, text=f"Feedback {days_ago}")
        ProjectFeedbackFactory(submission=shared, is_hidden=True)
        ProjectFeedbackFactory(submission=shared, user=learner)  # their own answer isn't feedback to them
        ProjectFeedbackFactory(submission=hidden_project)
        ProjectFeedbackFactory(submission=ProjectSubmissionFactory(user=other))
        expected = list(new_feedback_for(learner, None)[:FEEDBACK_ON_DASHBOARD])

        shown = recent_feedback_for(learner)

        assert [f.pk for f in shown] == [f.pk for f in expected]
        assert len(shown) == FEEDBACK_ON_DASHBOARD
        assert [(f.text, f.created_at, f.user.username) for f in shown] == [
            (f.text, f.created_at, f.user.username) for f in expected
        ]
        assert [(f.submission.milestone.title, f.submission.milestone.get_absolute_url()) for f in shown] == [
            (f.submission.milestone.title, f.submission.milestone.get_absolute_url()) for f in expected
        ]
        assert shown[0].created_at.tzinfo is not None
        assert recent_feedback_for(other) != []
        assert recent_feedback_for(UserFactory()) == []
