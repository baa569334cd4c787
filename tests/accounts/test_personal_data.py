"""/me/export/ downloads everything a learner owns; /me/delete/ deletes it after re-authentication."""

import json
from datetime import date, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts import personal_data, reminders
from learning.community import services as community
from learning.models import (
    Bookmark,
    ChecklistItem,
    DigestSent,
    ProjectFeedback,
    ProjectFlag,
    ProjectSubmission,
    ProjectVote,
    Rating,
    ReadyCheck,
    ReadyCheckTick,
    TopicNote,
    TopicProgress,
    TopicReview,
    TrackGoal,
)
from learning.progress import services as progress
from tests.accounts.conftest import PASSWORD
from tests.factories import (
    BookmarkFactory,
    ProjectFeedbackFactory,
    ProjectSubmissionFactory,
    ProjectVoteFactory,
    RatingFactory,
    ResourceFactory,
    TopicFactory,
    TopicNoteFactory,
    TopicProgressFactory,
    TrackFactory,
    UserFactory,
)
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db
EXPORT = reverse("accounts:export_data")
DELETE = reverse("accounts:delete_account")


def own_data(user, track):
    topic = track.steps.first().topic
    progress.follow_track(user=user, track=track)
    progress.set_topic_status(user=user, topic=topic, status="done")
    resource = topic.resources.first()
    progress.add_bookmark(user=user, resource=resource, note="Chapter 3 is the good part")
    progress.save_topic_note(user=user, topic=topic, text="Remember: `git add -p`")
    progress.set_ready_ticks(user=user, topic=topic, check_ids={topic.ready_checks.first().pk})
    progress.set_track_goal(user=user, track=track, hours_per_week=6, study_days=0b0010101)
    community.rate_resource(user=user, resource=resource, stars=5, review="Clear <b>and</b> short.")
    reminders.update_digest(user=user, is_on=True, weekday=4)
    reminders.new_calendar_token(user=user)
    reminders.set_study_time(user=user, starts_at=time(7, 30))
    DigestSent.objects.create(user=user, week=date(2026, 11, 30))
    return resource


@pytest.mark.parametrize("url", [EXPORT, DELETE])
def test_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_export_holds_everything_the_learner_owns_and_nothing_else(logged_in_client, verified_user):
    track = build_track(2)
    own_data(verified_user, track)
    other = UserFactory(email="someone.else@example.com")
    BookmarkFactory(user=other, note="not yours")
    response = logged_in_client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="roadmap-data-{verified_user.username}.json"'
    )
    data = json.loads(response.content)
    assert data["account"]["email"] == "ada@example.com"
    assert data["email_addresses"] == [{"email": "ada@example.com", "verified": True, "primary": True}]
    assert [follow["track"] for follow in data["followed_tracks"]] == [track.slug]
    assert [progress["status"] for progress in data["topic_progress"]] == ["done"]
    assert data["bookmarks"][0]["note"] == "Chapter 3 is the good part"
    assert [(note["topic"], note["text"]) for note in data["topic_notes"]] == [
        (track.steps.first().topic.slug, "Remember: `git add -p`")
    ]
    assert [(tick["topic"], tick["check"]) for tick in data["ready_checks_ticked"]] == [
        (track.steps.first().topic.slug, "You can do thing 0")
    ]
    assert data["ratings"][0]["review"] == "Clear <b>and</b> short."
    assert [(review["topic"], review["box"]) for review in data["topic_reviews"]] == [
        (track.steps.first().topic.slug, 1)
    ]
    [goal] = data["track_goals"]
    assert (goal["track"], goal["hours_per_week"], goal["study_days"]) == (
        track.slug,
        6,
        ["Mon", "Wed", "Fri"],
    )
    assert (data["account"]["weekly_digest"], data["account"]["digest_weekday"]) == (True, "Friday")
    assert data["account"]["calendar_feed_is_on"] is True
    assert data["account"]["study_sessions_start"] == "07:30"
    assert [digest["week"] for digest in data["digests_sent"]] == ["2026-11-30"]
    assert data["calendar_feed"] == [
        {"path": reverse("learning:calendar_feed", args=[verified_user.calendar_token])}
    ]
    text = response.content.decode()
    assert "not yours" not in text
    assert "someone.else" not in text
    assert verified_user.password not in text


# With nothing cached; the same for one row of each kind and for 21. +1: the topic_reviews section; +1: track_goals;
# +1: ready_checks_ticked; +5: learners' projects (with the checklist items they meet), feedback, helpful marks,
# reports; +1: digests_sent (the calendar_feed section reads the user already loaded).
EXPORT_QUERIES = 22


def a_review(user):
    return TopicReview.objects.create(user=user, topic=TopicFactory(), box=2, due=date(2026, 12, 9))


def a_project_with_feedback_vote_and_report(user):
    """The learner's project meeting a checklist item, and their feedback, helpful mark and report on another's."""
    project = ProjectSubmissionFactory(user=user)
    project.checklist_met.add(
        ChecklistItem.objects.create(milestone=project.milestone, position=0, text="Runs")
    )
    other = ProjectSubmissionFactory()
    ProjectFeedbackFactory(user=user, submission=other)
    ProjectVoteFactory(user=user, submission=other)
    ProjectFlag.objects.create(user=user, submission=other, reason="spam")


def a_tick(user):
    check = ReadyCheck.objects.create(topic=TopicFactory(), position=0, text="You can explain it")
    return ReadyCheckTick.objects.create(user=user, ready_check=check)


def test_the_export_costs_the_same_queries_for_many_rows(logged_in_client, verified_user, cold_get):
    a_project_with_feedback_vote_and_report(verified_user)
    TopicProgressFactory(user=verified_user)
    RatingFactory(user=verified_user)
    TopicNoteFactory(user=verified_user)
    a_review(verified_user)
    TrackGoal.objects.create(user=verified_user, track=TrackFactory(), hours_per_week=5)
    a_tick(verified_user)
    DigestSent.objects.create(user=verified_user, week=date(2025, 12, 29))
    assert len(json.loads(cold_get(logged_in_client, EXPORT, EXPORT_QUERIES).content)["ratings"]) == 1
    for week in range(20):
        TopicProgressFactory(user=verified_user)
        BookmarkFactory(user=verified_user)
        RatingFactory(user=verified_user)
        TopicNoteFactory(user=verified_user)
        a_review(verified_user)
        TrackGoal.objects.create(user=verified_user, track=TrackFactory(), hours_per_week=5)
        DigestSent.objects.create(user=verified_user, week=date(2026, 1, 5) + timedelta(weeks=week))
        a_tick(verified_user)
        a_project_with_feedback_vote_and_report(verified_user)
    data = json.loads(cold_get(logged_in_client, EXPORT, EXPORT_QUERIES).content)
    assert (len(data["ratings"]), len(data["topic_reviews"]), len(data["track_goals"])) == (21, 21, 21)
    assert [len(data[name]) for name in ("project_submissions", "project_feedback", "project_votes")] == [
        21
    ] * 3
    assert len(data["project_flags"]) == 21
    assert data["project_submissions"][0]["checklist_met"] == ["Runs"]
    assert len(data["ready_checks_ticked"]) == 21
    assert len(data["digests_sent"]) == 21


def log_in_for_real(client, user):
    """Logged in, then re-authenticated with the password through allauth's page, as a learner would be
    sent to do before deleting."""
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_the_delete_page_explains_what_goes(logged_in_client):
    response = logged_in_client.get(DELETE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "can&#x27;t be undone" in html or "can't be undone" in html
    assert EXPORT in html


def test_deleting_needs_a_recent_authentication(client, verified_user):
    client.force_login(verified_user)
    response = client.post(DELETE, {"confirm": verified_user.username})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert get_user_model().objects.filter(pk=verified_user.pk).exists()


def test_a_wrong_handle_deletes_nothing(client, verified_user):
    log_in_for_real(client, verified_user)
    response = client.post(DELETE, {"confirm": "someone-else"})
    assert response.status_code == 400
    assert f"Type your handle, {verified_user.username}, exactly" in response.content.decode()
    assert get_user_model().objects.filter(pk=verified_user.pk).exists()


def test_deleting_removes_the_account_its_data_and_every_session(client, verified_user):
    track = build_track(2)
    resource = own_data(verified_user, track)
    other = UserFactory()
    RatingFactory(user=other, resource=resource, stars=3)
    a_project_with_feedback_vote_and_report(verified_user)
    others_project = ProjectSubmission.objects.exclude(user=verified_user).get()
    ProjectFeedbackFactory(submission=ProjectSubmission.objects.get(user=verified_user))
    elsewhere = Client()
    elsewhere.force_login(verified_user)
    log_in_for_real(client, verified_user)
    response = client.post(DELETE, {"confirm": verified_user.username}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("learning:home")
    assert "Your account and everything in it are deleted." in response.content.decode()
    assert not get_user_model().objects.filter(pk=verified_user.pk).exists()
    assert not TopicProgress.objects.exists()
    assert not Bookmark.objects.exists()
    assert not TopicNote.objects.exists()
    assert not TopicReview.objects.exists()
    assert not TrackGoal.objects.exists()
    assert not DigestSent.objects.exists()
    assert not ReadyCheckTick.objects.exists()
    assert ReadyCheck.objects.filter(topic=track.steps.first().topic).exists()  # the curated checks stay
    assert list(Rating.objects.values_list("user", flat=True)) == [other.pk]
    assert ResourceFactory._meta.model.objects.filter(pk=resource.pk).exists()
    # Their project goes with the feedback on it; their feedback, helpful mark and report on another's too.
    assert list(ProjectSubmission.objects.all()) == [others_project]
    assert not ProjectFeedback.objects.exists()
    assert not ProjectVote.objects.exists()
    assert not ProjectFlag.objects.exists()
    for session in (client, elsewhere):
        assert session.get(reverse("learning:dashboard")).status_code == 302


def test_account_settings_link_to_the_data_pages(logged_in_client):
    html = logged_in_client.get(reverse("account_email")).content.decode()
    for url in (EXPORT, DELETE, reverse("accounts:profile_settings")):
        assert f'href="{url}"' in html


def test_every_app_section_is_in_the_export_in_a_fixed_order(logged_in_client):
    """accounts imports no app: each room registers its sections, and all of them arrive, in this order."""
    data = json.loads(logged_in_client.get(EXPORT).content)
    assert list(data) == [
        "format",
        "version",
        "exported_at",
        "account",
        "email_addresses",
        "linked_logins",
        "followed_tracks",
        "topic_progress",
        "milestones_done",
        "bookmarks",
        "topic_notes",
        "ready_checks_ticked",
        "activity",
        "topic_reviews",
        "track_goals",
        "digests_sent",
        "calendar_feed",
        "ratings",
        "suggestions",
        "review_flags",
        "project_submissions",
        "project_feedback",
        "project_votes",
        "project_flags",
    ]


def test_two_apps_cannot_claim_one_section():
    with pytest.raises(ValueError, match="Two apps export a personal-data section called 'bookmarks'"):
        personal_data.register_section("bookmarks", lambda user: [])
