"""The track page's nodes are rendered once per catalogue version and audience and kept in the process's
memory (learning/pages/track.py); each request lays its learner's state on them. Through the real URL."""

import pytest

from learning.models import Milestone, TopicProgress
from learning.progress import services
from tests.batches import read_together
from tests.conftest import logged_in
from tests.factories import StepFactory, TopicFactory, UserFactory
from tests.learning.conftest import build_track


def node(html, topic):
    start = html.index(f'id="node-{topic.slug}"')
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


def first_topic(track):
    return track.steps.order_by("stage__position", "position").first().topic


def test_two_learners_each_see_their_own_state_on_the_same_fragment(db, track):
    topic = first_topic(track)
    milestone = Milestone.objects.filter(stage__track=track).first()
    ann, bob = UserFactory(), UserFactory()
    services.set_topic_status(user=ann, topic=topic, status=TopicProgress.Status.DONE)
    services.set_milestone_done(user=ann, milestone=milestone, done=True)
    ann_page = logged_in(ann).get(track.get_absolute_url()).content.decode()
    bob_page = logged_in(bob).get(track.get_absolute_url()).content.decode()
    assert "roadmap-node--done" in node(ann_page, topic)
    assert "<option selected>Done" in node(ann_page, topic)
    assert "roadmap-node--not_started" in node(bob_page, topic)
    assert "<option selected>Not started" in node(bob_page, topic)
    assert "<option selected>Done" not in node(bob_page, topic)
    assert f'id="milestone-{milestone.pk}"' in ann_page
    assert "✓ Built" in ann_page
    assert "✓ Built" not in bob_page
    assert "Mark as not built yet" in ann_page
    assert "Mark as not built yet" not in bob_page
    # Bob's next step is the first one, Ann's the one after.
    assert f'{topic.get_absolute_url()}?track={track.slug}" aria-current="step"' in bob_page
    assert f'{topic.get_absolute_url()}?track={track.slug}" aria-current="step"' not in ann_page


def test_a_learners_change_shows_on_their_next_page(db, track):
    topic = first_topic(track)
    ann = UserFactory()
    client = logged_in(ann)
    assert "roadmap-node--not_started" in node(client.get(track.get_absolute_url()).content.decode(), topic)
    response = client.post(
        f"/topics/{topic.slug}/status/", {f"status-{topic.slug}": "Learning", "track": track.slug}
    )
    assert response.status_code == 302
    html = client.get(track.get_absolute_url()).content.decode()
    assert "roadmap-node--learning" in node(html, topic)
    said = node(html, topic)  # the confirmation is said at the node, not at the page's top
    assert "messages--at" in said
    assert f"learning “{topic.title}”" in said
    assert 'id="messages"' not in html


def test_a_curated_change_shows_at_once(client, track):
    topic = first_topic(track)
    assert topic.title in client.get(track.get_absolute_url()).content.decode()
    topic.title = "Renamed by a curator"
    topic.save()
    html = client.get(track.get_absolute_url()).content.decode()
    assert "Renamed by a curator" in html
    added = TopicFactory(title="A brand new step")
    StepFactory(stage=track.stages.first(), topic=added, position=99)
    assert "A brand new step" in client.get(track.get_absolute_url()).content.decode()


def test_staff_see_drafts_and_visitors_never_get_the_staff_copy(client, curator, track):
    draft = TopicFactory(title="A draft topic", is_published=False)
    StepFactory(stage=track.stages.first(), topic=draft, position=50)
    assert "A draft topic" in logged_in(curator).get(track.get_absolute_url()).content.decode()
    assert "A draft topic" not in client.get(track.get_absolute_url()).content.decode()
    assert "A draft topic" not in logged_in(UserFactory()).get(track.get_absolute_url()).content.decode()


def test_visitors_get_no_controls_after_a_learner_filled_the_memo(client, track):
    logged_in(UserFactory()).get(track.get_absolute_url())
    html = client.get(track.get_absolute_url()).content.decode()
    assert "<select" not in html
    assert "roadmap-form" not in html


@pytest.mark.parametrize("size", [2, 24])
def test_a_warm_track_page_costs_a_visitor_no_query(client, django_assert_num_queries, settings, db, size):
    settings.PAGE_CACHE = False  # the page is rendered; only its nodes come from the memo
    track = build_track(size, slug=f"warm-{size}")
    client.get(track.get_absolute_url())
    with django_assert_num_queries(0):
        assert client.get(track.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [2, 24])
def test_a_warm_track_page_costs_a_learner_the_same_few_queries(
    django_assert_num_queries, settings, db, size
):
    settings.PAGE_CACHE = False
    track = build_track(size, slug=f"warm-{size}")
    client = logged_in(UserFactory())
    client.get(track.get_absolute_url())
    # The session and its user; the learner's statuses, milestones built and followed tracks (one query) read
    # together with their weekly goals (one more, or one batch for both on PostgreSQL).
    with django_assert_num_queries(2 + read_together(2)):
        assert client.get(track.get_absolute_url()).status_code == 200


def test_about_this_track_starts_collapsed(client, track):
    """The map and the steps come first on every screen; the introduction opens on demand."""
    track.body = "Why this track, and how to walk it."
    track.save()
    html = client.get(track.get_absolute_url()).content.decode()
    assert '<details class="intro-details"><summary>About this track</summary>' in html
    assert "Why this track" in html
