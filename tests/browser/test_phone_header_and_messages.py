"""On a phone the header is one row (logo, search, a menu that opens without JavaScript), on a desktop the
links are inline; and a confirmation shows where the action returned the learner, in the viewport."""

import pytest
from playwright.sync_api import expect

from learning.models import Resource
from tests.browser.sessions import log_in
from tests.factories import ResourceFactory, TopicFactory, UserFactory

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
ONE_ROW = 72  # px: a 44 px control and the header's padding; a second row would pass 100


@pytest.fixture
def open_page(browser, live_server, console_errors):
    """Opens a page at a viewport, as a visitor or logged in as `learner`, with or without JavaScript."""
    contexts = []

    def open_(path, *, viewport, learner=None, javascript=True):
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        contexts.append(context)
        if learner is not None:
            log_in(context, live_server, learner)
        page = context.new_page()
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def resource(live_server):
    topic = TopicFactory(title="Git & GitHub", slug="git-github")
    return ResourceFactory(
        title="Pro Git",
        url="https://git-scm.com/book/en/v2",
        kind=Resource.Kind.BOOK,
        description="The whole book, free. " * 12,
        topics=[topic],
    )


def header_height(page):
    return page.locator(".site-header").bounding_box()["height"]


def menu(page):
    return page.locator("details.site-menu")


def in_viewport(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0


# ---------- The header ----------


@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_the_phone_header_is_one_row_and_its_menu_works_without_javascript(open_page, live_server, who):
    learner = UserFactory() if who == "learner" else None
    page = open_page("/tracks/", viewport=PHONE, learner=learner, javascript=False)

    assert header_height(page) <= ONE_ROW
    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav).to_be_hidden()  # folded into the menu
    expect(page.get_by_role("banner").get_by_role("link", name="Search")).to_have_attribute(
        "href", "/search/"
    )

    menu(page).locator("summary").click()
    expect(menu(page)).to_have_attribute("open", "")
    expect(main_nav.get_by_role("link", name="Tracks")).to_have_attribute("aria-current", "page")
    assert header_height(page) <= ONE_ROW  # the menu opens over the page, the header stays one row
    account = page.get_by_role("navigation", name="Account")
    if learner:
        expect(account.get_by_role("button", name="Log out")).to_be_visible()
        account.get_by_role("link", name="Bookmarks").click()
        expect(page).to_have_url(live_server.url + "/me/bookmarks/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Bookmarks")
    else:
        expect(account.get_by_role("link", name="Sign up")).to_be_visible()
        main_nav.get_by_role("link", name="Resources").click()
        expect(page).to_have_url(live_server.url + "/resources/")
    expect(menu(page)).not_to_have_attribute("open", "")  # a new page: the menu is closed again
    assert header_height(page) <= ONE_ROW


def test_the_phone_menu_opens_and_closes_from_the_keyboard(open_page):
    page = open_page("/", viewport=PHONE)
    summary = menu(page).locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tracks")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


@pytest.mark.parametrize("who", ["visitor", "learner"])
def test_on_a_desktop_the_links_and_the_search_field_are_inline(open_page, who):
    learner = UserFactory() if who == "learner" else None
    page = open_page("/tracks/", viewport=WIDE, learner=learner)

    assert header_height(page) <= ONE_ROW
    expect(menu(page)).to_be_hidden()
    for name in ("Tracks", "Resources", "Tags"):
        expect(page.get_by_role("navigation", name="Main").get_by_role("link", name=name)).to_be_visible()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="My progress" if learner else "Log in")).to_be_visible()
    expect(page.get_by_role("search", name="Site").get_by_role("searchbox")).to_be_visible()


# ---------- Messages where the eye is ----------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_after_rating_on_a_phone_the_thanks_is_in_the_viewport(open_page, live_server, resource, javascript):
    page = open_page(
        resource.get_absolute_url(), viewport=PHONE, learner=UserFactory(), javascript=javascript
    )
    rate = page.locator("#rate")
    rate.get_by_label("4 stars", exact=True).check()
    rate.get_by_label("Review", exact=True).fill("Chapters 2 and 3 are all you need to start.")
    rate.get_by_role("button", name="Save rating").click()

    expect(page).to_have_url(f"{live_server.url}{resource.get_absolute_url()}#rate")
    thanks = rate.get_by_role("status")
    expect(thanks).to_have_text("Thanks: your rating is saved.")
    assert page.evaluate("window.scrollY") > 600  # the page jumped down to #rate: the top is out of view
    assert in_viewport(page, thanks), thanks.bounding_box()
