"""The catalogue parts of topic, resource and milestone pages are built once between every process: a
process that hasn't built one reads it from the shared cache (plumbing.overlay's shared memo), runs fewer
queries for it and serves the same page. What a learner sees of their own never goes there. The page cache
is off: every request renders."""

import logging
import pickle
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from learning.progress import services
from plumbing import cache_tokens, overlay
from tests.conftest import logged_in
from tests.factories import RatingFactory, StageFactory, StepFactory, TrackFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]


def another_process():
    """What a new worker has: nothing in its memory, the tokens to read again; the shared cache as it is."""
    overlay.forget()
    cache_tokens.forget_held()


def get(client, url):
    """The page, its CSRF tokens (masked anew for every response) left out, and the queries it ran."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode()), len(captured)


def page_urls(track):
    topic = track.steps.order_by("position").first().topic
    return [
        topic.get_absolute_url(),
        f"{topic.get_absolute_url()}?track={track.slug}",
        topic.resources.first().get_absolute_url(),
        track.stages.first().milestones.first().get_absolute_url(),
    ]


@pytest.mark.parametrize("page", range(4), ids=["topic", "topic in track", "resource", "milestone"])
@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_another_process_serves_the_same_page_from_the_shared_copy_with_fewer_queries(page, who, caplog):
    caplog.set_level(logging.WARNING, logger="roadmap.overlay")
    url = page_urls(build_track(3))[page]
    client = Client() if who == "visitor" else logged_in(UserFactory())
    first, built = get(client, url)
    another_process()
    again, shared = get(client, url)
    assert again == first
    assert shared < built
    assert not caplog.records  # every part pickled and was read back


@pytest.fixture
def rendered_parts(monkeypatch):
    """The templates plumbing.overlay renders (a Shared's main template and its parts)."""
    rendered = []
    real = overlay.render_to_string
    monkeypatch.setattr(
        overlay,
        "render_to_string",
        lambda name, *args, **kwargs: rendered.append(name) or real(name, *args, **kwargs),
    )
    return rendered


@pytest.mark.parametrize("page", [0, 2], ids=["topic", "resource"])
def test_another_process_renders_none_of_the_parts_a_learners_page_usually_asks_for(page, rendered_parts):
    """The cards and the buttons of a learner who hasn't bookmarked or rated anything come in the shared
    copy: the process that builds the page renders them with it, no other process renders them again."""
    track = build_track(3)
    url = page_urls(track)[page]
    resource = track.steps.order_by("position").first().topic.resources.first()
    RatingFactory(resource=resource, review="Clear and short.")  # another learner's review: a report button
    learner, other = logged_in(UserFactory()), logged_in(UserFactory())
    first, _ = get(learner, url)
    assert "includes/bookmark_form.html" in rendered_parts
    rendered_parts.clear()
    another_process()
    again, _ = get(other, url)
    assert again.count('<div class="bookmark"') == first.count('<div class="bookmark"') > 0
    assert again.count('id="report-') == first.count('id="report-') == (page == 2)
    usual = {
        f"includes/{name}.html" for name in ("resource_card", "bookmark_form", "rate_panel", "report_form")
    }
    assert usual.isdisjoint(rendered_parts)


def test_a_learners_own_state_is_never_in_the_shared_copy():
    track = build_track(3)
    topic = track.steps.order_by("position").first().topic
    learner, other = UserFactory(), UserFactory()
    services.set_topic_status(user=learner, topic=topic, status="done")
    mine, _ = get(logged_in(learner), topic.get_absolute_url())
    another_process()
    theirs, _ = get(logged_in(other), topic.get_absolute_url())
    done = 'value="done" aria-pressed="true"'
    assert done in mine
    assert done not in theirs
    assert 'value="not_started" aria-pressed="true"' in theirs


def shared_copy_size(track) -> int:
    """The size of the pickled shared copy of a learner's page of the track's first topic walked in it."""
    topic = track.steps.order_by("position").first().topic
    another_process()
    get(logged_in(UserFactory()), f"{topic.get_absolute_url()}?track={track.slug}")
    (html,) = [value for key, (value, _) in overlay._shared_memo._values.items() if key[0] == "topic-page"]
    assert "path" not in html.context  # the walk's parts get it from the request
    assert "walked" not in html.context
    return len(pickle.dumps(html, pickle.HIGHEST_PROTOCOL))


def test_a_topic_pages_shared_copy_does_not_carry_its_tracks_steps():
    """Every process that reads the shared copy unpickles it: with the track's steps it grew with the track
    (132 KB for a 50-step demo track, 8 ms to read back in a slow spell)."""
    small = shared_copy_size(build_track(2, slug="small", resources_per_topic=1))
    large = shared_copy_size(build_track(40, slug="large", resources_per_topic=1))
    assert abs(large - small) < 2000  # titles and counts differ a little; 38 more steps would be ~20 KB


def test_one_render_of_a_topic_page_serves_every_track_it_is_walked_in(rendered_parts):
    """The breadcrumb, the steps, the resources' order and the filters' track are parts per track (walk_slot):
    the page itself is rendered once for learners (and once for visitors), not once per track."""
    first = build_track(3, slug="first")
    steps = [step.topic for step in first.steps.order_by("stage__position", "position")]
    topic = steps[1]  # the middle step: a previous and a next one
    second = TrackFactory(slug="second", title="Second track", stack="python")
    stage = StageFactory(track=second, title="Second's stage", slug="seconds-stage")
    before, after = (StepFactory(stage=stage, position=position) for position in (0, 2))
    StepFactory(stage=stage, topic=topic, position=1)
    client = logged_in(UserFactory())
    pages = {slug: get(client, f"{topic.get_absolute_url()}?track={slug}")[0] for slug in ("first", "second")}
    plain, _ = get(client, topic.get_absolute_url())
    assert rendered_parts.count("learning/topic_main.html") == 1
    assert f'rel="prev" href="{steps[0].get_absolute_url()}?track=first"' in pages["first"]
    assert f'rel="next" href="{steps[2].get_absolute_url()}?track=first"' in pages["first"]
    assert f'rel="prev" href="{before.topic.get_absolute_url()}?track=second"' in pages["second"]
    assert f'rel="next" href="{after.topic.get_absolute_url()}?track=second"' in pages["second"]
    assert '<input type="hidden" name="track" value="second">' in pages["second"]
    assert "Second&#x27;s stage" in pages["second"]
    assert "Python resources first (you're walking Second track)" in pages["second"]
    assert "with resources for any stack before those specific to one" in pages["first"]
    for page in (pages["first"], pages["second"], plain):
        assert page.count('<article class="resource-card') == 2
    assert 'rel="next"' not in plain  # walked in no track (the learner follows none)
    assert 'name="track"' not in plain
