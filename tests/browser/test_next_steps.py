"""Walking a track topic by topic in a real Chromium, with JavaScript (htmx) and without: open a topic from
the track, follow Previous and Next, press "Done — next topic" until the track's end.
"""

import re

import pytest
from playwright.sync_api import expect

from learning.models import TopicProgress, TrackFollow
from tests.browser.sessions import log_in
from tests.factories import (
    StageFactory,
    StepFactory,
    TopicFactory,
    TopicProgressFactory,
    TrackFactory,
    UserFactory,
)


@pytest.fixture
def track(live_server):
    """Python & Django: Basics (Python basics, Git & GitHub), then The web (Django, Deployment)."""
    track = TrackFactory(title="Python & Django", slug="python-django")
    basics = StageFactory(track=track, title="Basics", slug="basics", position=0)
    web = StageFactory(track=track, title="The web", slug="web", position=1)
    for stage, position, title, slug in [
        (web, 0, "Django", "django"),
        (basics, 0, "Python basics", "python-basics"),
        (web, 1, "Deployment", "deployment"),
        (basics, 1, "Git & GitHub", "git-github"),
    ]:
        StepFactory(stage=stage, topic=TopicFactory(title=title, slug=slug), position=position)
    return track


@pytest.fixture
def learner_page(new_page, live_server, javascript):
    """A page logged in as a new learner (their session cookie, as after logging in)."""
    learner = UserFactory()
    page = new_page(java_script_enabled=javascript)
    log_in(page.context, live_server, learner)
    page.learner = learner
    return page


def steps_nav(page):
    return page.get_by_role("navigation", name="Steps of Python & Django")


def continue_nav(page):
    return page.get_by_role("navigation", name="Continue in Python & Django")


def expect_topic(page, live_server, slug, title, previous, following):
    expect(page).to_have_url(f"{live_server.url}/topics/{slug}/?track=python-django")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    for nav in (steps_nav(page), continue_nav(page)):
        for rel, label, neighbour in (("prev", "Previous", previous), ("next", "Next", following)):
            link = nav.locator(f'a[rel="{rel}"]')
            if neighbour is None:
                expect(link).to_have_count(0)
            else:
                expect(link).to_have_accessible_name(f"{label} {neighbour[1]}")
                expect(link).to_have_attribute("href", f"/topics/{neighbour[0]}/?track=python-django")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    expect(breadcrumb.get_by_role("link").first).to_have_text("Python & Django")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_learner_walks_a_track_with_previous_next_and_done_next_topic(
    learner_page, live_server, track, console_errors, javascript
):
    page, learner = learner_page, learner_page.learner
    django = track.steps.get(topic__slug="django").topic
    TopicProgressFactory(user=learner, topic=django, status="skipped", completed_at=None)

    page.goto(f"{live_server.url}/tracks/python-django/")
    page.locator("#node-python-basics").get_by_role("link").click()
    expect_topic(page, live_server, "python-basics", "Python basics", None, ("git-github", "Git & GitHub"))

    # Next and Previous keep the track.
    steps_nav(page).get_by_role("link", name="Next Git & GitHub").click()
    expect_topic(
        page,
        live_server,
        "git-github",
        "Git & GitHub",
        ("python-basics", "Python basics"),
        ("django", "Django"),
    )
    steps_nav(page).get_by_role("link", name="Previous Python basics").click()
    expect_topic(page, live_server, "python-basics", "Python basics", None, ("git-github", "Git & GitHub"))

    # Changing the status here keeps the learner on this page of the track, htmx or not.
    page.get_by_role("group", name="Your status for Python basics").get_by_role(
        "button", name="Learning"
    ).click()
    expect(page.locator("#topic-status")).to_contain_text("Your status")
    expect(
        page.get_by_role("group", name="Your status for Python basics").get_by_role("button", name="Learning")
    ).to_have_attribute("aria-pressed", "true")
    expect(page).to_have_url(re.compile(r"/topics/python-basics/\?track=python-django(#topic-status)?$"))

    # Done — next topic: a plain POST, followed to the next step, with or without JavaScript.
    continue_nav(page).get_by_role("button", name="Done — next topic").click()
    expect_topic(
        page,
        live_server,
        "git-github",
        "Git & GitHub",
        ("python-basics", "Python basics"),
        ("django", "Django"),
    )
    expect(page.get_by_role("status")).to_contain_text("“Python basics” is done.")
    assert TopicProgress.objects.get(user=learner, topic__slug="python-basics").status == "done"
    assert TrackFollow.objects.filter(user=learner, track=track).exists()

    # Django was skipped: the next topic to do after Git is Deployment, though Next shows Django.
    expect(continue_nav(page)).to_contain_text("then Deployment")
    continue_nav(page).get_by_role("button", name="Done — next topic").click()
    expect_topic(page, live_server, "deployment", "Deployment", ("django", "Django"), None)

    # The last step goes back to the track, where the progress shows it all.
    continue_nav(page).get_by_role("button", name="Done — back to the track").click()
    expect(page).to_have_url(f"{live_server.url}/tracks/python-django/#node-deployment")
    expect(page.get_by_role("region", name="Your progress")).to_contain_text("100% 3 of 3 topics · 1 skipped")
    expect(page.locator("#node-deployment").get_by_role("status")).to_have_text(
        "“Deployment” is done. Nothing left after it in Python & Django."
    )
    assert set(
        TopicProgress.objects.filter(user=learner, status="done").values_list("topic__slug", flat=True)
    ) == {
        "python-basics",
        "git-github",
        "deployment",
    }
    assert console_errors == []
