"""The strict Content-Security-Policy holds on every kind of page, and the admin and allauth still work
under it: no violation is reported, and their scripts (autocomplete, prepopulated slugs) still run."""

import importlib
import re

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from playwright.sync_api import expect

from tests.factories import CuratorFactory, StageFactory, StepFactory, TopicFactory, TrackFactory

PASSWORD = "correct horse battery staple"


def rerun_the_curator_group_migration():
    """Live-server tests flush the database after each test, and with it the Curator group that data
    migration 0007 made: this runs that migration's function again, on the models as they were then."""
    migration = importlib.import_module("learning.migrations.0007_curator_group")
    state = MigrationLoader(connection).project_state(("learning", "0007_curator_group"))
    migration.create_group(state.apps, schema_editor=None)


@pytest.fixture
def curator(live_server):
    rerun_the_curator_group_migration()
    user = CuratorFactory(username="cleo", email="cleo@example.com")
    track = TrackFactory(title="Python & Django", slug="python-django")
    stage = StageFactory(track=track, title="Basics", slug="basics", position=0)
    for position, title in enumerate(["Git", "HTTP"]):
        StepFactory(stage=stage, topic=TopicFactory(title=title), position=position)
    return user


def violations(errors):
    return [error for error in errors if "Content Security Policy" in error or "Refused to" in error]


def admin_login(page, base):
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill("cleo")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name=re.compile("Catalogue and learners|Site administration"))
    ).to_be_visible()


def test_the_policy_is_strict(page, live_server):
    response = page.goto(live_server.url + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert response.headers["cross-origin-resource-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert response.headers["referrer-policy"] == "same-origin"


def test_the_admin_works_under_the_policy(page, live_server, curator, console_errors):
    base = live_server.url
    admin_login(page, base)
    for path in (
        "/admin/",
        "/admin/learning/health/",
        "/admin/learning/resource/?link=broken",
        "/admin/learning/resourcesuggestion/",
    ):
        assert page.goto(base + path).status == 200, path  # a curator may use each of them
        expect(page.locator("#content")).to_be_visible()

    # Prepopulated slugs and the autocomplete widget are admin JavaScript: they must still run.
    page.goto(base + "/admin/learning/topic/add/")
    page.get_by_label("Title").press_sequentially("Message brokers")
    expect(page.get_by_label("Slug")).to_have_value("message-brokers")

    # The track's page, and from its stage inline (show_change_link) the stage's own page.
    page.goto(base + "/admin/learning/track/")
    page.get_by_role("link", name="Python & Django").click()
    expect(page).to_have_url(re.compile(r"/admin/learning/track/\d+/change/$"))
    page.locator(".inline-group").get_by_role("link", name="Change", exact=True).first.click()
    expect(page).to_have_url(re.compile(r"/admin/learning/stage/\d+/change/$"))
    expect(page.locator("#id_title")).to_have_value("Basics")
    assert violations(console_errors) == []


def test_the_stage_page_moves_and_autocompletes_under_the_policy(page, live_server, curator, console_errors):
    base = live_server.url
    admin_login(page, base)
    page.goto(base + "/admin/learning/stage/")
    page.get_by_role("link", name=re.compile("Basics")).first.click()
    page.locator(".select2-selection").first.click()
    expect(page.locator(".select2-search__field")).to_be_visible()
    page.keyboard.press("Escape")
    assert violations(console_errors) == []


def test_allauth_pages_work_under_the_policy(page, live_server, console_errors):
    base = live_server.url
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        page.goto(base + path)
        expect(page.locator("main h1")).to_be_visible()
    page.goto(base + "/accounts/signup/")
    page.get_by_label("Email").fill("new.learner@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Password \\(again\\)")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign up|Create")).click()
    expect(page).to_have_url(re.compile("/accounts/confirm-email/"))
    assert violations(console_errors) == []
