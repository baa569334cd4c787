"""Learners' projects in a real Chromium, with JavaScript and without (issue 17): a learner builds a milestone
and submits their project → another learner finds it under "Learner projects", marks it helpful and leaves
feedback → the author sees the feedback on their dashboard → a curator features it in the admin and it moves
to the top.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from learning.models import ChecklistItem, ProjectSubmission
from tests.factories import (
    MilestoneFactory,
    ProjectSubmissionFactory,
    StaffFactory,
    StageFactory,
    TrackFactory,
    UserFactory,
)

REPOSITORY = "https://github.com/ada-builds/bookshelf"
FEEDBACK = "Clear README & <b>solid</b> tests: try adding pagination next."


@pytest.fixture
def milestone(live_server):
    track = TrackFactory(title="Python & Django", slug="python-django")
    milestone = MilestoneFactory(
        stage=StageFactory(track=track, title="Basics"), title="Build a bookshelf API"
    )
    for position, text in enumerate(["CRUD endpoints answer", "Errors are JSON", "Tests pass"]):
        ChecklistItem.objects.create(milestone=milestone, position=position, text=text)
    # Another learner's project, newer than the one submitted below: it comes first until a curator decides.
    other = ProjectSubmissionFactory(milestone=milestone, repository_url="https://codeberg.org/someone/shelf")
    ProjectSubmission.objects.filter(pk=other.pk).update(created_at=timezone.now() + timedelta(days=1))
    return milestone


def logged_in_page(new_page, live_server, user, javascript: bool):
    """A page with the user's session cookie, as after logging in."""
    client = Client()
    client.force_login(user)
    page = new_page(java_script_enabled=javascript)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    return page


def cards(page):
    return page.locator("#learner-projects li.project")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_build_submit_find_helpful_feedback_dashboard_and_featured(
    new_page, live_server, milestone, javascript, console_errors
):
    url = live_server.url + milestone.get_absolute_url()
    author = UserFactory(username="ada-builds")
    # 1. The author builds the milestone and submits the project.
    page = logged_in_page(new_page, live_server, author, javascript)
    page.goto(url)
    page.get_by_role("button", name="I built it ✓").click()
    expect(page.get_by_text("You built it.")).to_be_visible()
    page.get_by_role("link", name="Submit your project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit your project")
    page.get_by_label("Repository").fill(REPOSITORY)
    page.get_by_label("Write-up").fill("## How\n\nDjango REST, with **tests**.")
    page.get_by_label("CRUD endpoints answer").check()
    page.get_by_label("Tests pass").check()
    page.get_by_role("button", name="Submit your project").click()
    expect(page.locator("#your-project")).to_contain_text("Your project is submitted.")
    expect(page.locator("#your-project")).to_contain_text("shared with other learners")

    # 2. Another learner finds it under "Learner projects", marks it helpful and leaves feedback.
    reader = logged_in_page(new_page, live_server, UserFactory(username="grace"), javascript)
    reader.goto(url)
    expect(reader.get_by_role("heading", name="Learner projects")).to_be_visible()
    card = cards(reader).filter(has_text="ada-builds")
    expect(card).to_contain_text("Checklist met: 2 of 3")
    expect(card.get_by_role("link", name="Repository")).to_have_attribute("rel", "nofollow ugc noopener")
    expect(cards(reader).nth(1)).to_contain_text("ada-builds")  # the newer project comes first
    card.get_by_role("button", name="Helpful").click()
    card = cards(reader).filter(has_text="ada-builds")
    expect(card).to_contain_text("1 found it helpful")
    expect(card).to_contain_text("Marked as helpful. Thanks!")
    card.locator("summary", has_text="Leave feedback").click()
    card.get_by_label("Your feedback").fill(FEEDBACK)
    card.get_by_role("button", name="Post feedback").click()
    card = cards(reader).filter(has_text="ada-builds")
    expect(card.locator(".feedback__text")).to_have_text(FEEDBACK)  # escaped: shown as typed

    # 3. The author sees it on the dashboard.
    page.goto(live_server.url + "/me/")
    expect(page.get_by_role("heading", name="Feedback on your projects")).to_be_visible()
    expect(page.get_by_text(FEEDBACK)).to_be_visible()

    assert console_errors == []  # the learners' pages; the admin's own (a missing favicon) aren't ours

    # 4. A curator features it in the admin, and it moves to the top.
    curator = StaffFactory(username="cleo")
    curator.user_permissions.set(  # what learning/migrations/0022 gives the Curator group on projects
        Permission.objects.filter(
            codename__in=[
                f"{action}_{model}"
                for model in ("projectsubmission", "projectfeedback", "projectflag")
                for action in ("view", "change")
            ]
        )
    )
    admin = logged_in_page(new_page, live_server, curator, javascript=True)  # the admin's actions need JS
    admin.goto(live_server.url + "/admin/learning/projectsubmission/")
    project = ProjectSubmission.objects.get(user=author)
    admin.locator(f'input[name="_selected_action"][value="{project.pk}"]').check()
    admin.locator('select[name="action"]').select_option("feature")
    admin.get_by_role("button", name="Run").or_(admin.get_by_role("button", name="Go")).click()
    expect(admin.get_by_text("Featured 1 project(s).")).to_be_visible()
    reader.goto(url)
    expect(cards(reader).first).to_contain_text("ada-builds")
    expect(cards(reader).first).to_contain_text("Featured")
    assert [error for error in console_errors if "Failed to load resource" not in error] == []
