"""Learner data: database constraints, constant query counts, and concurrent identical requests."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learning.models import (
    Activity,
    Bookmark,
    MilestoneCompletion,
    Rating,
    TopicProgress,
    TopicReview,
    TrackFollow,
    TrackGoal,
)
from tests.batches import read_together
from tests.factories import (
    BookmarkFactory,
    MilestoneFactory,
    RatingFactory,
    ResourceFactory,
    TopicFactory,
    TopicProgressFactory,
    UserFactory,
)
from tests.learning.conftest import build_track


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
class TestConstraints:
    def test_one_row_per_user_and_object(self, learner):
        topic, resource, milestone = TopicFactory(), ResourceFactory(), MilestoneFactory()
        TopicProgressFactory(user=learner, topic=topic)
        refused(lambda: TopicProgressFactory(user=learner, topic=topic))
        BookmarkFactory(user=learner, resource=resource)
        refused(lambda: BookmarkFactory(user=learner, resource=resource))
        RatingFactory(user=learner, resource=resource)
        refused(lambda: RatingFactory(user=learner, resource=resource))
        MilestoneCompletion.objects.create(user=learner, milestone=milestone)
        refused(lambda: MilestoneCompletion.objects.create(user=learner, milestone=milestone))

    @pytest.mark.parametrize("stars", [0, 6, 100])
    def test_stars_stay_between_one_and_five(self, stars):
        refused(lambda: RatingFactory(stars=stars))

    def test_review_and_note_lengths_are_bounded(self):
        refused(lambda: RatingFactory(review="x" * 2001))
        refused(lambda: BookmarkFactory(note="x" * 1001))
        RatingFactory(review="x" * 2000)

    def test_status_must_be_known_and_done_needs_a_completion_time(self):
        refused(lambda: TopicProgressFactory(status="finished"))
        refused(lambda: TopicProgressFactory(status="done", completed_at=None))
        TopicProgressFactory(status="learning", completed_at=None)

    def test_deleting_a_user_deletes_their_data(self, learner):
        TopicProgressFactory(user=learner)
        BookmarkFactory(user=learner)
        RatingFactory(user=learner)
        learner.delete()
        assert (TopicProgress.objects.count(), Bookmark.objects.count(), Rating.objects.count()) == (0, 0, 0)


def check_off(user, topics):
    """Done, each with its review due today (the dashboard lists them)."""
    TopicProgress.objects.bulk_create(
        TopicProgress(user=user, topic=topic, status="done", completed_at=timezone.now()) for topic in topics
    )
    today = timezone.now().date()  # the learner's zone is UTC
    TopicReview.objects.bulk_create(TopicReview(user=user, topic=topic, due=today) for topic in topics)


def done_today(user, topics):
    """The Activity rows of topics finished today: this week's work a weekly goal credits."""
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(user=user, kind="done", subject=f"topic:{t.pk}", topic=t, at=now, day=now.date())
        for t in topics
    )


# The queries of each learner page rendered cold (nothing cached, PAGE_CACHE off), the same with 1 check-off
# and with 200.
# The topic page: +2 for the track followed first and its ordered steps (memoised per catalogue version); its
# learner reads no milestones (the page shows none).
# Home: the learner's statuses, milestones and followed tracks in one query (learner_record; Continue shows
# the followed tracks only). The topic page: +1 for the topic's
# "You're ready when" checks (read with the topic, memoised with it per catalogue version); the learner's ticks
# of them and whether they wrote a note come with their statuses and bookmarks (progress.queries.topic_reads:
# one UNION ALL); the note's text is read only when there is one (these learners have none: +1 with one).
LEARNER_PAGE_QUERIES = {
    # The track: a learner's statuses, milestones and followed tracks in one query (learner_record), read
    # together with their weekly goals and this week's finished work (goals_and_week, one UNION ALL).
    "track": 8 + read_together(2),
    # The dashboard: the learner's statuses, milestones and followed tracks, their weekly goals with this week's
    # finished work, and how many bookmarks, notes, ratings, due reviews and suggestions they have, in one
    # query (one UNION ALL: learning.pages.dashboard.DASHBOARD_ROWS), the projections from the memoised
    # outlines; +1: their latest done topics; +1: the reviews due, with their topics; +1: the date the first
    # comes due; +1: their active days (streaks and the calendar); +1: the newest feedback on their projects.
    # The six are read together: one query on PostgreSQL. (Their suggestions are read only when the tallies
    # counted some: these learners have none.)
    "dashboard": 5 + read_together(6),
    # The topic's catalogue part: seven statements read together (learning.catalogue.topic_sql); the
    # learner's own bits and the track they followed first, one query (topic_reads); its steps, one more.
    "topic": 4 + read_together(7),
    "topic in its track": 4 + read_together(7),
    "home": 9,
    "bookmarks": 5,  # a page of 25: the count, the page, its resources' topics
    # The resource's part: five statements read together (resource_sql); the learner's rating and bookmark:
    # two more, read together.
    "resource": 2 + read_together(2) + read_together(5),
}


@pytest.mark.django_db
@pytest.mark.usefixtures("rendered_every_time")
@pytest.mark.parametrize("page", LEARNER_PAGE_QUERIES)
def test_learner_pages_run_the_same_queries_with_1_and_200_check_offs(client, learner, cold_get, page):
    track = build_track(4, slug="small")
    topic = track.steps.first().topic
    resource = topic.resources.first()
    urls = {
        "track": track.get_absolute_url(),
        "dashboard": reverse("learning:dashboard"),
        "topic": topic.get_absolute_url(),
        "topic in its track": f"{topic.get_absolute_url()}?track={track.slug}",
        "home": "/",
        "bookmarks": reverse("learning:bookmarks"),
        "resource": resource.get_absolute_url(),
    }
    client.force_login(learner)
    TrackFollow.objects.create(user=learner, track=track)
    TrackGoal.objects.create(user=learner, track=track, hours_per_week=5, study_days=0b11)
    check_off(learner, [topic])
    done_today(learner, [topic])
    BookmarkFactory(user=learner, resource=resource)
    RatingFactory(user=learner, resource=resource, review="good")
    client.get(urls[page])  # warm up caches that are not per request (content types)
    cold_get(client, urls[page], LEARNER_PAGE_QUERIES[page])

    big = build_track(200, slug="big", resources_per_topic=1)
    TrackFollow.objects.create(user=learner, track=big)
    TrackGoal.objects.create(user=learner, track=big, hours_per_week=40)
    check_off(learner, [step.topic for step in big.steps.all()[:199]])
    done_today(learner, [step.topic for step in big.steps.all()[:199]])
    for other in big.steps.all()[:30]:
        BookmarkFactory(user=learner, resource=other.topic.resources.first())
        RatingFactory(resource=resource, review="another review")
    assert TopicProgress.objects.filter(user=learner).count() == 200
    cold_get(client, urls[page], LEARNER_PAGE_QUERIES[page])


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["status", "bookmark", "rating", "milestone"])
def test_two_identical_posts_at_once_leave_one_row(action):
    user = UserFactory()
    milestone = MilestoneFactory()
    topic = TopicFactory()
    resource = ResourceFactory()
    url, data, model = {
        "status": (reverse("learning:topic_status", args=[topic.slug]), {"status": "done"}, TopicProgress),
        "bookmark": (reverse("learning:bookmark", args=[resource.pk]), {"action": "add"}, Bookmark),
        "rating": (reverse("learning:rate", args=[resource.pk]), {"stars": "4"}, Rating),
        "milestone": (
            reverse("learning:milestone_done", args=[milestone.pk]),
            {"done": "1"},
            MilestoneCompletion,
        ),
    }[action]
    barrier = threading.Barrier(2)
    statuses = []

    def post():
        client = Client()
        client.force_login(user)
        barrier.wait()
        statuses.append(client.post(url, data).status_code)
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert model.objects.count() == 1
