"""Spaced review of done topics: a topic marked done comes back on the dashboard three days later (on the
learner's calendar), then 7, 21 and 60 days while it stays solid; a refresher starts it over, optionally back
to learning. Through the real URLs with the clock moved; private to its learner; bad answers refused."""

import re
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning.models import Activity, TopicProgress, TopicReview
from learning.progress import services
from tests.factories import TopicFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("learning:dashboard")
TOKYO_MIDNIGHT = timedelta(
    hours=-9
)  # midnight in Tokyo (UTC+9, no daylight saving) is 15:00 UTC the day before


def review_url(topic):
    return reverse("learning:topic_review", args=[topic.slug])


def status_url(topic):
    return reverse("learning:topic_status", args=[topic.slug])


def tokyo(day: date, hour=0, minute=0, second=0) -> datetime:
    """The UTC moment it is `hour:minute` on `day` in Tokyo."""
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=UTC) + TOKYO_MIDNIGHT


@contextmanager
def at(client, user, moment):
    with time_machine.travel(moment, tick=False):
        client.force_login(user)  # a login weeks ago would have expired
        yield


def due_section(page: str) -> str:
    return page[page.index('id="reviews"') : page.index('id="activity"')]


def schedule(user, topic):
    review = TopicReview.objects.get(user=user, topic=topic)
    return review.box, review.due


@pytest.fixture
def learner():
    return UserFactory(time_zone="Asia/Tokyo")


@pytest.fixture
def topic():
    return TopicFactory(title="HTTP caching")


def test_a_done_topic_comes_due_three_days_later_at_the_learners_midnight(client, learner, topic):
    with at(client, learner, tokyo(date(2026, 12, 2), 1)):  # 1 a.m. on 2 Dec in Tokyo: 1 Dec in UTC
        client.post(status_url(topic), {"status": "done"})
        assert schedule(learner, topic) == (1, date(2026, 12, 5))
        page = client.get(DASHBOARD).content.decode()
    assert "Your next review comes due on" in due_section(page)
    assert '<time datetime="2026-12-05">5 December</time>' in due_section(page)
    assert topic.title not in due_section(page)

    with at(client, learner, tokyo(date(2026, 12, 5)) - timedelta(seconds=1)):  # 23:59:59 on the 4th
        assert topic.title not in due_section(client.get(DASHBOARD).content.decode())
        # Answered before it is due: nothing changes.
        response = client.post(review_url(topic), {"answer": "solid"}, follow=True)
        assert "“HTTP caching” isn&#x27;t due for review yet." in due_section(response.content.decode())
    assert schedule(learner, topic) == (1, date(2026, 12, 5))
    assert not Activity.objects.filter(kind="review").exists()

    # Nothing is written at midnight: the cached page still changes, its key holds the learner's date.
    with at(client, learner, tokyo(date(2026, 12, 5))):
        section = due_section(client.get(DASHBOARD).content.decode())
    assert f'<a href="{topic.get_absolute_url()}">HTTP caching</a>' in section
    assert f'action="{review_url(topic)}"' in section
    assert 'name="answer" value="solid"' in section
    assert 'name="answer" value="refresh"' in section
    assert 'name="relearn" value="1"' in section


def test_still_solid_moves_it_up_the_boxes_and_the_last_box_keeps_it(client, learner, topic):
    with at(client, learner, tokyo(date(2026, 12, 2), 9)):
        client.post(status_url(topic), {"status": "done"})
    day = date(2026, 12, 5)
    for box, interval in ((2, 7), (3, 21), (4, 60), (4, 60)):
        with at(client, learner, tokyo(day, 20)):
            response = client.post(review_url(topic), {"answer": "solid"})
            assert response.status_code == 302
            assert response["Location"] == f"{DASHBOARD}#reviews"
            page = client.get(DASHBOARD).content.decode()
        day += timedelta(days=interval)
        assert schedule(learner, topic) == (box, day)
        assert f"Still solid. “HTTP caching”: next review on {day:%-d %B}." in due_section(page)
    assert TopicReview.objects.get(user=learner).last_reviewed == tokyo(day - timedelta(days=60), 20)
    assert TopicProgress.objects.get(user=learner, topic=topic).status == "done"
    # Each answer counts for the learner's streak, on their day.
    assert list(Activity.objects.filter(kind="review").order_by("day").values_list("day", flat=True)) == [
        date(2026, 12, 5),
        date(2026, 12, 12),
        date(2027, 1, 2),
        date(2027, 3, 3),
    ]


def test_a_refresher_starts_it_over_at_three_days(client, learner, topic):
    with at(client, learner, tokyo(date(2026, 12, 2), 9)):
        client.post(status_url(topic), {"status": "done"})
    with at(client, learner, tokyo(date(2026, 12, 5), 9)):
        client.post(review_url(topic), {"answer": "solid"})
    with at(client, learner, tokyo(date(2026, 12, 14), 9)):  # two days late
        response = client.post(review_url(topic), {"answer": "refresh"}, follow=True)
    assert schedule(learner, topic) == (1, date(2026, 12, 17))
    assert "Refresher noted. “HTTP caching”: next review on 17 December." in due_section(
        response.content.decode()
    )
    assert TopicProgress.objects.get(user=learner, topic=topic).status == "done"
    assert Activity.objects.filter(kind="review", day=date(2026, 12, 14)).count() == 1


def test_a_refresher_can_set_it_back_to_learning_which_ends_its_reviews_until_it_is_done_again(
    client, learner, topic
):
    with at(client, learner, tokyo(date(2026, 12, 2), 9)):
        client.post(status_url(topic), {"status": "done"})
    with at(client, learner, tokyo(date(2026, 12, 5), 9)):
        response = client.post(review_url(topic), {"answer": "refresh", "relearn": "1"}, follow=True)
        page = response.content.decode()
    assert TopicProgress.objects.get(user=learner, topic=topic).status == "learning"
    assert not TopicReview.objects.exists()
    assert "“HTTP caching” is back to learning" in due_section(page)
    assert "Nothing to review yet." in due_section(page)
    assert set(Activity.objects.filter(day=date(2026, 12, 5)).values_list("kind", flat=True)) == {
        "learning",
        "review",
    }
    with at(client, learner, tokyo(date(2026, 12, 8), 9)):
        client.post(status_url(topic), {"status": "done"})
    assert schedule(learner, topic) == (1, date(2026, 12, 11))


@pytest.mark.parametrize(
    "data",
    [
        {"answer": "maybe"},
        {"answer": ""},
        {},
        {"answer": "solid\x00"},
        {"answer": "solid", "relearn": "1"},  # back to learning goes with a refresher
    ],
)
def test_a_bad_answer_is_refused_and_changes_nothing(client, learner, topic, data):
    with at(client, learner, tokyo(date(2026, 12, 2), 9)):
        client.post(status_url(topic), {"status": "done"})
    with at(client, learner, tokyo(date(2026, 12, 6), 9)):
        response = client.post(review_url(topic), data)
    assert response.status_code == 400
    assert "That didn" in response.content.decode()
    assert schedule(learner, topic) == (1, date(2026, 12, 5))
    assert TopicReview.objects.get().last_reviewed is None
    assert TopicProgress.objects.get().status == "done"
    assert not Activity.objects.filter(kind="review").exists()


def test_a_visitor_is_sent_to_log_in_and_nothing_changes(client, learner, topic):
    services.set_topic_status(user=learner, topic=topic, status="done")
    TopicReview.objects.update(due=date(2026, 1, 1))
    response = client.post(review_url(topic), {"answer": "solid"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert TopicReview.objects.get().box == 1
    assert client.get(review_url(topic)).status_code == 405  # POST only, for everyone


def test_a_get_changes_nothing(client, learner, topic):
    services.set_topic_status(user=learner, topic=topic, status="done")
    TopicReview.objects.update(due=date(2026, 1, 1))
    client.force_login(learner)
    assert client.get(review_url(topic), {"answer": "solid"}).status_code == 405
    assert TopicReview.objects.get().box == 1


def test_only_its_learner_sees_or_answers_a_review(client, learner, topic):
    services.set_topic_status(user=learner, topic=topic, status="done")
    TopicReview.objects.update(due=date(2026, 1, 1))
    other = UserFactory()
    client.force_login(other)
    assert topic.title not in due_section(client.get(DASHBOARD).content.decode())
    assert client.post(review_url(topic), {"answer": "solid"}).status_code == 404
    assert client.post(review_url(TopicFactory()), {"answer": "solid"}).status_code == 404  # not done
    assert schedule(learner, topic) == (1, date(2026, 1, 1))
    assert not TopicReview.objects.filter(user=other).exists()
    assert not Activity.objects.filter(kind="review").exists()


def test_a_topic_no_longer_done_loses_its_review(learner):
    learning, skipped, dropped = TopicFactory(), TopicFactory(), TopicFactory()
    for topic in (learning, skipped, dropped):
        services.set_topic_status(user=learner, topic=topic, status="done")
    assert TopicReview.objects.count() == 3
    services.set_topic_status(user=learner, topic=learning, status="learning")
    services.set_topic_status(user=learner, topic=skipped, status="skipped")
    services.set_topic_status(user=learner, topic=dropped, status="not_started")
    assert not TopicReview.objects.exists()


def test_done_again_keeps_the_schedule_it_has(learner, topic):
    services.set_topic_status(user=learner, topic=topic, status="done")
    TopicReview.objects.update(box=3, due=date(2027, 1, 1))
    services.set_topic_status(user=learner, topic=topic, status="done")  # no change
    assert schedule(learner, topic) == (3, date(2027, 1, 1))


def test_resetting_a_track_removes_its_topics_reviews(learner):
    track = build_track(2)
    elsewhere = TopicFactory()
    for topic in [step.topic for step in track.steps.all()] + [elsewhere]:
        services.set_topic_status(user=learner, topic=topic, status="done")
    services.reset_track_progress(user=learner, track=track)
    assert list(TopicReview.objects.values_list("topic", flat=True)) == [elsewhere.pk]


def test_a_replaced_topics_reviews_go_to_its_successors(learner):
    old, new, kept = TopicFactory(), TopicFactory(), TopicFactory()
    other = UserFactory()
    services.set_topic_status(user=learner, topic=old, status="done")
    TopicReview.objects.filter(user=learner).update(box=2, due=date(2026, 12, 20))
    services.set_topic_status(user=other, topic=old, status="done")
    services.set_topic_status(user=other, topic=new, status="done")
    TopicReview.objects.filter(user=other, topic=new).update(box=4, due=date(2027, 2, 1))
    services.carry_topic_progress(old=old, new=[new, kept])
    assert sorted(TopicReview.objects.values_list("user", "topic", "box", "due")) == sorted(
        [
            (learner.pk, new.pk, 2, date(2026, 12, 20)),
            (learner.pk, kept.pk, 2, date(2026, 12, 20)),
            (other.pk, new.pk, 4, date(2027, 2, 1)),  # theirs on the new topic stays
            (other.pk, kept.pk, 1, TopicReview.objects.get(user=other, topic=kept).due),
        ]
    )
    assert not TopicReview.objects.filter(topic=old).exists()


def test_the_dashboard_shows_the_oldest_five_and_how_many_more(client, learner):
    topics = [TopicFactory(title=f"Due {n:02}") for n in range(12)]
    TopicReview.objects.bulk_create(
        TopicReview(user=learner, topic=topic, due=date(2026, 11, 1) + timedelta(days=n))
        for n, topic in enumerate(topics)
    )
    TopicReview.objects.create(user=learner, topic=TopicFactory(title="Later"), due=date(2027, 1, 1))
    with at(client, learner, tokyo(date(2026, 12, 2), 9)):
        section = due_section(client.get(DASHBOARD).content.decode())
    assert re.findall(r">(Due \d\d)</a>", section) == [f"Due {n:02}" for n in range(5)]
    assert "And 7 more due" in section
    assert "Later" not in section


def test_the_database_keeps_one_schedule_per_topic_in_a_known_box(learner, topic):
    TopicReview.objects.create(user=learner, topic=topic, due=date(2026, 12, 5))
    for create in (
        lambda: TopicReview.objects.create(user=learner, topic=topic, due=date(2026, 12, 6)),
        lambda: TopicReview.objects.create(user=learner, topic=TopicFactory(), box=5, due=date(2026, 12, 6)),
        lambda: TopicReview.objects.create(user=learner, topic=TopicFactory(), box=0, due=date(2026, 12, 6)),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            create()
