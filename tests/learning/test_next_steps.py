"""Next steps everywhere: a topic opened from a track shows its previous and next step, and "Done — next
topic" checks it off and moves on, through the real URLs; the one next-step rule of learning.progress.state.
"""

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.catalogue import queries as catalogue_queries
from learning.models import Topic, TopicProgress, TrackFollow
from learning.progress.state import LearnerState, next_open_step, track_progress
from plumbing import cache_tokens, overlay
from tests import batches
from tests.conftest import logged_in
from tests.factories import StageFactory, StepFactory, TopicFactory, TopicProgressFactory, TrackFactory
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db


def in_order(track):
    """The track's topics in its order: stage position, then step position (build_track alternates the
    stages, so this is not the order they were created in)."""
    return [step.topic for step in track.steps.order_by("stage__position", "position")]


def topic_url(topic, track=None):
    return topic.get_absolute_url() + (f"?track={track.slug}" if track else "")


def done_next_url(topic):
    return reverse("learning:topic_done_next", args=[topic.slug])


def link(html, rel):
    """(href, text) of every <a rel=…> in the page."""
    found = re.findall(rf'<a class="[^"]*" rel="{rel}" href="([^"]+)">(.*?)</a>', html, re.S)
    return [
        (href, re.sub(r"<[^>]+>", "", text).replace("←", "").replace("→", "").split()) for href, text in found
    ]


def neighbours(response):
    html = response.content.decode()
    return link(html, "prev"), link(html, "next")


@pytest.fixture
def learner_client(learner):
    """A client of its own, so `client` stays a visitor in the same test."""
    return logged_in(learner)


# ---------- Previous and next ----------


def test_a_topic_opened_from_a_track_links_its_previous_and_next_step_keeping_the_track(client, track):
    first, second, third, _fourth = in_order(track)
    response = client.get(topic_url(second, track))

    previous, following = neighbours(response)
    # The same links at the top (under the status control) and at the bottom of the guide.
    assert previous == [(topic_url(first, track), ["Previous", *first.title.split()])] * 2
    assert following == [(topic_url(third, track), ["Next", *third.title.split()])] * 2
    html = response.content.decode()
    assert "Step 2 of 4 in" in html
    assert '<input type="hidden" name="track" value="backend">' in html  # filtering keeps the track
    # The breadcrumb names the track and the stage the topic sits in.
    assert re.search(
        rf'<a href="{track.get_absolute_url()}">Backend developer</a></li>'
        rf'<li><a href="{track.get_absolute_url()}#stage-basics">Basics</a>',
        html,
    )


def test_the_order_crosses_stages_by_stage_position_then_step_position(client, track):
    _first, second, third, _fourth = in_order(track)
    _, following = neighbours(client.get(topic_url(second, track)))
    assert following[0][0] == topic_url(third, track)  # the last of Basics → the first of Advanced
    previous, _ = neighbours(client.get(topic_url(third, track)))
    assert previous[0][0] == topic_url(second, track)


def test_the_first_step_has_no_previous_and_the_last_no_next(client, track):
    topics = in_order(track)
    previous, following = neighbours(client.get(topic_url(topics[0], track)))
    assert previous == []
    assert len(following) == 2
    previous, following = neighbours(client.get(topic_url(topics[-1], track)))
    assert len(previous) == 2
    assert following == []


def test_unpublished_topics_are_not_steps_to_walk(client, track):
    first, second, third, _ = in_order(track)
    second.is_published = False
    second.save()
    _, following = neighbours(client.get(topic_url(first, track)))
    assert following[0][0] == topic_url(third, track)
    assert "Step 2 of 3 in" in client.get(topic_url(third, track)).content.decode()


def test_a_learner_without_the_parameter_walks_the_track_they_followed_first(learner_client, learner, track):
    first, second, third, _ = in_order(track)
    later = TrackFactory(title="Python & Django", slug="python")
    stage = StageFactory(track=later, slug="web", title="The web")
    other = StepFactory(stage=stage, topic=TopicFactory(title="Flask"), position=0).topic
    StepFactory(stage=stage, topic=second, position=1)
    TrackFollow.objects.create(user=learner, track=track)
    TrackFollow.objects.create(user=learner, track=later)  # followed after `track`

    previous, following = neighbours(learner_client.get(second.get_absolute_url()))
    assert previous[0][0] == topic_url(first, track)
    assert following[0][0] == topic_url(third, track)

    TrackFollow.objects.filter(user=learner, track=track).delete()  # now `later` is the first followed
    previous, following = neighbours(learner_client.get(second.get_absolute_url()))
    assert previous[0][0] == topic_url(other, later)
    assert following == []
    # The parameter still wins over the follow.
    previous, _ = neighbours(learner_client.get(topic_url(second, track)))
    assert previous[0][0] == topic_url(first, track)


def test_without_a_track_to_walk_there_are_no_links(client, learner_client, learner, track):
    second = in_order(track)[1]
    loose = TopicFactory()
    foreign = build_track(2, slug="foreign")

    assert neighbours(client.get(second.get_absolute_url())) == ([], [])  # a visitor follows nothing
    assert neighbours(learner_client.get(second.get_absolute_url())) == ([], [])  # follows nothing either
    assert neighbours(client.get(topic_url(second, foreign))) == ([], [])  # the track doesn't contain it
    assert neighbours(client.get(second.get_absolute_url() + "?track=no-such-track")) == ([], [])
    assert neighbours(client.get(topic_url(loose, track))) == ([], [])  # the topic is in no track
    TrackFollow.objects.create(user=learner, track=foreign)  # followed, but without this topic
    assert neighbours(learner_client.get(second.get_absolute_url())) == ([], [])


def test_an_unpublished_track_is_walked_only_by_staff(client, curator_client, track):
    track.is_published = False
    track.save()
    second = in_order(track)[1]
    assert neighbours(client.get(topic_url(second, track))) == ([], [])
    previous, following = neighbours(curator_client.get(topic_url(second, track)))
    assert len(previous) == len(following) == 2


# ---------- Done — next topic ----------


def done_form(response):
    html = response.content.decode()
    match = re.search(
        r'<form class="step-nav__done" method="post" action="([^"]+)">.*?'
        r'<button class="button button--primary" type="submit">([^<]+)</button>',
        html,
        re.S,
    )
    return match and (match.group(1), match.group(2))


def test_only_a_learner_gets_the_button_and_it_names_where_it_goes(client, learner_client, track):
    _first, second, _third, fourth = in_order(track)
    assert done_form(client.get(topic_url(second, track))) is None
    assert "step-nav__done" not in learner_client.get(second.get_absolute_url()).content.decode()

    assert done_form(learner_client.get(topic_url(second, track))) == (
        done_next_url(second),
        "Done — next topic",
    )
    assert done_form(learner_client.get(topic_url(fourth, track))) == (
        done_next_url(fourth),
        "Done — back to the track",
    )


def test_done_next_stores_done_follows_the_track_and_opens_the_next_step(learner_client, learner, track):
    first, second, third, _ = in_order(track)
    response = learner_client.post(done_next_url(first), {"track": track.slug})

    assert response.status_code == 302
    assert response.url == topic_url(second, track)
    assert TopicProgress.objects.get(user=learner, topic=first).status == "done"
    assert TrackFollow.objects.filter(user=learner, track=track).exists()
    page = learner_client.get(response.url)
    assert "“" + first.title + "” is done." in page.content.decode()
    assert neighbours(page)[1][0][0] == topic_url(third, track)


def test_done_next_from_a_published_track_reads_its_steps_from_the_catalogue_memo(
    learner_client, track, django_assert_num_queries
):
    first, second, *_ = in_order(track)
    catalogue_queries.published_step(track.slug, first.slug)  # the catalogue's memos, as any page builds them
    # The session, the user, the status, then together the day's activity, the first review and the follow,
    # and the learner's statuses for the next step: the topic, the track and its steps come from the memos.
    with django_assert_num_queries(4 + batches.read_together(3)):
        response = learner_client.post(done_next_url(first), {"track": track.slug})
    assert response.url == topic_url(second, track)


def test_done_next_skips_what_is_already_done_or_skipped_and_never_goes_back(learner_client, learner, track):
    first, second, third, fourth = in_order(track)
    TopicProgressFactory(user=learner, topic=third)
    TopicProgressFactory(user=learner, topic=fourth, status="skipped", completed_at=None)
    # `first` is neither done nor skipped, but it comes before: never sent back to it.
    page = learner_client.get(topic_url(second, track))
    assert done_form(page)[1] == "Done — back to the track"

    response = learner_client.post(done_next_url(second), {"track": track.slug})
    assert response.url == f"{track.get_absolute_url()}#node-{second.slug}"
    assert TopicProgress.objects.get(user=learner, topic=second).status == "done"

    TopicProgress.objects.filter(user=learner, topic=fourth).delete()
    response = learner_client.post(done_next_url(first), {"track": track.slug})
    assert response.url == topic_url(fourth, track)  # past `second` and `third`, both done


def test_done_next_on_the_last_step_returns_to_the_track(learner_client, learner, track):
    last = in_order(track)[-1]
    response = learner_client.post(done_next_url(last), {"track": track.slug})
    assert response.url == f"{track.get_absolute_url()}#node-{last.slug}"
    assert TopicProgress.objects.get(user=learner, topic=last).status == "done"


def test_a_visitor_pressing_done_next_is_sent_to_log_in_and_nothing_is_stored(client, track):
    first = in_order(track)[0]
    response = client.post(done_next_url(first), {"track": track.slug, "next": topic_url(first, track)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    assert "track%3Dbackend" in response.url  # back to the topic, in the track, after logging in
    assert not TopicProgress.objects.exists()
    assert not TrackFollow.objects.exists()


@pytest.mark.parametrize("track_slug", ["foreign", "no-such-track", "", "back end", "x" * 101])
def test_done_next_refuses_a_track_without_the_topic_and_stores_nothing(learner_client, track, track_slug):
    build_track(2, slug="foreign")
    first = in_order(track)[0]
    response = learner_client.post(done_next_url(first), {"track": track_slug})
    assert response.status_code == 400
    assert "That didn't work" in response.content.decode()
    assert not TopicProgress.objects.exists()
    assert not TrackFollow.objects.exists()


def test_done_next_refuses_a_track_the_learner_cannot_see(learner_client, track):
    track.is_published = False
    track.save()
    response = learner_client.post(done_next_url(in_order(track)[0]), {"track": track.slug})
    assert response.status_code == 400
    assert not TopicProgress.objects.exists()


def test_done_next_is_post_only(learner_client, track):
    response = learner_client.get(done_next_url(in_order(track)[0]) + "?track=backend")
    assert response.status_code == 405
    assert not TopicProgress.objects.exists()


# ---------- Cached pages ----------


def test_cached_pages_keep_each_viewer_and_each_track_apart(client, learner_client, learner, track):
    """Pages are cached per URL (so per ?track=), a learner's under their own token: the visitor's copy, the
    learner's and the page after a check-off each show the right neighbours and button."""
    _first, second, third, _ = in_order(track)
    other = TrackFactory(slug="other")
    StepFactory(stage=StageFactory(track=other, position=0), topic=second, position=0)
    StepFactory(stage=StageFactory(track=other, position=1), topic=TopicFactory(title="Later"), position=0)

    for _ in range(2):  # the second time from the cache
        assert neighbours(client.get(topic_url(second, track)))[1][0][0] == topic_url(third, track)
        assert neighbours(client.get(topic_url(second, other)))[0] == []
        assert neighbours(client.get(second.get_absolute_url())) == ([], [])
        assert done_form(learner_client.get(topic_url(second, track)))[1] == "Done — next topic"
        assert neighbours(learner_client.get(second.get_absolute_url())) == ([], [])

    learner_client.post(reverse("learning:track_follow", args=[other.slug]))  # a follow moves their token
    later = topic_url(Topic.objects.get(title="Later"), other)
    assert neighbours(learner_client.get(second.get_absolute_url()))[1][0][0] == later

    learner_client.post(done_next_url(third), {"track": track.slug})  # also follows `track`, checks off
    assert neighbours(learner_client.get(second.get_absolute_url()))[1][0][0] == later  # `other` was first
    page = learner_client.get(topic_url(second, track))
    assert "then <strong>" + in_order(track)[3].title in page.content.decode()  # past `third`, now done
    assert neighbours(client.get(second.get_absolute_url())) == ([], [])  # the visitor's copy is theirs


# ---------- The one next-step rule (learning.progress.state) ----------


def steps(*topic_ids):
    return [SimpleNamespace(topic_id=topic_id) for topic_id in topic_ids]


def test_next_open_step_is_the_first_neither_done_nor_skipped():
    state = LearnerState({1: "done", 2: "skipped", 3: "learning"})
    assert next_open_step(steps(1, 2, 3, 4), state).topic_id == 3
    assert next_open_step(steps(1, 2), state) is None
    assert next_open_step([], state) is None
    assert track_progress(steps(1, 2, 3, 4), [], state).next_step.topic_id == 3


def test_next_open_step_after_a_topic_looks_only_past_it():
    state = LearnerState({1: "learning", 3: "done", 4: "skipped"})
    assert next_open_step(steps(1, 2, 3, 4, 5), state, after_topic_id=2).topic_id == 5
    assert next_open_step(steps(1, 2, 3, 4), state, after_topic_id=2) is None  # not back to 1
    assert next_open_step(steps(1, 2, 3), state, after_topic_id=1).topic_id == 2  # 1's own status: no matter
    assert next_open_step(steps(1, 2), state, after_topic_id=99).topic_id == 1  # not a step: all count


# ---------- The walk's parts come with the page's shared copy ----------

# The parts of a topic page's shared HTML (learning.pages.views): rendered once, with it, for every process.
PART_TEMPLATES = {
    "includes/step_nav.html",
    "includes/step_nav_done.html",
    "includes/topic_crumb.html",
    "includes/topic_hint.html",
    "includes/topic_status.html",
    "includes/my_notes.html",
    "includes/ready_summary.html",
    "includes/resource_card.html",
    "includes/bookmark_form.html",
}


def test_another_process_walks_a_topic_through_any_of_its_tracks_rendering_no_part(
    learner, learner_client, track
):
    """The shared copy of a topic page (built by the first request, read back by every other process) holds
    the parts of a walk through each track the topic is in and of none, for each status: another process
    renders only the page's frame, whichever track it is walked in."""
    first, second, _third, _fourth = in_order(track)
    other = TrackFactory(slug="other", title="Other track")
    stage = StageFactory(track=other, slug="only", title="Only stage", position=0)
    StepFactory(stage=stage, topic=first, position=0)
    StepFactory(stage=stage, topic=second, position=1)
    assert learner_client.get(topic_url(second, track)).status_code == 200  # builds the shared copy
    TopicProgressFactory(user=learner, topic=second, status=TopicProgress.Status.LEARNING)

    overlay.forget()  # another process: this one's memos are gone, the shared copy stays in the cache
    pages = {url: learner_client.get(url) for url in (topic_url(second, other), topic_url(second))}

    for url, response in pages.items():
        assert response.status_code == 200, url
        rendered = {template.name for template in response.templates}
        assert not rendered & PART_TEMPLATES, (url, sorted(rendered & PART_TEMPLATES))
    walked = pages[topic_url(second, other)].content.decode()
    assert "Step 2 of 2 in" in walked
    assert link(walked, "prev") == [(topic_url(first, other), ["Previous", *first.title.split()])] * 2
    assert "Done — back to the track" in walked  # nothing after it in the other track
    assert "Step 2 of" not in pages[topic_url(second)].content.decode()  # no track walked: no steps


def cold_queries(client, url) -> int:
    """The queries of `url` with nothing cached, in the shared cache or this process (as tests/conftest.py's
    cold_get)."""
    cache.clear()
    cache_tokens.forget_held()
    overlay.forget()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_walks_steps_are_one_query_however_many_tracks_the_topic_is_in(client, track):
    """A cold topic page reads the steps of every track containing it in one query (walk_parts)."""
    _first, second, _third, _fourth = in_order(track)
    url = topic_url(second)
    client.get(url)  # what lives for the whole process (content types)
    in_one_track = cold_queries(client, url)
    for number in range(2):
        stage = StageFactory(track=TrackFactory(slug=f"more-{number}"), slug="only", position=0)
        StepFactory(stage=stage, topic=second, position=0)
    assert cold_queries(client, url) == in_one_track
