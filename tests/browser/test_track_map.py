"""The track page's map in a real Chromium: the first node shows without scrolling on a phone and a desktop,
for a visitor and a learner, and a node's status changes in place with htmx and by a plain POST without."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from learning.models import Milestone, Step, TopicProgress, Track
from learning.progress import services
from tests.browser.sessions import log_in
from tests.factories import UserFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def shipped_track(live_server):
    """The shipped Backend track: a long summary, tags, an introduction and 33 steps, as learners see it."""
    call_command("load_roadmap", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return "/tracks/backend-developer/"


def first_map_node(page):
    return page.get_by_role("navigation", name="Map of the track").get_by_role("link").nth(1)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_the_first_map_node_is_above_the_fold(new_page, live_server, shipped_track, viewport, who):
    page = new_page()
    page.set_viewport_size(viewport)
    if who == "learner":
        learner = UserFactory()
        steps = Step.objects.filter(track__slug="backend-developer").order_by("stage__position", "position")
        for step in steps[:4]:
            services.set_topic_status(user=learner, topic=step.topic, status="done")
        services.follow_track(user=learner, track=steps[0].track)
        log_in(page.context, live_server, learner)
    page.goto(live_server.url + shipped_track)
    node = first_map_node(page)  # the first link is the stage's, then its first step
    expect(node).to_have_attribute("href", "/topics/backend-overview/?track=backend-developer")
    box = node.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], box
    if who == "learner":
        expect(page.get_by_role("region", name="Your progress")).to_be_visible()
        expect(node).to_have_accessible_name("What Backend Development Is (done)")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_changing_a_nodes_status_updates_the_node_the_map_and_the_progress(
    new_page, live_server, shipped_track, console_errors, javascript
):
    learner = UserFactory()
    page = new_page(java_script_enabled=javascript)
    page.set_viewport_size(PHONE)
    log_in(page.context, live_server, learner)
    page.goto(live_server.url + shipped_track)
    progress = page.get_by_role("region", name="Your progress")
    track = Track.objects.get(slug=shipped_track.strip("/").split("/")[-1])
    topics, milestones = track.steps.count(), Milestone.objects.filter(stage__track=track).count()
    expect(progress).to_contain_text(f"0% 0 of {topics} topics · 0 of {milestones} milestones")
    if javascript:
        page.evaluate("window.marker = document.getElementById('track-progress')")

    select = page.get_by_role("combobox", name="Your status for SQL")
    node = page.locator("#node-sql")
    expect(node.get_by_role("button", name="Save")).to_be_hidden()
    select.select_option("Skipped")
    node.get_by_role("button", name="Save").click()

    expect(page.get_by_role("combobox", name="Your status for SQL")).to_have_value("Skipped")
    expect(page.locator("#node-sql")).to_have_class(re.compile(r"\broadmap-node--skipped\b"))
    map_link = page.get_by_role("navigation", name="Map of the track").get_by_role(
        "link", name=re.compile(r"^SQL \(")
    )
    expect(map_link).to_have_accessible_name("SQL (skipped)")
    expect(progress).to_contain_text(
        f"0% 0 of {topics - 1} topics · 0 of {milestones} milestones · 1 skipped"
    )
    assert TopicProgress.objects.get(user=learner, topic__slug="sql").status == "skipped"
    if javascript:
        assert page.evaluate("window.marker !== undefined"), "the page reloaded"
        assert not page.evaluate("window.marker.isConnected"), "#track-progress was not swapped"
        expect(page).to_have_url(live_server.url + shipped_track)
    else:
        expect(page).to_have_url(f"{live_server.url}{shipped_track}#node-sql")
    assert console_errors == []
