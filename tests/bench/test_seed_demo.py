"""`manage.py seed_demo` (bench/): exact, deterministic synthetic data that replaces itself and nothing else.

The command is only installed by bench.settings, and pytest runs with the site's settings: the tests call the
generator directly, and the command through an instance of it (tests/bench/test_installed.py checks where
`manage.py` has it)."""

import io
from collections import Counter
from dataclasses import replace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F
from django.urls import reverse
from taggit.models import TaggedItem

from bench import demo
from bench.demo import DEMO_PASSWORD, HEAVY_LEARNER_EMAIL, LARGEST_TRACK_SLUG, DemoSizes
from bench.demo.rows import INSERT_BATCH
from bench.management.commands.seed_demo import Command as SeedDemo
from learning.catalogue.links import normalize_url
from learning.models import (
    Activity,
    Bookmark,
    Milestone,
    MilestoneCompletion,
    ProjectFeedback,
    ProjectSubmission,
    ProjectVote,
    Rating,
    ReadyCheck,
    ReadyCheckTick,
    Resource,
    Step,
    Topic,
    TopicNote,
    TopicProgress,
    TopicReview,
    Track,
    TrackFollow,
    TrackGoal,
)
from tests.bench.sizes import SMALL
from tests.factories import (
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    ProjectVoteFactory,
    RatingFactory,
    TopicProgressFactory,
    UserFactory,
)
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db


def seed_demo(*args):
    out = io.StringIO()
    call_command(SeedDemo(), *args, stdout=out)
    return out.getvalue()


def demo_counts():
    users = demo.demo_users()
    return {
        "tracks": Track.objects.filter(slug__startswith="demo-").count(),
        "topics": Topic.objects.filter(slug__startswith="demo-").count(),
        "resources": Resource.objects.filter(url__startswith="https://demo.example/").count(),
        "learners": users.count(),
        "progress": TopicProgress.objects.filter(user__in=users).count(),
        "ratings": Rating.objects.filter(user__in=users).count(),
        "bookmarks": Bookmark.objects.filter(user__in=users).count(),
    }


def expected_counts(sizes):
    return {
        "tracks": sizes.tracks,
        "topics": sizes.topics,
        "resources": sizes.resources,
        "learners": sizes.learners,
        "progress": sizes.progress,
        "ratings": sizes.ratings,
        "bookmarks": sizes.bookmarks,
    }


def snapshot():
    """Every demo row by its natural keys (no database ids), sorted."""
    users = demo.demo_users()
    tracks = Track.objects.filter(slug__startswith="demo-")
    topics = Topic.objects.filter(slug__startswith="demo-")
    resources = Resource.objects.filter(url__startswith="https://demo.example/")
    queries = {
        "users": (users, "username", "email", "date_joined", "profile_is_public", "password"),
        "tracks": (tracks, "slug", "title", "summary", "body", "position", "created_at", "tags__name"),
        "steps": (Step.objects.filter(track__in=tracks), "track__slug", "stage__slug", "stage__position", "position", "topic__slug", "is_optional"),
        "milestones": (Milestone.objects.filter(stage__track__in=tracks), "stage__slug", "slug", "title", "description", "topics__slug"),
        "topics": (topics, "slug", "title", "body", "created_at", "tags__name"),
        "resources": (resources, "url", "title", "author", "kind", "cost", "level", "estimated_minutes", "topics__slug", "tags__name"),
        "progress": (TopicProgress.objects.filter(user__in=users), "user__username", "topic__slug", "status", "started_at", "updated_at", "completed_at"),
        "ratings": (Rating.objects.filter(user__in=users), "user__username", "resource__url", "stars", "review", "is_hidden", "moderated_at", "created_at"),
        "bookmarks": (Bookmark.objects.filter(user__in=users), "user__username", "resource__url", "note", "created_at"),
        "follows": (TrackFollow.objects.filter(user__in=users), "user__username", "track__slug", "started_at"),
        "completions": (MilestoneCompletion.objects.filter(user__in=users), "user__username", "milestone__slug", "completed_at"),
        "activity": (Activity.objects.filter(user__in=users), "user__username", "kind", "topic__slug", "milestone__slug", "at", "day"),
        "notes": (TopicNote.objects.filter(user__in=users), "user__username", "topic__slug", "text", "created_at"),
        "ready checks": (ReadyCheck.objects.filter(topic__in=topics), "topic__slug", "position", "text"),
        "ready ticks": (ReadyCheckTick.objects.filter(user__in=users), "user__username", "ready_check__topic__slug", "ready_check__position", "ticked_at"),
        "goals": (TrackGoal.objects.filter(user__in=users), "user__username", "track__slug", "hours_per_week", "study_days"),
        "reviews": (TopicReview.objects.filter(user__in=users), "user__username", "topic__slug", "box", "due"),
        "projects": (ProjectSubmission.objects.filter(user__in=users), "user__username", "milestone__slug", "repository_url", "write_up", "visibility", "created_at"),
        "helpful": (ProjectVote.objects.filter(user__in=users), "user__username", "submission__repository_url", "created_at"),
        "feedback": (ProjectFeedback.objects.filter(user__in=users), "user__username", "submission__repository_url", "text", "created_at"),
    }  # fmt: skip
    return {name: sorted(queryset.values_list(*fields)) for name, (queryset, *fields) in queries.items()}


# --- The command --------------------------------------------------------------------------------------


def test_scale_0_01_creates_the_exact_counts():
    output = seed_demo("--scale", "0.01")

    assert demo_counts() == {
        "tracks": 10,
        "topics": 500,
        "resources": 5000,
        "learners": 10,
        "progress": 1000,
        "ratings": 500,
        "bookmarks": 300,
    }
    assert (
        EmailAddress.objects.filter(email__endswith="@demo.example", verified=True, primary=True).count()
        == 10
    )
    assert "1,000 topic progress rows, 500 ratings, 300 bookmarks" in output
    assert " s: " in output


def test_a_scale_whose_rows_fill_several_insert_batches_creates_the_exact_counts():
    """Scale 1's sizes and totals are checked without a database (test_sizes_for_a_scale,
    test_learner_totals_are_exact_and_uneven); this is the command's path with more progress rows than one
    batch of executemany (SQLite) holds, in a fraction of scale 1's time."""
    seed_demo("--scale", "0.12")

    assert demo_counts() == {
        "tracks": 10,
        "topics": 500,
        "resources": 5000,
        "learners": 120,
        "progress": 12_000,
        "ratings": 6_000,
        "bookmarks": 3_600,
    }
    assert INSERT_BATCH < 12_000, "the progress rows must span several batches: raise the scale"


@pytest.mark.parametrize("scale", ["0", "-1", "-0.5", "abc", "", "nan", "inf", "1e-5", "0.0004"])
def test_a_bad_scale_is_refused_and_stores_nothing(scale):
    with pytest.raises(CommandError, match="--scale"):
        seed_demo("--scale", scale)

    assert set(demo_counts().values()) == {0}


def test_a_too_small_scale_says_why():
    with pytest.raises(CommandError, match="0 learners"):
        seed_demo("--scale", "0.0001")
    with pytest.raises(CommandError, match="heavy learner"):
        seed_demo("--scale", "0.0006")  # 1 learner, but fewer progress rows than the largest track's topics


# --- Seeding: exact, deterministic, replacing only itself ---------------------------------------------


def test_custom_sizes_give_exactly_those_rows():
    report = demo.seed(SMALL)

    assert demo_counts() == expected_counts(SMALL)
    assert report.counts["topic progress rows"] == SMALL.progress
    assert report.counts["learners"] == SMALL.learners


def test_topics_have_ready_checks_and_learners_ticked_them_as_far_as_they_got():
    demo.seed(SMALL)
    users = demo.demo_users()
    topics = Topic.objects.filter(slug__startswith="demo-")
    per_topic = Counter(ReadyCheck.objects.filter(topic__in=topics).values_list("topic_id", flat=True))
    assert set(per_topic) == set(topics.values_list("pk", flat=True))
    assert set(per_topic.values()) <= {3, 4, 5}
    statuses = {
        (user, topic): status
        for user, topic, status in TopicProgress.objects.filter(user__in=users).values_list(
            "user_id", "topic_id", "status"
        )
    }
    ticked = Counter(
        ReadyCheckTick.objects.filter(user__in=users).values_list("user_id", "ready_check__topic_id")
    )
    assert ticked
    # on some topics with progress: all of a done topic's checks, the first half of one being learned; none
    # of one skipped or not started
    used = 0
    for (user, topic), status in statuses.items():
        count = ticked.pop((user, topic), 0)
        expected = {"done": per_topic[topic], "learning": per_topic[topic] // 2}.get(status, 0)
        assert count in {0, expected}
        used += bool(count)
    assert 0 < used < len(statuses)
    assert not ticked  # no ticks on topics without progress


def test_learners_have_activity_notes_goals_and_reviews_that_follow_from_their_progress():
    report = demo.seed(SMALL)
    users = demo.demo_users()
    progress = TopicProgress.objects.filter(user__in=users)
    completions = MilestoneCompletion.objects.filter(user__in=users)

    # an action for each topic's status and each milestone built, on the day it happened
    assert report.counts["activity days"] == progress.count() + completions.count()
    assert Activity.objects.filter(user__in=users, kind="milestone").count() == completions.count()
    # a review for each done topic, some due; notes on some topics; goals on some followed tracks
    assert report.counts["reviews"] == progress.filter(status="done").count()
    assert 0 < report.counts["notes"] < progress.count()
    assert 0 < report.counts["weekly goals"] <= TrackFollow.objects.filter(user__in=users).count()
    assert (
        not TrackGoal.objects.filter(user__in=users)
        .exclude(track__in=TrackFollow.objects.filter(user__in=users).values("track"))
        .exists()
    )


def test_a_share_of_milestones_built_come_with_projects_votes_and_feedback_from_others():
    report = demo.seed(SMALL)
    users = demo.demo_users()
    projects = ProjectSubmission.objects.filter(user__in=users)
    completions = MilestoneCompletion.objects.filter(user__in=users)
    assert 0 < report.counts["projects"] == projects.count() < completions.count()
    # every project is for a milestone its author built
    assert not projects.exclude(
        pk__in=[
            p.pk for p in projects if completions.filter(user=p.user_id, milestone=p.milestone_id).exists()
        ]
    ).exists()
    assert projects.filter(visibility="shared").exists()
    assert report.counts["helpful marks"] == ProjectVote.objects.filter(user__in=users).count() > 0
    assert report.counts["project feedback"] == ProjectFeedback.objects.filter(user__in=users).count() > 0
    # on shared projects of others only
    assert not ProjectVote.objects.filter(submission__visibility="private").exists()
    assert not ProjectVote.objects.filter(submission__user=F("user")).exists()
    assert not ProjectFeedback.objects.filter(submission__user=F("user")).exists()


def test_the_same_sizes_give_the_same_data():
    demo.seed(SMALL)
    first = snapshot()
    demo.seed(SMALL)

    assert snapshot() == first
    assert len(first["progress"]) == SMALL.progress


def test_a_rerun_replaces_the_demo_data_and_leaves_everything_else_alone():
    track = build_track(4)
    outsider = UserFactory(email="ada@example.com")
    topic = track.steps.first().topic
    TopicProgressFactory(user=outsider, topic=topic)
    RatingFactory(user=outsider, resource=topic.resources.first(), stars=5)
    tagged_before = TaggedItem.objects.count()

    demo.seed(SMALL)
    fewer = replace(SMALL, learners=3, progress=60, ratings=9, bookmarks=4)
    demo.seed(fewer)

    assert demo_counts() == expected_counts(fewer)
    assert Track.objects.get(pk=track.pk).steps.count() == 4
    assert list(outsider.topic_progress.values_list("topic", flat=True)) == [topic.pk]
    assert outsider.ratings.get().stars == 5
    assert get_user_model().objects.filter(pk=outsider.pk).exists()
    assert set(track.tags.names()) == {"general"}
    catalogue = demo.build_catalogue(SMALL)
    specs = [*catalogue.tracks, *catalogue.topics, *catalogue.resources]
    assert TaggedItem.objects.count() == tagged_before + sum(len(spec.tags) for spec in specs)


def test_a_rerun_after_other_learners_used_the_demo_catalogue():
    """Rows of real users on demo objects go with the demo catalogue instead of blocking the re-run."""
    demo.seed(SMALL)
    outsider = UserFactory(email="ada@example.com")
    TopicProgressFactory(user=outsider, topic=Topic.objects.get(slug="demo-topic-001"))
    RatingFactory(
        user=outsider, resource=Resource.objects.filter(url__startswith="https://demo.example/").first()
    )
    ProjectSubmissionFactory(
        user=outsider, milestone=Milestone.objects.filter(stage__track__slug__startswith="demo-").first()
    )
    demo_project = ProjectSubmission.objects.filter(user__in=demo.demo_users(), visibility="shared").first()
    ProjectVoteFactory(user=outsider, submission=demo_project)
    ProjectFeedbackFactory(user=outsider, submission=demo_project)

    demo.seed(SMALL)

    assert demo_counts() == expected_counts(SMALL)
    assert not outsider.topic_progress.exists()
    assert not outsider.ratings.exists()
    assert not outsider.project_submissions.exists()
    assert not outsider.project_votes.exists()
    assert not outsider.project_feedback.exists()


def test_a_handle_taken_outside_the_demo_stops_the_seeding():
    UserFactory(username="Learner-000002", email="someone@example.com")

    with pytest.raises(demo.DemoError, match="learner-000002"):
        demo.seed(SMALL)

    assert set(demo_counts().values()) == {0}


# --- The heavy learner --------------------------------------------------------------------------------


def test_the_heavy_learner_has_progress_on_every_step_of_the_largest_track():
    demo.seed(SMALL)
    heavy = get_user_model().objects.get(email=HEAVY_LEARNER_EMAIL)
    track = Track.objects.get(slug=LARGEST_TRACK_SLUG)
    statuses = dict(heavy.topic_progress.values_list("topic", "status"))

    track_topics = list(track.steps.values_list("topic", flat=True))
    assert len(track_topics) == SMALL.largest_track_steps
    assert set(track_topics) <= set(statuses)
    on_track = Counter(statuses[topic] for topic in track_topics)
    assert on_track["done"] > len(track_topics) / 2
    assert on_track["learning"] >= 1
    assert not heavy.topic_progress.filter(status="done", completed_at__isnull=True).exists()
    assert list(heavy.followed_tracks.values_list("track__slug", flat=True)) == [LARGEST_TRACK_SLUG]
    milestones = Milestone.objects.filter(stage__track=track).count()
    assert heavy.milestone_completions.count() == round(milestones / 2)
    assert heavy.ratings.exists()
    assert heavy.bookmarks.exists()


def test_every_demo_learner_can_log_in_with_the_demo_password(client):
    demo.seed(SMALL)
    address = EmailAddress.objects.get(email=HEAVY_LEARNER_EMAIL)
    assert address.verified
    assert address.primary

    response = client.post(
        reverse("account_login"), {"login": HEAVY_LEARNER_EMAIL, "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get(reverse("learning:dashboard")).status_code == 200
    other = get_user_model().objects.get(username="learner-000001")
    assert other.check_password(DEMO_PASSWORD)


# --- The seeded site ----------------------------------------------------------------------------------


def test_the_seeded_site_renders(client):
    seed_demo("--scale", "0.01")
    track = Track.objects.get(slug=LARGEST_TRACK_SLUG)
    topic = track.steps.first().topic
    pages = ["/", track.get_absolute_url(), topic.get_absolute_url(), "/resources/", "/search/?q=demo"]

    for url in pages:
        assert client.get(url).status_code == 200, url
    assert "/topics/demo-topic-" in client.get("/search/?q=demo").content.decode()

    client.force_login(get_user_model().objects.get(email=HEAVY_LEARNER_EMAIL))
    for url in [track.get_absolute_url(), "/me/", topic.get_absolute_url()]:
        assert client.get(url).status_code == 200, url


# --- The data's shape (no database) -------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    return demo.build_catalogue(DemoSizes())


@pytest.mark.django_db(False)
def test_sizes_for_a_scale():
    assert DemoSizes.for_scale(1) == DemoSizes(
        tracks=10,
        topics=500,
        resources=5000,
        learners=1000,
        progress=100_000,
        ratings=50_000,
        bookmarks=30_000,
    )
    assert demo.sizes_for_scale("1") == DemoSizes()
    assert DemoSizes.for_scale(0.01) == DemoSizes(learners=10, progress=1000, ratings=500, bookmarks=300)
    assert DemoSizes.for_scale(10).progress == 1_000_000
    assert DemoSizes.for_scale(10).topics == 500


@pytest.mark.django_db(False)
def test_the_largest_track_comes_first_and_the_others_are_smaller(catalogue):
    sizes = [len(topics) for topics in catalogue.track_topics]
    stages = Counter(stage.track for stage in catalogue.stages)

    assert catalogue.tracks[0].slug == LARGEST_TRACK_SLUG
    assert sizes[0] == 100
    assert stages[0] == 10
    assert all(40 <= size <= 60 for size in sizes[1:])
    assert all(4 <= stages[track] <= 6 for track in range(1, 10))
    assert len(catalogue.steps) == sum(sizes)


@pytest.mark.django_db(False)
def test_every_topic_is_in_a_track_and_about_one_in_ten_in_two(catalogue):
    placements = Counter(step.topic for step in catalogue.steps)

    assert set(placements) == set(range(500))
    assert Counter(placements.values()) == {1: 450, 2: 50}
    for topics in catalogue.track_topics:
        assert len(topics) == len(set(topics))  # a topic at most once per track


@pytest.mark.django_db(False)
def test_milestones_close_their_stage_with_two_or_three_of_its_topics(catalogue):
    per_stage = Counter(milestone.stage for milestone in catalogue.milestones)
    stage_topics = {}
    for step in catalogue.steps:
        stage_topics.setdefault(step.stage, set()).add(step.topic)

    assert set(per_stage) == set(range(len(catalogue.stages)))
    assert set(per_stage.values()) <= {1, 2}
    for milestone in catalogue.milestones:
        assert 2 <= len(milestone.topics) <= 3
        assert set(milestone.topics) <= stage_topics[milestone.stage]


@pytest.mark.django_db(False)
def test_resources_look_real(catalogue):
    resources = catalogue.resources

    assert len({resource.url for resource in resources}) == 5000
    assert all(normalize_url(resource.url) == resource.url for resource in resources)
    assert all(resource.url.startswith("https://demo.example/") for resource in resources)
    assert 400 <= sum(len(resource.topics) == 2 for resource in resources) <= 600
    assert len({resource.kind for resource in resources}) == 9
    assert {resource.cost for resource in resources} == {"free", "freemium", "paid"}
    assert {resource.level for resource in resources} == {"beginner", "intermediate", "advanced"}
    assert all(1 <= len(resource.tags) <= 3 for resource in resources)
    assert all(len(topic) >= 10 for topic in catalogue.topic_resources)


@pytest.mark.django_db(False)
def test_learner_totals_are_exact_and_uneven(catalogue):
    learners = demo.build_learners(DemoSizes(), catalogue)
    progress = [len(learner.topics) for learner in learners]

    assert sum(progress) == 100_000
    assert sum(learner.ratings for learner in learners) == 50_000
    assert sum(learner.bookmarks for learner in learners) == 30_000
    assert max(progress) > 3 * min(progress)
    assert all(len(set(learner.topics)) == len(learner.topics) for learner in learners)
    assert all(1 <= len(learner.follows) <= 3 for learner in learners)


@pytest.mark.django_db(False)
def test_apportion_respects_caps_and_adds_up():
    shares = demo.apportion(100, [1, 1, 10, 0.5], [30, 30, 30, 30])

    assert sum(shares) == 100
    assert max(shares) == 30
    with pytest.raises(demo.DemoError):
        demo.apportion(200, [1, 1], [30, 30])


@pytest.mark.django_db(False)
@pytest.mark.parametrize(
    ("sizes", "problem"),
    [
        (DemoSizes(learners=0), "0 learners"),
        (DemoSizes(progress=99), "heavy learner"),
        (DemoSizes(learners=1, ratings=5001), "ratings do not fit"),
        (DemoSizes(tracks=1), "at least 2 tracks"),
        (DemoSizes(topics=2000, resources=20_000), "do not fit"),
        (DemoSizes(resources=10), "at least one resource"),
    ],
)
def test_impossible_sizes_are_refused(sizes, problem):
    with pytest.raises(demo.DemoError, match=problem):
        sizes.check()
