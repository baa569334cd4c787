"""The reminder settings in a real Chromium, with and without JavaScript: from the dashboard to the digest
setting, turn it on for Fridays; turn the calendar feed on, fetch it, reset its link; then unsubscribe from
the digest through its link without being logged in."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from icalendar import Calendar
from playwright.sync_api import expect

from accounts import reminders
from learning.progress import services
from tests.factories import StageFactory, StepFactory, TopicFactory, TrackFactory, UserFactory


@pytest.fixture
def learner_page(new_page, live_server, javascript):
    learner = UserFactory()
    track = TrackFactory(title="Go & Gin", slug="go-gin")
    StepFactory(stage=StageFactory(track=track), topic=TopicFactory(hours=4))
    services.set_track_goal(user=learner, track=track, hours_per_week=4, study_days=0b0000101)
    client = Client()
    client.force_login(learner)
    page = new_page(java_script_enabled=javascript)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.learner = learner
    return page


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_digest_and_calendar_settings_then_unsubscribe_without_logging_in(
    learner_page, live_server, new_page, console_errors, javascript
):
    page, learner = learner_page, learner_page.learner
    page.goto(f"{live_server.url}/me/")
    page.get_by_role("link", name="digest settings").click()

    digest = page.locator("#digest")
    digest.get_by_label("Send me a weekly digest by email").check()
    digest.get_by_label("Day of the week").select_option(label="Friday")
    digest.get_by_role("button", name="Save digest").click()
    expect(page.locator("#digest")).to_contain_text("Saved. Your weekly digest comes on Fridays, UTC time.")
    assert (fresh(learner).digest_is_on, fresh(learner).digest_weekday) == (True, 4)

    page.locator("#calendar").get_by_role("button", name="Turn on the calendar feed").click()
    expect(page.locator("#calendar")).to_contain_text("Your calendar feed is on.")
    first = fresh(learner).calendar_token
    feed = page.request.get(f"{live_server.url}/calendar/{first}.ics")
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Study: Go & Gin"
    assert event["RRULE"]["BYDAY"] == ["MO", "WE"]

    page.locator("#calendar").get_by_role("button", name="Reset the link").click()
    expect(page.locator("#calendar")).to_contain_text("the old one no longer works")
    second = fresh(learner).calendar_token
    assert second != first
    expect(page.locator(".calendar-feed__url")).to_have_text(f"{live_server.url}/calendar/{second}.ics")
    assert page.request.get(f"{live_server.url}/calendar/{first}.ics").status == 404

    # The digest's link, opened in a browser that isn't logged in: a page that asks, then a button.
    visitor = new_page(java_script_enabled=javascript)
    token = reminders.unsubscribe_token(learner)
    visitor.goto(f"{live_server.url}/digest/unsubscribe/{token}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Unsubscribe from the weekly digest")
    assert fresh(learner).digest_is_on is True
    visitor.get_by_role("button", name="Unsubscribe").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    assert fresh(learner).digest_is_on is False
    assert console_errors == []
