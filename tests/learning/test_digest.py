"""The weekly digest (learning/pages/digest.py, `manage.py send_digests`): one multipart mail a week to
each learner who opted in, on their day in their time zone, never twice for one learner and week (even from
two runs at once, on PostgreSQL), with RFC 8058's one-click unsubscribe headers."""

import threading
from datetime import UTC, date, datetime
from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from learning.models import Activity, DigestSent, TopicReview, TrackFollow
from learning.pages import digest as digest_module
from learning.pages.digest import send_digests
from learning.progress import services
from tests.factories import (
    ActivityFactory,
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)
from tests.mail_queue import queued_mail, recipients_of

MON, TUE = 0, 1
SITE = "https://roadmap.example.com"
# Monday 7 December 2026. Berlin is UTC+1 then: 06:30 UTC is 07:30 there, from when the digest goes.
MONDAY_MORNING_IN_BERLIN = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
LAST_WEEK = [date(2026, 11, 30), date(2026, 12, 5), date(2026, 12, 5), date(2026, 12, 6)]


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE


def opted_in(**fields):
    """A learner with a verified address who turned the digest on (Mondays, Berlin, unless told)."""
    fields = {"time_zone": "Europe/Berlin", "digest_is_on": True, "digest_weekday": MON, **fields}
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


@pytest.fixture
def track(db):
    track = TrackFactory(slug="backend", title="Backend developer")
    stage = StageFactory(track=track, slug="basics", title="Basics", position=0)
    for position, title in enumerate(["Git basics", "HTTP", "SQL"]):
        StepFactory(stage=stage, topic=TopicFactory(title=title, hours=4), position=position)
    return track


def topics(track):
    return [step.topic for step in track.steps.order_by("position")]


def busy_learner(track, **fields):
    """Follows the track with a goal, finished its first topic (due for review by now), and was active on
    three days of last week (four actions)."""
    user = opted_in(**fields)
    with time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False):
        services.follow_track(user=user, track=track)
        services.set_track_goal(user=user, track=track, hours_per_week=6, study_days=0b0010101)
        services.set_topic_status(user=user, topic=topics(track)[0], status="done")
    Activity.objects.filter(user=user).delete()  # last week's actions exactly as LAST_WEEK says
    for day in LAST_WEEK:
        ActivityFactory(user=user, day=day)
    ActivityFactory(user=user, day=date(2026, 11, 23))  # the week before: not counted
    return user


def run(now=MONDAY_MORNING_IN_BERLIN):
    with time_machine.travel(now, tick=False):
        out = StringIO()
        call_command("send_digests", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
class TestTheDigest:
    def test_an_opted_in_learner_gets_one_multipart_digest_on_their_day(self, track):
        learner = busy_learner(track)
        assert "Sent 1 digest(s)" in run()
        [message] = mail.outbox
        assert message.to == [learner.email]
        assert message.subject == "Your week on Roadmap: 7 December 2026"
        text = message.body
        assert "LAST WEEK (30 Nov – 6 Dec 2026)" in text
        assert "4 actions on 3 days." in text
        assert "Current streak: 2 days · longest: 2 days" in text  # Saturday and Sunday, as Monday begins
        assert "Backend developer (1 of 3 topics)" in text
        assert f"Next: HTTP\n  {SITE}{topics(track)[1].get_absolute_url()}?track=backend" in text
        assert (
            "Goal: 6 h a week (Mon, Wed, Fri) · this week so far: 0 of 2 h planned by today · projected finish"
            in text
        )
        assert "DUE FOR REVIEW: 1 topic\n- Git basics" in text
        assert f"Answer them on your dashboard: {SITE}/me/#reviews" in text
        [(html, mimetype)] = message.alternatives
        assert mimetype == "text/html"
        assert "<strong>4</strong> actions on <strong>3</strong> days" in html
        assert f'<a href="{SITE}{topics(track)[1].get_absolute_url()}?track=backend">HTTP</a>' in html
        assert f'<a href="{SITE}{topics(track)[0].get_absolute_url()}">Git basics</a>' in html
        assert DigestSent.objects.get(user=learner).week == date(2026, 12, 7)

    def test_the_mail_carries_one_click_unsubscribe_headers_and_a_visible_link(self, track):
        learner = busy_learner(track)
        run()
        [message] = mail.outbox
        unsubscribe = message.extra_headers["List-Unsubscribe"]
        assert unsubscribe.startswith(f"<{SITE}/digest/unsubscribe/")
        assert unsubscribe.endswith("/>")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = unsubscribe.strip("<>")
        assert f"Unsubscribe: {url}" in message.body
        assert f'<a href="{url}">Unsubscribe</a>' in message.alternatives[0][0]
        assert learner.username in message.body

    def test_a_second_run_sends_nothing(self, track):
        busy_learner(track)
        run()
        assert "Sent 0 digest(s); 1 already sent this week" in run(MONDAY_MORNING_IN_BERLIN.replace(hour=15))
        assert len(mail.outbox) == 1
        assert DigestSent.objects.count() == 1

    def test_the_next_week_brings_the_next_digest(self, track):
        busy_learner(track)
        run()
        run(datetime(2026, 12, 14, 6, 30, tzinfo=UTC))
        assert list(DigestSent.objects.order_by("week").values_list("week", flat=True)) == [
            date(2026, 12, 7),
            date(2026, 12, 14),
        ]

    @pytest.mark.parametrize(
        "now",
        [
            datetime(2026, 12, 7, 5, 59, tzinfo=UTC),  # Monday 06:59 in Berlin: before seven
            datetime(2026, 12, 6, 23, 30, tzinfo=UTC),  # Monday 00:30 in Berlin: the night
            datetime(2026, 12, 8, 6, 30, tzinfo=UTC),  # Tuesday
        ],
    )
    def test_nothing_goes_out_of_the_learners_day_and_hours(self, track, now):
        busy_learner(track)
        assert "Sent 0 digest(s)" in run(now)
        assert mail.outbox == []
        assert not DigestSent.objects.exists()

    def test_the_day_is_the_learners_in_their_time_zone(self, track):
        """Sunday 18:30 UTC is Monday 07:30 in Auckland (UTC+13 in December): only the Auckland learner's day."""
        far = busy_learner(track, time_zone="Pacific/Auckland")
        busy_learner(track)  # Berlin: still Sunday evening
        run(datetime(2026, 12, 6, 18, 30, tzinfo=UTC))
        assert [message.to for message in mail.outbox] == [[far.email]]
        assert DigestSent.objects.get().week == date(2026, 12, 7)

    def test_the_chosen_weekday_counts(self, track):
        busy_learner(track, digest_weekday=TUE)
        run()
        assert mail.outbox == []
        run(datetime(2026, 12, 8, 6, 30, tzinfo=UTC))
        assert len(mail.outbox) == 1

    def test_learners_who_did_not_opt_in_or_have_no_verified_address_get_nothing(self, track):
        busy_learner(track, digest_is_on=False)
        unverified = busy_learner(track)
        EmailAddress.objects.filter(user=unverified).update(verified=False)
        inactive = busy_learner(track)
        inactive.is_active = False
        inactive.save()
        assert "Sent 0 digest(s)" in run()
        assert mail.outbox == []

    def test_a_learner_with_nothing_to_say_gets_no_mail(self, db):
        opted_in()
        assert "1 with nothing to say" in run()
        assert mail.outbox == []
        assert not DigestSent.objects.exists()

    def test_activity_alone_is_enough_and_says_so_without_tracks(self, db):
        learner = opted_in()
        ActivityFactory(user=learner, day=date(2026, 12, 3))
        run()
        [message] = mail.outbox
        assert "1 action on 1 day." in message.body
        assert "YOUR TRACKS" not in message.body
        assert "DUE FOR REVIEW" not in message.body

    def test_reviews_due_list_five_and_say_how_many(self, db):
        learner = opted_in()
        for index in range(7):
            TopicReview.objects.create(
                user=learner, topic=TopicFactory(title=f"Topic {index}"), due=date(2026, 12, 1 + index % 3)
            )
        TopicReview.objects.create(user=learner, topic=TopicFactory(title="Later"), due=date(2026, 12, 20))
        run()
        [message] = mail.outbox
        assert "DUE FOR REVIEW: 7 topics" in message.body
        assert message.body.count("\n- Topic ") == 5
        assert "Later" not in message.body
        assert "…and 2 more." in message.body
        assert "…and 2 more.</p>" in message.alternatives[0][0]
        assert "No learning recorded" in message.body

    def test_new_feedback_on_their_projects_is_in_it_escaped_and_alone_is_enough(self, db):
        learner = opted_in()
        project = ProjectSubmissionFactory(user=learner, milestone__title="URL shortener")
        with time_machine.travel(datetime(2026, 11, 29, 12, tzinfo=UTC), tick=False):
            ProjectFeedbackFactory(submission=project, text="Before last week: not news.")
        with time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=UTC), tick=False):
            shown = ProjectFeedbackFactory(
                submission=project, user__username="grace-h", text="Try <b>caching</b> the redirects."
            )
            ProjectFeedbackFactory(submission=project, text="Spam!", is_hidden=True)
            ProjectFeedbackFactory(submission=project, user=learner, text="My own reply.")
        run()
        [message] = mail.outbox
        assert (
            "NEW FEEDBACK ON YOUR PROJECTS: 1\n- grace-h on URL shortener: “Try <b>caching</b> the redirects.”"
            in (message.body)
        )
        url = f"{SITE}{project.milestone.get_absolute_url()}#feedback-{shown.pk}"
        assert f"  {url}\n" in message.body
        for other in ("not news", "Spam!", "My own reply"):
            assert other not in message.body
        html = message.alternatives[0][0]
        assert "<h2>New feedback on your projects: 1</h2>" in html
        assert f'<strong>grace-h</strong> on <a href="{url}">URL shortener</a>' in html
        assert "Try &lt;b&gt;caching&lt;/b&gt; the redirects." in html

    def test_feedback_lists_five_and_says_how_many(self, db):
        learner = opted_in()
        project = ProjectSubmissionFactory(user=learner)
        with time_machine.travel(datetime(2026, 12, 3, 12, tzinfo=UTC), tick=True):
            ProjectFeedbackFactory.create_batch(7, submission=project)
        run()
        [message] = mail.outbox
        assert "NEW FEEDBACK ON YOUR PROJECTS: 7" in message.body
        assert message.body.count(": “Nice tests.”") == 5
        assert "…and 2 more on your dashboard." in message.body

    def test_a_finished_track_says_so(self, track):
        learner = opted_in()
        TrackFollow.objects.create(user=learner, track=track)
        services.set_track_goal(user=learner, track=track, hours_per_week=3, study_days=0)
        for topic in topics(track):
            services.set_topic_status(user=learner, topic=topic, status="done")
        run(datetime(2026, 12, 14, 6, 30, tzinfo=UTC))
        [message] = mail.outbox
        assert "Every step done." in message.body
        assert "Goal: 3 h a week · finished" in message.body

    def test_the_run_can_go_through_the_task_queue(self, track):
        busy_learner(track)
        with time_machine.travel(MONDAY_MORNING_IN_BERLIN, tick=False):
            out = StringIO()
            call_command("send_digests", queue=True, stdout=out)
        assert "Queued the digest run as task" in out.getvalue()
        assert len(mail.outbox) == 1  # the tests' queue runs each task at once


@pytest.mark.django_db(transaction=True)
def test_the_queued_mail_and_its_row_commit_together(track, database_queue):
    learner = busy_learner(track)
    run()
    [task] = queued_mail()
    assert recipients_of(task) == [learner.email]
    headers = task.args_kwargs["kwargs"]["message"]["headers"]
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith(f"<{SITE}/digest/unsubscribe/")
    run()
    assert len(queued_mail()) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes one writer at a time, so two runs cannot overlap there; PostgreSQL shows the guarantee",
)
def test_two_runs_at_once_send_one_digest(track, database_queue, monkeypatch):
    """Both runs find no digest sent this week and build the mail (a barrier holds each until the other is
    there too); then both insert DigestSent: the second waits on the first's uncommitted row, conflicts when
    it commits, and queues nothing."""
    learner = busy_learner(track)
    both_ready = threading.Barrier(2, timeout=20)
    built = digest_module.digest_for

    def digest_for_in_step(user, today):
        both_ready.wait()
        return built(user, today)

    monkeypatch.setattr(digest_module, "digest_for", digest_for_in_step)
    results, errors = [], []

    def one_run():
        try:
            results.append(send_digests(MONDAY_MORNING_IN_BERLIN))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=30)
    assert errors == []
    assert sorted((result.sent, result.already_sent) for result in results) == [(0, 1), (1, 0)]
    assert DigestSent.objects.filter(user=learner).count() == 1
    assert len(queued_mail()) == 1


def a_followed_track(learner, index):
    track = TrackFactory(slug=f"track-{index}", title=f"Track {index}")
    stage = StageFactory(track=track, slug=f"stage-{index}", position=0)
    topic = TopicFactory(hours=2)
    StepFactory(stage=stage, topic=topic, position=0)
    StepFactory(stage=stage, topic=TopicFactory(hours=3), position=1)
    services.follow_track(user=learner, track=track)
    services.set_track_goal(user=learner, track=track, hours_per_week=4, study_days=0)
    services.set_topic_status(user=learner, topic=topic, status="done")


# One learner's digest: the learners opted in (1), this week's row (1), last week's activity (1), streaks (1),
# reviews due (1), new feedback on their projects (1), followed tracks (1), progress (1), the track outlines (2, once per catalogue version),
# goals and this week's work (1), then the savepoint, the row and its release (3; the tests' queue sends the
# mail at once, production's stores it: one insert more).
DIGEST_QUERIES = 14


@pytest.mark.django_db
@pytest.mark.parametrize("tracks", [1, 6])
def test_a_digest_costs_the_same_queries_whatever_the_tracks_and_reviews(django_assert_num_queries, tracks):
    learner = opted_in()
    with time_machine.travel(datetime(2026, 11, 30, 12, tzinfo=UTC), tick=False):
        for index in range(tracks):
            a_followed_track(learner, index)
    with time_machine.travel(MONDAY_MORNING_IN_BERLIN, tick=False), django_assert_num_queries(DIGEST_QUERIES):
        run = send_digests()
    assert run.sent == 1
    assert mail.outbox[0].body.count("Goal: 4 h a week") == tracks
    assert f"DUE FOR REVIEW: {tracks} topic" in mail.outbox[0].body
