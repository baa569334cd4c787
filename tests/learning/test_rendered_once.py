"""What the home page and the track list keep in this process's memo (plumbing.overlay): the track cards and
the catalogue's counts, once per catalogue version and per what the viewer may see. A curated change shows on
the next request, and drafts stay with staff. The page cache is off: every request renders."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import StepFactory, TopicFactory, TrackFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]

HOME, TRACKS = "/", reverse("learning:track_list")


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
