"""Per-learner limits on ratings, reviews, notes, weekly goals, reports and suggestions: the designed 429, nothing stored,
and one learner's use never limits another."""

import pytest
from django.test import Client
from django.urls import reverse

from learning.models import (
    Bookmark,
    MilestoneCompletion,
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
    Rating,
    ResourceSuggestion,
    ReviewFlag,
    TrackGoal,
)
from tests.factories import (
    BookmarkFactory,
    MilestoneFactory,
    ProjectSubmissionFactory,
    RatingFactory,
    ResourceFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LEARNER_RATE_LIMITS = {
        "rating": "3/h",
        "note": "3/h",
        "goal": "3/h",
        "report": "3/h",
        "suggestion": "3/h",
        "project": "3/h",
        "feedback": "3/h",
        "helpful": "3/h",
    }


def assert_limited(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "That&#x27;s a lot in a short time" in html or "That's a lot in a short time" in html
    assert "Nothing was saved this time." in html


def test_ratings_are_limited_per_learner(mallory_client, mallory):
    resources = [ResourceFactory() for _ in range(4)]
    for resource in resources[:3]:
        assert (
            mallory_client.post(reverse("learning:rate", args=[resource.pk]), {"stars": 5}).status_code == 302
        )
    assert_limited(mallory_client.post(reverse("learning:rate", args=[resources[3].pk]), {"stars": 5}))
    assert Rating.objects.filter(user=mallory).count() == 3

    other = Client()
    other.force_login(UserFactory())
    assert other.post(reverse("learning:rate", args=[resources[3].pk]), {"stars": 4}).status_code == 302


def test_bookmark_notes_are_limited(mallory_client, mallory, resource):
    bookmark = BookmarkFactory(user=mallory, resource=resource)
    url = reverse("learning:bookmark_note", args=[bookmark.pk])
    for n in range(3):
        assert mallory_client.post(url, {"note": f"note {n}"}).status_code == 302
    assert_limited(mallory_client.post(url, {"note": "spam"}))
    assert Bookmark.objects.get(pk=bookmark.pk).note == "note 2"


def test_weekly_goals_are_limited(mallory_client, mallory):
    url = reverse("learning:track_goal", args=[TrackFactory().slug])
    for hours in range(1, 4):
        assert mallory_client.post(url, {"hours_per_week": hours}).status_code == 302
    assert_limited(mallory_client.post(url, {"hours_per_week": 40}))
    assert TrackGoal.objects.get(user=mallory).hours_per_week == 3


def test_reports_are_limited(mallory_client, resource):
    reviews = [RatingFactory(resource=resource, review=f"review {n}") for n in range(4)]
    for rating in reviews[:3]:
        response = mallory_client.post(reverse("learning:flag_review", args=[rating.pk]), {"reason": "spam"})
        assert response.status_code == 302
    assert_limited(
        mallory_client.post(reverse("learning:flag_review", args=[reviews[3].pk]), {"reason": "spam"})
    )
    assert ReviewFlag.objects.count() == 3


def test_suggestions_are_limited_in_bursts(mallory_client, topic):
    url = reverse("learning:suggest_resource", args=[topic.slug])
    for n in range(3):
        data = {
            "url": f"https://example.org/{n}",
            "title": f"Guide {n}",
            "kind": "article",
            "reason": "Clear.",
        }
        assert mallory_client.post(url, data).status_code == 302
    data = {"url": "https://example.org/x", "title": "Guide x", "kind": "article", "reason": "Clear."}
    assert_limited(mallory_client.post(url, data))
    assert ResourceSuggestion.objects.count() == 3


def test_project_submissions_are_limited(mallory_client, mallory):
    milestones = [MilestoneFactory() for _ in range(4)]
    for milestone in milestones:
        MilestoneCompletion.objects.create(user=mallory, milestone=milestone)
    data = {"repository_url": "https://github.com/mallory/x", "visibility": "shared"}
    for milestone in milestones[:3]:
        url = reverse("learning:project_form", args=[milestone.pk])
        assert mallory_client.post(url, data).status_code == 302
    assert_limited(mallory_client.post(reverse("learning:project_form", args=[milestones[3].pk]), data))
    assert ProjectSubmission.objects.filter(user=mallory).count() == 3


@pytest.mark.parametrize(
    ("name", "data", "model"),
    [
        ("project_feedback", {"text": "spam"}, ProjectFeedback),
        ("project_helpful", {"helpful": "1"}, ProjectVote),
        ("project_report", {"reason": "spam"}, ProjectFlag),
    ],
)
def test_feedback_helpful_marks_and_project_reports_are_limited(mallory_client, mallory, name, data, model):
    projects = [ProjectSubmissionFactory() for _ in range(4)]
    for project in projects[:3]:
        assert mallory_client.post(reverse(f"learning:{name}", args=[project.pk]), data).status_code == 302
    assert_limited(mallory_client.post(reverse(f"learning:{name}", args=[projects[3].pk]), data))
    assert model.objects.filter(user=mallory).count() == 3
    # One learner's use never limits another.
    other = Client()
    other.force_login(UserFactory())
    assert other.post(reverse(f"learning:{name}", args=[projects[3].pk]), data).status_code == 302


def test_allauth_limits_answer_with_the_same_designed_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "1/m/ip"}
    url = reverse("account_reset_password")
    client.post(url, {"email": "someone@example.com"})
    response = client.post(url, {"email": "someone@example.com"})
    assert_limited(response)
