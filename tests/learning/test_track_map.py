"""The track page: the whole track as a map at the top, then one status control per node, through the real URL."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from learning.models import MilestoneCompletion, TopicProgress, Track
from learning.progress import services
from tests.conftest import logged_in
from tests.factories import StepFactory, TopicFactory, UserFactory

MAP = re.compile(r'<nav class="track-map[^"]*" id="track-map".*?</nav>', re.S)
MAP_NODE = re.compile(r'<li(?: class="([^"]*)")?><a href="([^"]+)"[^>]*>(.*?)</a></li>', re.S)
SELECT = re.compile(r"<select [^>]*>", re.S)


@pytest.fixture
def learner_client(learner):
    return logged_in(learner)


def track_map(html):
    return MAP.search(html).group()


def map_nodes(html):
    """(classes, href, text without tags) of each map node, in order."""
    return [
        (classes or "", href, re.sub(r"<[^>]+>", "", text)) for classes, href, text in MAP_NODE.findall(html)
    ]


def steps_in_order(track):
    return list(track.steps.filter(topic__is_published=True).order_by("stage__position", "position"))


def test_the_map_lists_every_step_in_order_with_the_learners_state_in_words(client, learner, track):
    steps = steps_in_order(track)
    StepFactory(stage=track.stages.first(), topic=TopicFactory(is_published=False), position=99)
    for step, status in zip(steps, ["done", "learning", "skipped"], strict=False):
        services.set_topic_status(user=learner, topic=step.topic, status=status)
    milestone = track.stages.first().milestones.first()
    services.set_milestone_done(user=learner, milestone=milestone, done=True)
    client.force_login(learner)

    html = track_map(client.get(track.get_absolute_url()).content.decode())

    topic_nodes = [node for node in map_nodes(html) if "is-milestone" not in node[0]]
    assert [href for _, href, _ in topic_nodes] == [
        f"{step.topic.get_absolute_url()}?track={track.slug}" for step in steps
    ]
    states = [text.split(" (", 1)[1].rstrip(")").replace(", optional", "") for _, _, text in topic_nodes]
    assert states[:4] == ["done", "learning, your next step", "skipped", "not started"]
    assert all(state == "not started" for state in states[3:])
    assert [", optional" in text for _, _, text in topic_nodes] == [step.is_optional for step in steps]
    assert [classes.split()[0] for classes, _, _ in topic_nodes[:3]] == [
        "is-done",
        "is-learning",
        "is-skipped",
    ]
    assert html.count('aria-current="step"') == 1  # the next step
    assert 'aria-labelledby="track-map-heading"' in html
    assert 'aria-label="Legend"' in html
    milestones = [node for node in map_nodes(html) if "is-milestone" in node[0]]
    assert [href for _, href, _ in milestones] == [
        f"#milestone-{m.pk}" for stage in track.stages.order_by("position") for m in stage.milestones.all()
    ]
    assert milestones[0][2] == f"Milestone: {milestone.title} (built)"
    assert milestones[1][2].endswith(" (not built yet)")


def test_a_visitor_sees_the_same_map_without_any_state(client, track):
    html = track_map(client.get(track.get_absolute_url()).content.decode())
    nodes = map_nodes(html)
    topics = [text for classes, _, text in nodes if "is-milestone" not in classes]
    assert topics == [
        step.topic.title + (" (optional)" if step.is_optional else "") for step in steps_in_order(track)
    ]
    assert all(
        href.endswith(f"?track={track.slug}") for classes, href, _ in nodes if "is-milestone" not in classes
    )
    for word in ("not started", "done", "learning", "skipped", "Legend", "aria-current", "built"):
        assert word not in html


def test_the_page_has_one_status_select_per_node_labelled_for_its_topic(learner_client, track):
    html = learner_client.get(track.get_absolute_url()).content.decode()
    steps = steps_in_order(track)
    selects = SELECT.findall(html)
    assert len(selects) == len(steps)
    for select, step in zip(selects, steps, strict=True):
        assert f'name="status-{step.topic.slug}"' in select
        # Labelled "Your status for <title>": the page's one "Your status for" and the node's title.
        assert f'aria-labelledby="status-for t{step.topic_id}"' in select
        assert f'<span id="t{step.topic_id}">{step.topic.title}</span>' in html
    assert html.count('<span id="status-for" hidden>Your status for</span>') == 1
    assert "aria-pressed" not in html.split('id="roadmap"', 1)[1]  # no segmented buttons on the list
    assert html.count(f'formaction="{reverse("learning:topic_status", args=[steps[0].topic.slug])}"') == 1
    # One CSRF token and one track field for the whole list, not one per node.
    roadmap_form = html[html.index('<form class="roadmap-form"') :]
    assert roadmap_form.count("csrfmiddlewaretoken") == 1
    assert roadmap_form.count('name="track"') == 1


def test_saving_one_node_of_the_track_form_sets_that_topic_only_and_returns_to_its_node(
    learner_client, learner, track
):
    first, second = (step.topic for step in steps_in_order(track)[:2])
    # What the track's form posts when the learner picks Done for the second node and presses its Save.
    data = {"track": track.slug, f"status-{first.slug}": "Learning", f"status-{second.slug}": "Done"}
    response = learner_client.post(reverse("learning:topic_status", args=[second.slug]), data)
    assert response.status_code == 302
    assert response.url == f"{track.get_absolute_url()}#node-{second.slug}"
    assert list(TopicProgress.objects.filter(user=learner).values_list("topic", "status")) == [
        (second.pk, "done")
    ]
    html = learner_client.get(track.get_absolute_url()).content.decode()
    select = SELECT.search(html[html.index(f'id="node-{second.slug}"') :]).group()
    after = html[html.index(select) :]
    assert after.index("<option selected>Done") < after.index("</select>")

    data[f"status-{second.slug}"] = "Not started"
    learner_client.post(reverse("learning:topic_status", args=[second.slug]), data)
    assert not TopicProgress.objects.filter(user=learner).exists()


def test_a_label_that_is_no_status_is_refused(learner_client, learner, track):
    topic = steps_in_order(track)[0].topic
    response = learner_client.post(
        reverse("learning:topic_status", args=[topic.slug]), {f"status-{topic.slug}": "Mastered"}
    )
    assert response.status_code == 400
    assert not TopicProgress.objects.filter(user=learner).exists()


def test_a_milestone_button_of_the_track_form_returns_to_its_milestone(learner_client, learner, track):
    milestone = track.stages.first().milestones.first()
    data = {"track": track.slug, "done": "1"}
    response = learner_client.post(reverse("learning:milestone_done", args=[milestone.pk]), data)
    assert response.url == f"{track.get_absolute_url()}#milestone-{milestone.pk}"
    assert MilestoneCompletion.objects.filter(user=learner, milestone=milestone).exists()


def test_the_topic_page_keeps_its_four_buttons(learner_client, track):
    topic = steps_in_order(track)[0].topic
    html = learner_client.get(topic.get_absolute_url()).content.decode()
    assert html.count('<button name="status"') == 4
    assert f"Your status for {topic.title}</legend>" in html
    assert "<select name=" not in html.split('id="topic-status"', 1)[1].split("</form>", 1)[0]


def page_sizes(track):
    learner = UserFactory()
    for step in steps_in_order(track)[:3]:
        services.set_topic_status(user=learner, topic=step.topic, status="done")
    client = logged_in(learner)
    visitor = len(Client().get(track.get_absolute_url()).content)
    return visitor, len(client.get(track.get_absolute_url()).content)


def test_the_learners_page_is_at_most_1_3_times_the_visitors_on_the_shipped_content(db):
    """The shipped Backend track (33 steps, 4 milestones, real titles and summaries); factory topics' one-line
    summaries are not realistic enough to measure with."""
    call_command("load_roadmap", stdout=open("/dev/null", "w"))  # noqa: SIM115
    visitor, learner = page_sizes(Track.objects.get(slug="backend-developer"))
    assert learner <= 1.3 * visitor, (visitor, learner, learner / visitor)
