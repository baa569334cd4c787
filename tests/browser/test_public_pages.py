"""A visitor's walk through the public pages in a real Chromium: navigation, layout, accessibility, theme."""

import re

import pytest
from playwright.sync_api import expect

from learning.models import Resource
from tests.factories import (
    MilestoneFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
)

PHONE = {"width": 390, "height": 844}
TRANSPARENT_OR_WHITE = {"rgba(0, 0, 0, 0)", "transparent", "rgb(255, 255, 255)"}


@pytest.fixture
def roadmap(live_server):
    """A track with two stages, steps and a milestone; topics with resources; a second track sharing Git."""
    python = TrackFactory(
        title="Python & Django", slug="python-django", position=1, summary="From zero to Django."
    )
    python.tags.add("python")
    backend = TrackFactory(title="Backend developer", slug="backend", position=2)
    basics = StageFactory(track=python, title="Basics", slug="basics", position=1, duration="months 1–3")
    intermediate = StageFactory(track=python, title="Intermediate", slug="intermediate", position=2)
    git = TopicFactory(title="Git", slug="git", summary="Version control for every project.")
    git.tags.add("tools")
    http = TopicFactory(title="HTTP", slug="http")
    orm = TopicFactory(title="The Django ORM", slug="django-orm")
    StepFactory(stage=basics, topic=git, position=1)
    StepFactory(stage=basics, topic=http, position=2)
    StepFactory(stage=intermediate, topic=orm, position=1, is_optional=True)
    StepFactory(stage=StageFactory(track=backend, title="Foundations", position=1), topic=git, position=1)
    milestone = MilestoneFactory(
        stage=basics, title="Build a command-line to-do app", description="Commit every step with **Git**."
    )
    milestone.topics.set([git])
    ResourceFactory(  # curated first on Git, before Pro Git
        title="Git reference manual",
        url="https://git-scm.com/docs",
        kind=Resource.Kind.DOCS,
        topics=[git],
    )
    pro_git = ResourceFactory(
        title="Pro Git",
        url="https://git-scm.com/book/en/v2",
        kind=Resource.Kind.BOOK,
        author="Scott Chacon and Ben Straub",
        description="The whole book, free online: from the first commit to Git's internals.",
        estimated_minutes=900,
        topics=[git],
    )
    pro_git.tags.add("tools")
    ResourceFactory(
        title="HTTP overview", url="https://developer.mozilla.org/en-US/docs/Web/HTTP", topics=[http]
    )
    ResourceFactory(title="Making queries", kind=Resource.Kind.DOCS, topics=[orm])
    return {"track": python, "topic": git, "resource": pro_git}


PAGES = {
    "home": lambda data: "/",
    "tracks": lambda data: "/tracks/",
    "track": lambda data: data["track"].get_absolute_url(),
    "topic": lambda data: data["topic"].get_absolute_url(),
    "resources": lambda data: "/resources/",
    "resource": lambda data: data["resource"].get_absolute_url(),
    "tags": lambda data: "/tags/",
    "tag": lambda data: "/tags/tools/",
}


def url_of(live_server, roadmap, name):
    return live_server.url + PAGES[name](roadmap)


@pytest.fixture
def phone_page(browser, console_errors):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    context.close()


def body_style(page, prop):
    return page.evaluate(f"getComputedStyle(document.body).{prop}")


def test_a_visitor_goes_from_home_to_a_track_to_a_topic(page, live_server, roadmap):
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Learn backend development, one step at a time · Roadmap")

    page.locator(".track-card").filter(has_text="Python & Django").get_by_role("link").click()

    expect(page).to_have_url(live_server.url + "/tracks/python-django/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Python & Django")
    expect(page.locator(".roadmap-stage").get_by_role("heading", level=2)).to_have_count(2)
    expect(page.locator(".roadmap-stage__title")).to_have_text(["Basics months 1–3", "Intermediate"])
    milestone = page.locator(".milestone")
    expect(milestone.get_by_role("heading", level=3)).to_have_text("Build a command-line to-do app")
    expect(milestone.locator("strong")).to_have_text("Git")  # the description's Markdown is rendered
    expect(page.locator(".roadmap-node--optional")).to_contain_text("The Django ORM")

    page.locator(".roadmap-node__link").filter(has_text="Git").click()

    # Opened from the track: the topic is walked in it, with the track's previous and next step.
    expect(page).to_have_url(live_server.url + "/topics/git/?track=python-django")
    expect(page.get_by_role("heading", level=1)).to_have_text("Git")
    expect(page.get_by_role("navigation", name="Steps of Python & Django")).to_be_visible()
    resources = page.locator("#resource-results .resource-card__title")
    expect(resources).to_have_text(["Git reference manual", "Pro Git"])  # the curator's order
    tracks = page.get_by_role("complementary").get_by_role("link")
    expect(page.get_by_role("heading", name="In these tracks")).to_be_visible()
    expect(tracks).to_have_text(["Python & Django", "Backend developer"])

    tracks.first.click()

    expect(page).to_have_url(live_server.url + "/tracks/python-django/#stage-basics")


def test_a_visitor_filters_the_resources_and_the_filter_lands_in_the_address(page, live_server, roadmap):
    page.goto(live_server.url + "/resources/")
    expect(page.locator(".results-count")).to_have_text("4 resources")

    page.get_by_label("Kind").select_option("docs")
    page.get_by_role("button", name="Apply").click()

    expect(page).to_have_url(re.compile(r"/resources/\?kind=docs&"))
    expect(page.locator(".results-count")).to_have_text("2 resources")
    expect(page.locator(".resource-card__title")).to_have_text(["Git reference manual", "Making queries"])


def test_the_stylesheet_loads(page, live_server, roadmap):
    with page.expect_response(lambda response: response.url.endswith("/static/css/site.css")) as stylesheet:
        page.goto(live_server.url + "/")

    assert stylesheet.value.status == 200
    assert "text/css" in stylesheet.value.headers["content-type"]
    assert body_style(page, "backgroundColor") not in TRANSPARENT_OR_WHITE
    assert body_style(page, "display") == "flex"


@pytest.mark.parametrize("name", ["home", "tracks", "track", "topic", "resources", "resource", "tags", "tag"])
def test_nothing_scrolls_sideways_on_a_phone(phone_page, live_server, roadmap, name):
    phone_page.goto(url_of(live_server, roadmap, name))

    scroll_width, inner_width = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert inner_width == PHONE["width"]
    assert scroll_width <= inner_width, f"{name} is {scroll_width}px wide on a {inner_width}px screen"


def test_the_skip_link_comes_first_and_moves_focus_to_main(page, live_server, roadmap):
    page.goto(live_server.url + "/tracks/python-django/")

    page.keyboard.press("Tab")

    skip_link = page.locator(":focus")
    expect(skip_link).to_have_text("Skip to content")
    expect(skip_link).to_have_attribute("href", "#main")
    box = skip_link.bounding_box()
    assert box is not None
    assert box["y"] >= 0, "the focused skip link is on screen"

    page.keyboard.press("Enter")

    expect(page.locator(":focus")).to_have_id("main")
    page.keyboard.press("Tab")  # the next stop is inside the main content, not back in the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_dark_mode_changes_the_colours(page, live_server, roadmap):
    page.emulate_media(color_scheme="light")
    page.goto(live_server.url + "/")
    light_background, light_text = body_style(page, "backgroundColor"), body_style(page, "color")

    page.emulate_media(color_scheme="dark")
    dark_background, dark_text = body_style(page, "backgroundColor"), body_style(page, "color")

    assert light_background not in TRANSPARENT_OR_WHITE
    assert dark_background not in TRANSPARENT_OR_WHITE
    assert dark_background != light_background
    assert dark_text != light_text


@pytest.mark.parametrize("name", [*PAGES, "missing"])
def test_every_page_has_one_h1_and_the_landmarks(page, live_server, roadmap, name):
    url = live_server.url + "/no-such-page/" if name == "missing" else url_of(live_server, roadmap, name)

    response = page.goto(url)

    assert response.status == (404 if name == "missing" else 200)
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(1)
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("name", list(PAGES))
def test_no_console_errors(page, live_server, roadmap, console_errors, name):
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(url_of(live_server, roadmap, name))

    assert console_errors == []
