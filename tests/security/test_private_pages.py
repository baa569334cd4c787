"""`Cache-Control: private` on every response made for one learner, so no shared cache (a CDN, a company
proxy) ever hands one learner's page to another; visitors' pages stay shareable."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import (
    BookmarkFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TopicProgressFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    track = TrackFactory(slug="backend")
    topic = TopicFactory(slug="git")
    StepFactory(stage=StageFactory(track=track), topic=topic)
    resource = ResourceFactory(topics=[topic])
    return {"track": track, "topic": topic, "resource": resource}


@pytest.fixture
def learner_browser(site):
    learner = UserFactory(username="ada", profile_is_public=True)
    TopicProgressFactory(user=learner, topic=site["topic"], status="done")
    BookmarkFactory(user=learner, resource=site["resource"], note="mine")
    browser = Client()
    browser.force_login(learner)
    return browser


def learner_pages(site):
    """Every page a learner sees differently from anyone else: theirs (/me/…, /accounts/…), and the public
    pages that show their state."""
    return [
        reverse("learning:dashboard"),
        reverse("learning:bookmarks"),
        reverse("accounts:profile_settings"),
        reverse("accounts:export_data"),
        reverse("accounts:delete_account"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("socialaccount_connections"),
        "/",
        "/tracks/",
        f"/tracks/{site['track'].slug}/",
        f"/tracks/{site['track'].slug}/export.md",
        f"/topics/{site['topic'].slug}/?track={site['track'].slug}",
        "/resources/",
        f"/resources/{site['resource'].pk}/",
        "/search/?q=git",
        "/u/ada/",
    ]


def test_every_learner_page_is_private(learner_browser, site):
    for url in learner_pages(site):
        for attempt in ("rendered", "from the page cache"):
            response = learner_browser.get(url)
            assert response.status_code in (200, 302), (url, response.status_code)
            assert "private" in response.get("Cache-Control", ""), (
                url,
                attempt,
                response.get("Cache-Control"),
            )
            assert "public" not in response.get("Cache-Control", ""), url


def test_a_response_that_sets_a_cookie_is_private(learner_browser):
    response = learner_browser.post(reverse("account_logout"))  # ends the session, sets a message
    assert response.status_code == 302
    assert response.cookies
    assert "private" in response["Cache-Control"]


def test_visitors_pages_stay_shareable(client, site):
    for url in [
        "/",
        "/tracks/",
        f"/tracks/{site['track'].slug}/",
        f"/topics/{site['topic'].slug}/",
        "/resources/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "private" not in response.get("Cache-Control", ""), (url, response.get("Cache-Control"))


def test_a_view_that_says_public_is_left_public(learner_browser, site):
    learner_browser.post(reverse("learning:track_follow", args=[site["track"].slug]))
    card = learner_browser.get(f"/u/ada/{site['track'].slug}.svg")
    assert card.status_code == 200
    assert card["Cache-Control"] == "public, max-age=300"  # the same card for everyone
