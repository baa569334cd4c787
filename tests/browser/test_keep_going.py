"""What keeps a learner going, in a real Chromium with JavaScript (htmx) and without: set a weekly goal →
check a topic off → the dashboard's calendar, streak and projected finish move → write a note → three days
later (the clock moved) the topic is due for review → answer it.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from learning.models import TopicNote, TopicReview, TrackGoal
from tests.browser.sessions import log_in
from tests.factories import StageFactory, StepFactory, TopicFactory, TrackFactory, UserFactory

# A Wednesday morning in the learner's zone (UTC, the default).
START = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def track(live_server):
    """Three topics of ten hours each, one stage."""
    track = TrackFactory(title="Python & Django", slug="python-django")
    stage = StageFactory(track=track, title="Basics", slug="basics", position=0)
    for position, (title, slug) in enumerate(
        [("Python basics", "python-basics"), ("Git & GitHub", "git-github"), ("Django", "django")]
    ):
        StepFactory(stage=stage, topic=TopicFactory(title=title, slug=slug, hours=10), position=position)
    return track


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=True) as traveller:
        yield traveller


@pytest.fixture
def learner_page(new_page, live_server, javascript, clock):
    learner = UserFactory()
    page = new_page(java_script_enabled=javascript)
    log_in(page.context, live_server, learner)
    page.learner = learner
    return page


def stat(page, name):
    """The value of a figure of the dashboard's activity ("Current streak" → "1 day")."""
    return page.locator("#activity dt", has_text=name).locator("xpath=following-sibling::dd")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_goal_check_off_calendar_streak_note_and_a_review_that_comes_due(
    learner_page, live_server, track, clock, console_errors, javascript
):
    page, learner = learner_page, learner_page.learner

    # Follow the track, then set a weekly goal on its page: 5 h a week on Mondays, Wednesdays and Fridays.
    page.goto(f"{live_server.url}/tracks/python-django/")
    page.get_by_role("button", name="Follow this track").click()
    page.get_by_text("Set a weekly goal and see when you'll finish").click()
    page.get_by_label("Hours per week").fill("5")
    for day in ("Mon", "Wed", "Fri"):
        page.get_by_role("group", name="Study days").get_by_label(day).check()
    page.get_by_role("button", name="Save goal").click()
    goal = page.locator("#weekly-goal")
    # 30 h at 5 h a week: 42 days from Wednesday 2 December, a Wednesday (a study day).
    expect(goal).to_contain_text("Projected finish: Wed 13 Jan 2027")
    expect(goal).to_contain_text("30 h left at 5 h a week, Mon, Wed, Fri")
    assert TrackGoal.objects.get(user=learner, track=track).hours_per_week == 5

    page.goto(f"{live_server.url}/me/")
    expect(stat(page, "Current streak")).to_have_text("0 days")
    expect(page.locator(".calendar__day[title]")).to_have_count(0)
    card = page.locator(".progress-card", has_text="Python & Django")
    expect(card).to_contain_text("Projected finish: Wed 13 Jan 2027")
    expect(card).to_contain_text("This week: Behind")

    # Check the first topic off from the track, the way a learner goes on.
    page.goto(f"{live_server.url}/topics/python-basics/?track=python-django")
    page.get_by_role("navigation", name="Continue in Python & Django").get_by_role(
        "button", name="Done — next topic"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Git & GitHub")

    # The dashboard: today in the calendar, a streak of one day, the finish two weeks nearer, on track.
    page.goto(f"{live_server.url}/me/")
    expect(stat(page, "Current streak")).to_have_text("1 day")
    expect(stat(page, "Longest streak")).to_have_text("1 day")
    expect(page.locator('.calendar__day[title="2 Dec 2026: 1 action"]')).to_have_count(1)
    expect(page.locator("#activity table").last).to_contain_text("December 2026")
    expect(card).to_contain_text("Projected finish: Wed 30 Dec 2026")
    expect(card).to_contain_text("20 h left")
    expect(card).to_contain_text("This week: On track")
    expect(page.locator("#reviews")).to_contain_text("Your next review comes due on 5 December")

    # A private note on the topic, in Markdown.
    page.goto(f"{live_server.url}/topics/python-basics/")
    page.get_by_text("Write a note").click()
    page.get_by_label("My notes on Python basics").fill("Remember: **list comprehensions** first.")
    page.get_by_role("button", name="Save notes").click()
    notes = page.locator("#my-notes")
    expect(notes.locator("strong")).to_have_text("list comprehensions")
    assert TopicNote.objects.get(user=learner).text == "Remember: **list comprehensions** first."

    # Three days later the topic is due for review; "Still solid" sends it a week further.
    clock.move_to(START + timedelta(days=3))
    page.goto(f"{live_server.url}/me/")
    reviews = page.locator("#reviews")
    expect(reviews.get_by_role("link", name="Python basics")).to_be_visible()
    reviews.get_by_role("button", name=re.compile(r"^Still solid\W+Python basics")).click()
    expect(page).to_have_url(f"{live_server.url}/me/#reviews")
    expect(reviews.get_by_role("status")).to_contain_text("Python basics")
    expect(reviews).to_contain_text("Nothing to review today. Your next review comes due on 12 December")
    review = TopicReview.objects.get(user=learner)
    assert (review.box, review.due.isoformat()) == (2, "2026-12-12")
    # The answer is a day of its own in the calendar; Thursday and Friday had none, so the streak starts over.
    expect(stat(page, "Current streak")).to_have_text("1 day")
    expect(page.locator('.calendar__day[title="5 Dec 2026: 1 action"]')).to_have_count(1)
    assert console_errors == []
