"""Progress is said one way everywhere: topics and milestones counted apart, skipped topics said as such; and
"Continue" means the tracks a learner follows."""

import pytest
from django.test import Client
from django.urls import reverse

from learning.progress import services
from learning.progress.state import TrackProgress
from tests.factories import TopicFactory, TrackFactory, UserFactory
from tests.learning.conftest import build_track
from tests.learning.test_profiles import check_off

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("progress", "said"),
    [
        (TrackProgress(), "0 of 0 topics"),
        (TrackProgress(topics_done=1, topics_total=1), "1 of 1 topic"),
        (
            TrackProgress(topics_done=12, topics_total=33, milestones_total=4),
            "12 of 33 topics · 0 of 4 milestones",
        ),
        (
            TrackProgress(
                topics_done=2, topics_total=3, topics_skipped=1, milestones_done=1, milestones_total=1
            ),
            "2 of 3 topics · 1 of 1 milestone · 1 skipped",
        ),
    ],
)
def test_progress_is_said_with_topics_and_milestones_apart(progress, said):
    assert progress.summary == said


def test_the_bar_counts_topics_and_milestones_and_skipped_topics_leave_it():
    progress = TrackProgress(
        topics_done=2, topics_total=3, topics_skipped=1, milestones_done=1, milestones_total=2
    )
    assert (progress.done, progress.total, progress.percent, progress.finished) == (3, 5, 60, False)


def test_every_page_says_a_learners_progress_the_same_way():
    learner = UserFactory(username="grace_h", profile_is_public=True)
    track = build_track(4)
    check_off(learner, track, done=[0, 1], skipped=[2], milestones=[0])
    services.follow_track(user=learner, track=track)
    said = "2 of 3 topics · 1 of 2 milestones · 1 skipped"
    client = Client()
    client.force_login(learner)
    pages = {
        "track": track.get_absolute_url(),
        "dashboard": reverse("learning:dashboard"),
        "home": "/",
        "profile": "/u/grace_h/",
        "card": f"/u/grace_h/{track.slug}.svg",
        "export": reverse("learning:track_export", args=[track.slug]),
    }
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert said in response.content.decode(), name


def test_the_track_page_counts_its_topics_and_milestones_apart(client):
    track = build_track(4)
    assert "2 stages · 4 topics · 2 milestones" in client.get(track.get_absolute_url()).text


def test_home_continues_only_the_followed_tracks_and_leads_with_them():
    learner = UserFactory()
    followed, shared_only = build_track(2, slug="followed"), TrackFactory(slug="shared", title="Shared only")
    topic = followed.steps.first().topic
    shared_only.stages.create(slug="s", title="S").steps.create(topic=topic)
    services.set_topic_status(user=learner, topic=topic, status="done")  # counts in both tracks
    services.follow_track(user=learner, track=followed)
    client = Client()
    client.force_login(learner)
    html = client.get("/").text
    continue_section = html[html.index('id="continue-heading"') : html.index('id="tracks-heading"')]
    assert "Backend developer" in continue_section
    assert "Shared only" not in continue_section
    assert html.index('id="continue-heading"') < html.index("<h2")  # Continue leads the page
    assert 'class="hero"' not in html


def test_a_learner_who_follows_nothing_and_a_visitor_see_the_introduction(client):
    build_track(2)
    learner = UserFactory()
    services.set_topic_status(user=learner, topic=TopicFactory(), status="done")
    own = Client()
    own.force_login(learner)
    for response in (client.get("/"), own.get("/")):
        assert 'class="hero"' in response.text
        assert "Continue where you left off" not in response.text
