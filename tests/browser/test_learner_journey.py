"""A new learner's first session in a real Chromium, with JavaScript (htmx) and without.

Sign up → follow the link in the verification mail → log in → open a track → mark a topic done → see the
progress change on both tracks that share the topic → bookmark a resource → rate it with a review → see
all of it on the dashboard → log out.
"""

import re

import pytest
from django.contrib.auth import get_user_model
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

EMAIL = "ada@example.com"
PASSWORD = "an unguessable passphrase for tests"
REVIEW = "Chapters 2 and 3 are all you need to start; the rest is a reference for later."
CONFIRMATION_LINK = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


@pytest.fixture
def two_tracks(live_server):
    """Python & Django (3 steps and a milestone) and Node.js & Express (3 steps) share “Git & GitHub”."""
    python = TrackFactory(title="Python & Django", slug="python-django", position=1)
    node = TrackFactory(title="Node.js & Express", slug="node-express", position=2)
    python_basics = StageFactory(track=python, title="Basics", slug="basics", position=1)
    python_web = StageFactory(track=python, title="The web", slug="web", position=2)
    node_foundations = StageFactory(track=node, title="Foundations", slug="foundations", position=1)

    git = TopicFactory(title="Git & GitHub", slug="git-github")
    python_topic = TopicFactory(title="Python basics", slug="python-basics")
    StepFactory(stage=python_basics, topic=python_topic, position=1)
    StepFactory(stage=python_basics, topic=git, position=2)
    StepFactory(stage=python_web, topic=TopicFactory(title="Django", slug="django"), position=1)
    StepFactory(stage=node_foundations, topic=TopicFactory(title="JavaScript", slug="javascript"), position=1)
    StepFactory(stage=node_foundations, topic=git, position=2)
    StepFactory(stage=node_foundations, topic=TopicFactory(title="Express", slug="express"), position=3)
    MilestoneFactory(stage=python_basics, title="Build a command-line to-do app").topics.set(
        [python_topic, git]
    )

    pro_git = ResourceFactory(
        title="Pro Git", url="https://git-scm.com/book/en/v2", kind=Resource.Kind.BOOK, topics=[git]
    )
    ResourceFactory(
        title="Git reference manual", url="https://git-scm.com/docs", kind=Resource.Kind.DOCS, topics=[git]
    )
    return {"python": python, "node": node, "git": git, "pro_git": pro_git}


# ---------- Steps of the journey ----------


def account_nav(page):
    return page.get_by_role("navigation", name="Account")


def wait_for_page(page, url):
    """After a click that navigates: the new address, and the page loaded (htmx set up, if enabled)."""
    expect(page).to_have_url(url)
    page.wait_for_load_state()


def sign_up(page, live_server):
    page.goto(live_server.url + "/")
    account_nav(page).get_by_role("link", name="Sign up").click()
    wait_for_page(page, live_server.url + "/accounts/signup/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")


def confirm_email(page, live_server, mailoutbox):
    """Opens the link of the one mail sent, as the learner would from their inbox, and confirms."""
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [EMAIL]
    assert message.subject.startswith("[Roadmap] ")
    link = CONFIRMATION_LINK.search(message.body).group()
    assert link.startswith(live_server.url + "/accounts/confirm-email/")

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    expect(page.get_by_role("main")).to_contain_text(f"Please confirm that {EMAIL} is your email address.")
    page.get_by_role("button", name="Confirm").click()
    wait_for_page(page, re.compile(r"/accounts/login/"))
    expect(page.get_by_role("status")).to_contain_text(f"You have confirmed {EMAIL}.")


def log_in(page, live_server):
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    wait_for_page(page, live_server.url + "/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My progress")
    expect(account_nav(page).get_by_role("link", name="My progress")).to_have_attribute(
        "aria-current", "page"
    )


def open_track_from_the_dashboard(page, live_server, title, slug):
    expect(page.get_by_text("You don't follow a track yet.")).to_be_visible()
    page.get_by_role("link", name="Choose a track").click()
    wait_for_page(page, live_server.url + "/tracks/")
    page.get_by_role("article").filter(has_text=title).get_by_role("link", name=title).click()
    wait_for_page(page, f"{live_server.url}/tracks/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def status_buttons(page, topic_title):
    """The topic page's status: four buttons, the pressed one is the status."""
    return page.get_by_role("group", name=f"Your status for {topic_title}")


def node_status(page, topic_title):
    """A track page's status of a node: one select."""
    return page.get_by_role("combobox", name=f"Your status for {topic_title}")


def map_node(page, topic_title):
    return page.get_by_role("navigation", name="Map of the track").get_by_role(
        "link", name=re.compile(rf"^{re.escape(topic_title)} \(")
    )


def track_progress(page):
    return page.get_by_role("region", name="Your progress")


def expect_track_progress(page, percent, done, total, summary, next_step):
    """`summary` is said the one way the site says progress: topics and milestones apart."""
    progress = track_progress(page)
    expect(progress).to_contain_text(f"{percent}% {summary}")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", str(done))
    expect(progress.get_by_role("progressbar")).to_have_attribute("max", str(total))
    expect(progress).to_contain_text(f"Next step: {next_step}")


def expect_topic_status(page, topic_title, pressed):
    control = status_buttons(page, topic_title)
    for label in ("Not started", "Learning", "Done", "Skipped"):
        expect(control.get_by_role("button", name=label, exact=True)).to_have_attribute(
            "aria-pressed", "true" if label == pressed else "false"
        )


def expect_node_status(page, topic_title, status):
    """The node's select shows the status, and the map says it in words."""
    expect(node_status(page, topic_title)).to_have_value(status)
    expect(map_node(page, topic_title)).to_have_accessible_name(re.compile(rf" \({status.lower()}[,)]"))


def leave_a_marker(page):
    """Remembers, in this document's window, the progress section as it is now."""
    page.evaluate("window.journeyMarker = document.getElementById('track-progress')")


def expect_same_document_with_new_progress(page):
    """The window still holds the marker (no reload), and the old progress section left the page."""
    assert page.evaluate("window.journeyMarker !== undefined"), "the page reloaded"
    assert not page.evaluate("window.journeyMarker.isConnected"), "#track-progress was not swapped"


def mark_done_on_the_track(page, live_server, javascript, slug, topic, progress_after):
    """Picks Done in the topic's node and saves; `progress_after` is (percent, done, total, summary, next
    step). Save shows only once the select differs from the saved status."""
    expect_node_status(page, topic.title, "Not started")
    node = page.locator(f"#node-{topic.slug}")
    save = node.get_by_role("button", name="Save")
    expect(save).to_be_hidden()
    if javascript:
        leave_a_marker(page)
    node_status(page, topic.title).select_option("Done")
    expect(save).to_be_visible()
    save.click()
    expect_node_status(page, topic.title, "Done")
    expect_track_progress(page, *progress_after)
    expect(page.locator(f"#node-{topic.slug}")).to_have_class(re.compile(r"\broadmap-node--done\b"))
    expect(page.locator(f"#node-{topic.slug}").get_by_role("button", name="Save")).to_be_hidden()
    # The confirmation is said in the node: with htmx it comes inside the swapped list.
    expect(page.locator(f"#node-{topic.slug}").get_by_role("status")).to_have_text(
        f"“{topic.title}” is done."
    )
    if javascript:  # htmx swapped the list, the map and #track-progress into the same document
        expect_same_document_with_new_progress(page)
        expect(page).to_have_url(f"{live_server.url}/tracks/{slug}/")
    else:  # a plain POST, redirected back to the node
        wait_for_page(page, f"{live_server.url}/tracks/{slug}/#node-{topic.slug}")


def open_topic_from_the_track(page, live_server, topic_slug, track_slug):
    """The node's link opens the topic in that track (?track=): its breadcrumb and neighbours are the track's."""
    page.locator(f"#node-{topic_slug}").get_by_role("link").click()
    wait_for_page(page, f"{live_server.url}/topics/{topic_slug}/?track={track_slug}")


def open_track_from_the_topic(page, live_server, title, slug, stage_slug):
    page.get_by_role("complementary", name="In these tracks").get_by_role("link", name=title).click()
    wait_for_page(page, f"{live_server.url}/tracks/{slug}/#stage-{stage_slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def resource_card(page, title):
    return page.get_by_role("article").filter(has=page.get_by_role("heading", name=title, exact=True))


def bookmark_on_the_topic_page(page, javascript, resource):
    card = resource_card(page, resource.title)
    if javascript:
        leave_a_marker(page)
    card.get_by_role("button", name="☆ Bookmark").click()
    bookmarked = card.get_by_role("button", name="★ Bookmarked")
    expect(bookmarked).to_have_attribute("aria-pressed", "true")
    if javascript:
        assert page.evaluate("window.journeyMarker !== undefined"), "the page reloaded"
    else:
        wait_for_page(page, re.compile(rf"/topics/[\w-]+/(\?track=[\w-]+)?#bookmark-{resource.pk}$"))


def rate(page, live_server, resource, stars_label, review):
    resource_card(page, resource.title).get_by_role("link", name=resource.title, exact=True).click()
    wait_for_page(page, f"{live_server.url}/resources/{resource.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(resource.title)
    expect(page.get_by_role("button", name="★ Bookmarked")).to_have_attribute("aria-pressed", "true")
    ratings = page.get_by_role("complementary", name="Ratings")
    expect(ratings).to_contain_text("Not rated yet.")
    expect(ratings.get_by_role("heading", name="Rate this resource")).to_be_visible()

    ratings.get_by_label(stars_label, exact=True).check()
    ratings.get_by_label("Review", exact=True).fill(review)
    ratings.get_by_role("button", name="Save rating").click()

    # The form posts to …/rating/#rate; the browser keeps the fragment through the redirect back.
    wait_for_page(page, f"{live_server.url}/resources/{resource.pk}/#rate")
    expect(page.get_by_role("status")).to_have_text("Thanks: your rating is saved.")


def expect_stat(page, term, value):
    stat = page.locator(".stats > div").filter(has=page.get_by_role("term").filter(has_text=term))
    expect(stat.get_by_role("definition")).to_have_text(value)


def expect_my_rating_and_review(page, handle):
    ratings = page.get_by_role("complementary", name="Ratings")
    expect(ratings).to_contain_text("5.0")
    expect(ratings).to_contain_text("1 rating")
    expect(ratings.get_by_role("heading", name="Your rating")).to_be_visible()
    expect(ratings.get_by_role("button", name="Update my rating")).to_be_visible()
    reviews = page.get_by_role("region", name="Reviews").get_by_role("article")
    expect(reviews).to_have_count(1)
    expect(reviews).to_contain_text(REVIEW)
    expect(reviews).to_contain_text(handle)  # a neutral handle, never the address
    expect(page.get_by_role("main")).not_to_contain_text(EMAIL)


def see_it_all_on_the_dashboard(page, live_server):
    """The followed track with its progress, the other track counting the shared topic, the counts."""
    account_nav(page).get_by_role("link", name="My progress").click()
    wait_for_page(page, live_server.url + "/me/")
    expect_stat(page, "Tracks followed", "1")
    expect_stat(page, "Topics done", "1")
    expect_stat(page, "Bookmarks", "1")
    expect_stat(page, "Ratings", "1")
    your_tracks = page.get_by_role("region", name="Your tracks")
    python_card = your_tracks.get_by_role("article").filter(has_text="Python & Django")
    expect(your_tracks.get_by_role("article")).to_have_count(1)
    expect(
        python_card.get_by_role("progressbar", name="Python & Django: 1 of 3 topics · 0 of 1 milestone")
    ).to_have_attribute("value", "1")
    expect(python_card).to_contain_text("25% 1 of 3 topics · 0 of 1 milestone")
    expect(python_card).to_contain_text("Next: Python basics")
    # Tracks that only share a done topic are one collapsed line under the followed ones.
    others = your_tracks.get_by_text("1 other track you don't follow shares topics you've done")
    others.click()
    expect(your_tracks.get_by_role("listitem").filter(has_text="Node.js & Express")).to_contain_text(
        "33% · 1 of 3 topics"
    )
    recently_done = page.get_by_role("complementary", name="Recently done").get_by_role("listitem")
    expect(recently_done).to_have_count(1)
    expect(recently_done).to_contain_text("Git & GitHub")

    account_nav(page).get_by_role("link", name="Bookmarks").click()
    wait_for_page(page, live_server.url + "/me/bookmarks/")
    expect(page.get_by_role("main").get_by_role("link", name="Pro Git", exact=True)).to_be_visible()


def log_out(page, live_server):
    account_nav(page).get_by_role("button", name="Log out").click()
    wait_for_page(page, live_server.url + "/")
    expect(account_nav(page).get_by_role("link", name="Log in")).to_be_visible()


# ---------- The journey ----------


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_new_learner_signs_up_checks_off_a_shared_topic_bookmarks_rates_and_sees_it_all(
    new_page, live_server, two_tracks, mailoutbox, console_errors, javascript
):
    pro_git = two_tracks["pro_git"]
    page = new_page(java_script_enabled=javascript)

    sign_up(page, live_server)
    confirm_email(page, live_server, mailoutbox)
    log_in(page, live_server)
    handle = get_user_model().objects.get(email=EMAIL).username
    assert handle.startswith("learner-")

    open_track_from_the_dashboard(page, live_server, "Python & Django", "python-django")
    expect_track_progress(page, 0, 0, 4, "0 of 3 topics · 0 of 1 milestone", "Python basics")
    after = (25, 1, 4, "1 of 3 topics · 0 of 1 milestone", "Python basics")
    mark_done_on_the_track(page, live_server, javascript, "python-django", two_tracks["git"], after)
    expect(track_progress(page).get_by_role("button", name="✓ Following")).to_be_visible()

    open_topic_from_the_track(page, live_server, "git-github", "python-django")
    expect(page.locator("#topic-status")).to_contain_text("Your status: done ✓")
    expect_topic_status(page, "Git & GitHub", "Done")
    open_track_from_the_topic(page, live_server, "Node.js & Express", "node-express", "foundations")
    # The same topic counts in the second track, which has no milestone.
    expect_track_progress(page, 33, 1, 3, "1 of 3 topics", "JavaScript")
    expect_node_status(page, "Git & GitHub", "Done")

    open_topic_from_the_track(page, live_server, "git-github", "node-express")
    bookmark_on_the_topic_page(page, javascript, pro_git)
    rate(page, live_server, pro_git, "5 stars", REVIEW)
    expect_my_rating_and_review(page, handle)
    see_it_all_on_the_dashboard(page, live_server)
    log_out(page, live_server)
    assert console_errors == []
