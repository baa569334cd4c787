"""Finding things in a real Chromium: the header search box, and filters that refresh results in place."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import RatingFactory, ResourceFactory, TopicFactory


@pytest.fixture
def catalogue(live_server):
    caching = TopicFactory(
        title="Caching", slug="caching", summary="Keep answers close.", tags=["performance"]
    )
    TopicFactory(
        title="Redis", slug="redis", summary="An in-memory store used for caching.", tags=["performance"]
    )
    docs = ResourceFactory(title="HTTP caching", kind="docs", topics=[caching])
    video = ResourceFactory(title="Caching in ten minutes", kind="video", topics=[caching])
    ResourceFactory(title="What is a cache?", kind="article", topics=[caching])
    for stars in (5, 5, 4):
        RatingFactory(resource=video, stars=stars)
    RatingFactory(resource=docs, stars=2)
    return live_server.url


def test_the_header_search_finds_and_marks_the_words(page, catalogue, console_errors):
    page.goto(catalogue + "/resources/")
    page.get_by_role("searchbox", name="Search tracks, topics and resources").fill("caching")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=caching$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “caching”")
    topics = page.locator(".search-group").filter(has=page.get_by_role("heading", name=re.compile("^Topics")))
    expect(topics.locator(".hit__title")).to_have_text(["Caching", "Redis"])
    expect(topics.locator("mark").first).to_have_text("Caching")
    page.get_by_role("navigation", name="Result types").get_by_role(
        "link", name=re.compile("^Resources")
    ).click()
    expect(page).to_have_url(re.compile(r"type=resource"))
    expect(page.locator(".hit__title").first).to_have_text("Caching in ten minutes")
    expect(page.locator(".search-group")).to_have_count(1)
    assert console_errors == []


def test_topic_filters_refresh_the_results_and_the_address_with_javascript(page, catalogue, console_errors):
    page.goto(catalogue + "/topics/caching/")
    cards = page.locator("#resource-results .resource-card__title")
    # Curated order (docs, video, article) blended with ratings: the video's 5, 5, 4 lift it above the docs'
    # single 2; the unrated article keeps its curated third place.
    expect(cards).to_have_text(["Caching in ten minutes", "HTTP caching", "What is a cache?"])
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Rating").select_option("4")
    expect(cards).to_have_text(["Caching in ten minutes"])
    expect(page).to_have_url(re.compile(r"min_rating=4"))
    page.get_by_label("Rating").select_option("")
    page.get_by_label("Sort by").select_option("title")
    expect(cards).to_have_text(["Caching in ten minutes", "HTTP caching", "What is a cache?"])
    page.reload()
    expect(cards).to_have_text(["Caching in ten minutes", "HTTP caching", "What is a cache?"])
    assert console_errors == []


def test_topic_filters_work_without_javascript(new_page, catalogue):
    page = new_page(java_script_enabled=False)
    page.goto(catalogue + "/topics/caching/")
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Kind").select_option("docs")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"kind=docs"))
    expect(page.locator("#resource-results .resource-card__title")).to_have_text(["HTTP caching"])
