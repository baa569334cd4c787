"""What the home page, the track list and the dashboard keep in this process's memo (plumbing.overlay): the
track cards, the catalogue's counts and every track's outline, once per catalogue version and per what the
viewer may see. A curated change shows on the next request, a learner's own progress is never another's,
and drafts stay with staff. The page cache is off: every request renders."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.progress import services
from tests.conftest import logged_in
from tests.factories import StepFactory, TopicFactory, TrackFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]

HOME, TRACKS, DASHBOARD = "/", reverse("learning:track_list"), reverse("learning:dashboard")


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [HOME, TRACKS])
def test_the_cards_are_rendered_once_then_cost_no_query(client, url):
    build_track(3)
    first = html_of(client, url)
    assert queries_of(client, url) == 0
    assert html_of(client, url) == first


@pytest.mark.parametrize("url", [HOME, TRACKS])
def test_a_curated_change_shows_on_the_next_request(client, url):
    track = build_track(3)
    assert "Backend developer" in html_of(client, url)
    assert "3 topics" in html_of(client, url)
    track.title = "Backend engineer"
    track.save()
    StepFactory(stage=track.stages.first(), topic=TopicFactory(), position=9)
    html = html_of(client, url)
    assert "Backend engineer" in html
    assert "Backend developer" not in html
    assert "4 topics" in html


def test_the_home_pages_counts_follow_the_catalogue(client):
    build_track(3)
    assert "<dt>Topics</dt><dd>3</dd>" in html_of(client, HOME)
    TopicFactory(is_published=True)
    assert "<dt>Topics</dt><dd>4</dd>" in html_of(client, HOME)


@pytest.mark.parametrize("staff_first", [True, False], ids=["staff first", "visitor first"])
@pytest.mark.parametrize("url", [HOME, TRACKS])
def test_drafts_show_to_staff_and_never_to_visitors_or_learners(client, curator_client, staff_first, url):
    build_track(2)
    TrackFactory(title="Secret draft", is_published=False)
    learner_client = logged_in(UserFactory())
    clients = (
        [curator_client, client, learner_client] if staff_first else [client, learner_client, curator_client]
    )
    for _ in range(2):  # the second round is served from the memo
        for each in clients:
            html = html_of(each, url)
            assert ("Secret draft" in html) is (each is curator_client)
            assert ("Unpublished" in html) is (each is curator_client)


def test_a_staff_member_who_is_no_longer_staff_sees_no_drafts(curator):
    TrackFactory(title="Secret draft", is_published=False)
    client = logged_in(curator)
    assert "Secret draft" in html_of(client, TRACKS)
    curator.is_staff = False
    curator.save()
    assert "Secret draft" not in html_of(client, TRACKS)


def two_learners_on_one_track():
    track = build_track(4)
    steps = list(track.steps.order_by("stage__position", "position"))
    ada, bob = UserFactory(), UserFactory()
    for user in (ada, bob):
        services.follow_track(user=user, track=track)
    services.set_topic_status(user=ada, topic=steps[0].topic, status="done")
    services.set_topic_status(user=ada, topic=steps[1].topic, status="done")
    services.set_topic_status(user=bob, topic=steps[0].topic, status="skipped")
    return steps, logged_in(ada), logged_in(bob)


@pytest.mark.parametrize("url", [HOME, DASHBOARD])
def test_each_learner_sees_only_their_own_progress(url):
    steps, ada, bob = two_learners_on_one_track()
    for _ in range(2):  # the second round reads the outlines from the memo
        ada_html, bob_html = html_of(ada, url), html_of(bob, url)
        assert "2 of 4 topics" in ada_html
        assert "1 skipped" not in ada_html
        assert "0 of 3 topics" in bob_html
        assert "1 skipped" in bob_html
        # Ada did the first two steps: her next is the third. Bob skipped the first: his is the second.
        assert f">{steps[2].topic.title}</a>" in ada_html
        assert f">{steps[1].topic.title}</a>" in bob_html
        assert f">{steps[2].topic.title}</a>" not in bob_html


@pytest.mark.parametrize("url", [HOME, DASHBOARD])
def test_a_new_step_shows_in_every_learners_progress_at_once(url):
    steps, ada, bob = two_learners_on_one_track()
    assert "2 of 4 topics" in html_of(ada, url)
    StepFactory(stage=steps[0].stage, topic=TopicFactory(), position=99)
    assert "2 of 5 topics" in html_of(ada, url)
    assert "0 of 4 topics" in html_of(bob, url)


def test_an_unpublished_topic_leaves_the_progress_and_the_next_step_at_once():
    steps, ada, _ = two_learners_on_one_track()
    assert f">{steps[2].topic.title}</a>" in html_of(ada, DASHBOARD)
    steps[2].topic.is_published = False
    steps[2].topic.save()
    html = html_of(ada, DASHBOARD)
    assert "2 of 3 topics" in html
    assert f">{steps[2].topic.title}</a>" not in html
    assert f">{steps[3].topic.title}</a>" in html


def test_a_learners_check_off_shows_on_their_next_request_only(client):
    steps, ada, bob = two_learners_on_one_track()
    html_of(ada, HOME), html_of(bob, HOME)
    status = reverse("learning:topic_status", args=[steps[2].topic.slug])
    assert ada.post(status, {"status": "done"}).status_code == 302
    assert "3 of 4 topics" in html_of(ada, HOME)
    assert "0 of 3 topics" in html_of(bob, HOME)
    assert "of 4 topics" not in html_of(Client(), HOME)  # visitors get the introduction, no progress
