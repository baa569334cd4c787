"""bench/prepare.py, the benchmark's Django side: the mix scenario's learners are really logged in, their
check-offs pass Django's CSRF check and store rows, and what they may check off is what they haven't started."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from bench import demo, mix, prepare
from learning.models import Step, TopicProgress, TrackFollow
from tests.bench.sizes import SMALL

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(tmp_path):
    demo.seed(SMALL)
    out = tmp_path / "mix.json"
    sizes = prepare.mix_data(out, 4)
    return sizes, mix.MixData.from_json(json.loads(out.read_text()))


def learner_client(data: mix.MixData, learner: mix.MixLearner) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies[data.session_cookie] = learner.session_key
    client.cookies[data.csrf_cookie] = learner.csrf_token
    return client


def test_the_mix_data_covers_the_catalogue_and_logs_learners_in_spread_over_all(mixed):
    sizes, data = mixed
    assert data.problems() == []
    assert sizes == {
        "learners": 4,
        "tracks": 3,
        "topics": 40,
        "resources": 120,
        "resource_lists": len(data.resource_lists),
        "searches": len(data.searches),
        "learners_checking_off": sum(1 for learner in data.learners if learner.checkoffs),
        "checkoffs_possible": sum(len(learner.checkoffs) for learner in data.learners),
    }
    assert (data.session_cookie, data.csrf_cookie, data.messages_cookie) == (
        "sessionid",
        "csrftoken",
        "messages",
    )
    assert data.done_label == "Done"
    assert data.resource_lists[0] == "/resources/"
    assert data.searches[0] == "/search/?q=python"
    # Each track's topics in step order.
    for track, topics in zip(data.tracks, data.track_topics, strict=True):
        steps = Step.objects.filter(track__slug=track).order_by("stage__position", "position")
        assert [data.topics[topic] for topic in topics] == list(steps.values_list("topic__slug", flat=True))

    users = sorted(demo.demo_users().values_list("pk", flat=True))
    logged_in = [int(SessionStore(learner.session_key)[SESSION_KEY]) for learner in data.learners]
    assert logged_in == [users[0], users[1], users[3], users[4]]  # every 6/4th: the busiest first
    for user_id, learner in zip(logged_in, data.learners, strict=True):
        assert len(learner.csrf_token) == 32
        assert learner.csrf_token.isalnum()
        followed = TrackFollow.objects.filter(user=user_id).order_by("started_at", "pk").first()
        assert data.tracks[learner.track] == followed.track.slug
        started = set(TopicProgress.objects.filter(user=user_id).values_list("topic__slug", flat=True))
        checkoffs = [(data.tracks[track], data.topics[topic]) for track, topic in learner.checkoffs]
        assert len(checkoffs) <= mix.CHECKOFFS_PER_LEARNER
        assert not started & {topic for _, topic in checkoffs}
        assert len({topic for _, topic in checkoffs}) == len(checkoffs)
        if checkoffs:  # a learner who started every topic has none, and never checks off
            assert checkoffs[0][0] == followed.track.slug or not set(data.track_topics[learner.track]) - {
                data.topics.index(topic) for topic in started
            }  # their own track's steps come first, unless they started all of those


def test_a_mix_learner_is_logged_in_and_checks_off_through_csrf_storing_a_row(mixed):
    _, data = mixed
    learner = next(learner for learner in reversed(data.learners) if learner.checkoffs)
    client = learner_client(data, learner)
    assert "Log out" in client.get(f"/tracks/{data.tracks[learner.track]}/").text

    track, topic = (data.tracks[learner.checkoffs[0][0]], data.topics[learner.checkoffs[0][1]])
    before = prepare.counts()["progress_rows"]
    response = client.post(
        f"/topics/{topic}/status/",
        f"track={track}&status-{topic}={data.done_label}",
        content_type="application/x-www-form-urlencoded",
        headers={"X-CSRFToken": learner.csrf_token, "Origin": "http://testserver"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tracks/{track}/#node-{topic}"
    assert data.messages_cookie in response.cookies
    assert prepare.counts()["progress_rows"] == before + 1

    # Without the token in the header, Django's CSRF check refuses it: the header is what makes it pass.
    refused = client.post(
        f"/topics/{topic}/status/", f"track={track}", content_type="application/x-www-form-urlencoded"
    )
    assert refused.status_code == 403


def test_the_not_started_topics_come_from_the_own_tracks_first_each_once():
    track_topics = [[0, 1, 2], [2, 3, 4], [5, 0]]
    assert prepare._not_started([1], track_topics, {3}) == ((1, 2), (1, 4), (0, 0), (0, 1), (2, 5))
    assert prepare._not_started([2, 0], track_topics, {None, 0, 1, 2, 3, 4, 5}) == ()


def test_count_prints_the_rows_as_json(capsys):
    prepare.main(["count"])
    assert json.loads(capsys.readouterr().out) == {"progress_rows": 0, "follow_rows": 0}
    with pytest.raises(SystemExit):
        prepare.main(["nonsense"])
    assert settings.SESSION_ENGINE  # django.setup() ran again without harm
