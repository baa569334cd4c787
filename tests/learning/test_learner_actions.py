"""Check-offs, bookmarks, ratings and resets through their real URLs, with every rule the learner relies on."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from learning.catalogue import queries as catalogue_queries
from learning.models import (
    Activity,
    Bookmark,
    MilestoneCompletion,
    Rating,
    TopicProgress,
    TopicReview,
    TrackFollow,
)
from learning.progress import services
from plumbing import cache_tokens
from tests import batches
from tests.factories import (
    BookmarkFactory,
    MilestoneFactory,
    RatingFactory,
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
def learner_client(client, learner):
    client.force_login(learner)
    return client


def status_url(topic):
    return reverse("learning:topic_status", args=[topic.slug])


def stored_rows():
    return (
        TopicProgress.objects.count(),
        MilestoneCompletion.objects.count(),
        Bookmark.objects.count(),
        Rating.objects.count(),
    )


# ---------- Check-offs ----------


def test_marking_a_topic_done_redirects_back_and_counts_in_every_track(learner_client, learner, track):
    topic = track.steps.first().topic
    other = TrackFactory(title="Python & Django")
    StepFactory(stage__track=other, topic=topic)
    response = learner_client.post(
        status_url(topic), {"status": "done", "next": f"{track.get_absolute_url()}#node-{topic.slug}"}
    )
    assert response.status_code == 302
    assert response.url == f"{track.get_absolute_url()}#node-{topic.slug}"
    progress = TopicProgress.objects.get(user=learner, topic=topic)
    assert progress.status == "done"
    assert progress.completed_at is not None
    for shared in (track, other):
        page = learner_client.get(shared.get_absolute_url())
        assert page.context["progress"].done == 1


@pytest.mark.parametrize("status", ["learning", "done", "skipped"])
def test_each_status_is_stored_and_not_started_removes_it(learner_client, learner, track, status):
    topic = track.steps.first().topic
    learner_client.post(status_url(topic), {"status": status})
    assert TopicProgress.objects.get(user=learner, topic=topic).status == status
    learner_client.post(status_url(topic), {"status": "not_started"})
    assert not TopicProgress.objects.filter(user=learner).exists()


def test_done_keeps_its_first_completion_time(learner_client, learner, track):
    topic = track.steps.first().topic
    learner_client.post(status_url(topic), {"status": "done"})
    first = TopicProgress.objects.get(user=learner).completed_at
    learner_client.post(status_url(topic), {"status": "done"})
    assert TopicProgress.objects.get(user=learner).completed_at == first


def test_changing_a_status_is_one_update_and_its_activity_and_looks_up_no_track_the_form_did_not_name(
    learner_client, learner, track, django_assert_num_queries
):
    topic = track.steps.first().topic
    learner_client.post(status_url(topic), {"status": "learning"})
    before = TopicProgress.objects.get(user=learner, topic=topic)
    # The session, the user, the topic, the update itself (no query for the owner: it is the learner), then
    # together the day's activity (one INSERT that does nothing when the day already has it) and the topic's
    # first review (one INSERT … ON CONFLICT DO NOTHING of box 1, due in three days).
    with django_assert_num_queries(4 + batches.read_together(2)):
        response = learner_client.post(status_url(topic), {"status": "done"})
    assert response.status_code == 302
    after = TopicProgress.objects.get(user=learner, topic=topic)
    assert (after.status, after.started_at) == ("done", before.started_at)
    assert after.completed_at is not None
    assert after.updated_at > before.updated_at
    assert not TrackFollow.objects.filter(user=learner).exists()


@pytest.mark.django_db(transaction=True)  # the check-off's own transaction is the outermost, as in production
def test_a_check_off_whose_review_cannot_be_scheduled_changes_nothing(learner, track, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(learner)
    topic = track.steps.first().topic
    client.post(status_url(topic), {"status": "learning"})
    activity_before = list(Activity.objects.filter(user=learner).values_list("kind", "subject"))

    def full_disk(*reads, **_):
        # The writes that follow the status (its activity, its review): they fail together.
        assert any("learning_topicreview" in read.statement for read in reads)
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(services, "read_together", full_disk)
    response = client.post(status_url(topic), {"status": "done"})

    assert response.status_code == 500
    # The status, the day's activity and the review schedule go together: the status wasn't left done
    # without its review, nor the day counted for a check-off that didn't happen.
    assert TopicProgress.objects.get(user=learner, topic=topic).status == "learning"
    assert list(Activity.objects.filter(user=learner).values_list("kind", "subject")) == activity_before
    assert not TopicReview.objects.filter(user=learner).exists()


@pytest.mark.parametrize("data", [{"status": "finished"}, {"status": ""}, {}, {"status": "done\x00"}])
def test_an_unknown_status_is_refused_with_a_message_and_stores_nothing(learner_client, track, data):
    response = learner_client.post(status_url(track.steps.first().topic), data)
    assert response.status_code == 400
    assert b"That didn&#x27;t work" in response.content or b"That didn't work" in response.content
    assert stored_rows() == (0, 0, 0, 0)


def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(client, track):
    topic = track.steps.first().topic
    response = client.post(status_url(topic), {"status": "done", "next": topic.get_absolute_url()})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert f"next={topic.get_absolute_url()}" in response.url
    assert stored_rows() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "url_name", ["learning:topic_status", "learning:bookmark", "learning:rate", "learning:rating_delete"]
)
def test_a_get_never_changes_state(learner_client, track, url_name):
    topic = track.steps.first().topic
    arg = topic.slug if url_name == "learning:topic_status" else topic.resources.first().pk
    response = learner_client.get(reverse(url_name, args=[arg]), {"status": "done", "stars": 5})
    assert response.status_code == 405
    assert stored_rows() == (0, 0, 0, 0)


def test_missing_or_unpublished_topics_answer_404(learner_client, db):
    hidden = TopicFactory(is_published=False)
    assert learner_client.post(status_url(hidden), {"status": "done"}).status_code == 404
    assert learner_client.post("/topics/no-such-topic/status/", {"status": "done"}).status_code == 404
    assert stored_rows() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    "next_url", ["//evil.example/", "https://evil.example/", "/\\evil.example", "https:evil.example"]
)
def test_next_never_leaves_the_site(learner_client, track, next_url):
    topic = track.steps.first().topic
    response = learner_client.post(status_url(topic), {"status": "done", "next": next_url})
    assert response.url == f"{topic.get_absolute_url()}#topic-status"


def test_without_next_a_check_off_returns_to_the_tracks_node_or_the_topic(learner_client, track):
    topic = track.steps.first().topic
    from_track = learner_client.post(status_url(topic), {"status": "done", "track": track.slug})
    assert from_track.url == f"{track.get_absolute_url()}#node-{topic.slug}"
    from_topic = learner_client.post(status_url(topic), {"status": "learning"})
    assert from_topic.url == f"{topic.get_absolute_url()}#topic-status"


def test_milestones_are_checked_off_and_unchecked(learner_client, learner, track):
    milestone = MilestoneFactory(stage=track.stages.first())
    url = reverse("learning:milestone_done", args=[milestone.pk])
    assert learner_client.post(url, {"done": "1"}).status_code == 302
    assert MilestoneCompletion.objects.filter(user=learner, milestone=milestone).exists()
    learner_client.post(url, {"done": "0"})
    assert not MilestoneCompletion.objects.exists()
    assert learner_client.post(url, {"done": "yes"}).status_code == 400
    assert not MilestoneCompletion.objects.exists()


def test_milestones_of_unpublished_tracks_answer_404(learner_client, db):
    milestone = MilestoneFactory(stage=StageFactory(track=TrackFactory(is_published=False)))
    response = learner_client.post(reverse("learning:milestone_done", args=[milestone.pk]), {"done": "1"})
    assert response.status_code == 404
    assert not MilestoneCompletion.objects.exists()


# ---------- Progress ----------


def test_skipped_topics_leave_the_denominator_and_the_next_step_follows(learner_client, learner, track):
    steps = list(track.steps.order_by("stage__position", "position"))
    milestones = MilestoneFactory._meta.model.objects.filter(stage__track=track).count()
    learner_client.post(status_url(steps[0].topic), {"status": "done"})
    learner_client.post(status_url(steps[1].topic), {"status": "skipped"})
    progress = learner_client.get(track.get_absolute_url()).context["progress"]
    assert (progress.done, progress.total) == (1, len(steps) - 1 + milestones)
    assert progress.next_step.topic == steps[2].topic


def test_the_track_page_shows_each_node_state_and_the_bar(learner_client, track):
    topic = track.steps.first().topic
    learner_client.post(status_url(topic), {"status": "done"})
    html = learner_client.get(track.get_absolute_url()).content.decode()
    assert f'id="node-{topic.slug}"' in html
    assert "roadmap-node--done" in html
    assert '<progress class="progress"' in html
    assert "<option selected>Done" in html


def test_a_visitor_sees_the_roadmap_with_an_invitation_not_controls(client, track):
    html = client.get(track.get_absolute_url()).content.decode()
    assert "create a free account" in html
    assert 'name="status' not in html


def test_reset_asks_first_then_forgets_the_track_and_says_what_is_shared(learner_client, learner, track):
    shared_topic, own_topic = (step.topic for step in track.steps.all()[:2])
    StepFactory(stage__track=TrackFactory(title="Other track"), topic=shared_topic)
    for topic in (shared_topic, own_topic):
        learner_client.post(status_url(topic), {"status": "done"})
    unrelated = TopicProgressFactory(user=learner)
    other_learner = TopicProgressFactory(topic=own_topic)
    url = reverse("learning:track_reset", args=[track.slug])
    confirm = learner_client.get(url)
    assert confirm.status_code == 200
    assert list(confirm.context["shared_topics"]) == [shared_topic]
    assert TopicProgress.objects.filter(user=learner).count() == 3  # the GET changed nothing
    assert learner_client.post(url).status_code == 302
    assert list(TopicProgress.objects.filter(user=learner)) == [unrelated]
    assert TopicProgress.objects.filter(pk=other_learner.pk).exists()


# ---------- Bookmarks ----------


def test_bookmark_add_and_remove(learner_client, learner, track):
    resource = track.steps.first().topic.resources.first()
    url = reverse("learning:bookmark", args=[resource.pk])
    learner_client.post(url, {"action": "add"})
    learner_client.post(url, {"action": "add"})
    assert Bookmark.objects.filter(user=learner, resource=resource).count() == 1
    learner_client.post(url, {"action": "remove"})
    assert not Bookmark.objects.exists()


def test_bookmarks_page_groups_by_topic_and_shows_only_mine(learner_client, learner, track):
    mine = BookmarkFactory(
        user=learner, resource=track.steps.first().topic.resources.first(), note="read chapter 2"
    )
    theirs = BookmarkFactory(resource=ResourceFactory(title="Someone else's find"))
    response = learner_client.get(reverse("learning:bookmarks"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [(topic, [b.pk for b in items]) for topic, items in groups] == [
        (mine.resource.topics.first(), [mine.pk])
    ]
    html = response.content.decode()
    assert "read chapter 2" in html
    assert theirs.resource.title not in html


def test_bookmarks_come_25_a_page_grouped_by_topic_in_title_order(learner_client, learner):
    topics = [TopicFactory(title=title) for title in ("Caching", "APIs")]
    loose = ResourceFactory(title="In no topic")
    BookmarkFactory(user=learner, resource=loose)
    for n in range(28):
        resource = ResourceFactory(title=f"Guide {n:02}")
        resource.topics.add(topics[n % 2])
        BookmarkFactory(user=learner, resource=resource)
    BookmarkFactory(resource=ResourceFactory(title="Someone else's find"))
    url = reverse("learning:bookmarks")

    first = learner_client.get(url)
    titles = [topic.title if topic else None for topic, _ in first.context["groups"]]
    assert titles == ["APIs", "Caching"]  # by title; "Other" (no topic) last, here on the next page
    assert sum(len(items) for _, items in first.context["groups"]) == 25
    html = first.content.decode()
    assert "29 bookmarks · 1–25 on this page" in html
    assert 'rel="next" href="?page=2"' in html

    second = learner_client.get(url, {"page": "2"})
    groups = second.context["groups"]
    assert [topic.title if topic else None for topic, _ in groups] == ["Caching", None]
    assert groups[-1][1][0].resource == loose
    assert "Someone else's find" not in second.content.decode()
    # A note saved on page 2 comes back to page 2, at its bookmark.
    assert 'name="next" value="/me/bookmarks/?page=2#bookmark-item-' in second.content.decode()

    for bad in ("0", "x", "99"):  # past the end: the last page; not a number: the first
        assert learner_client.get(url, {"page": bad}).status_code == 200


def test_a_note_is_saved_and_another_learners_bookmark_is_404(learner_client, learner, db):
    mine = BookmarkFactory(user=learner)
    theirs = BookmarkFactory(note="theirs")
    assert (
        learner_client.post(
            reverse("learning:bookmark_note", args=[mine.pk]), {"note": "  revisit  "}
        ).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.note == "revisit"
    assert (
        learner_client.post(
            reverse("learning:bookmark_note", args=[theirs.pk]), {"note": "hijack"}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.note == "theirs"


def test_a_note_over_the_limit_is_refused(learner_client, learner, db):
    bookmark = BookmarkFactory(user=learner, note="short")
    response = learner_client.post(
        reverse("learning:bookmark_note", args=[bookmark.pk]), {"note": "x" * 1001}
    )
    assert response.status_code == 400
    assert b"at most 1000 characters" in response.content
    bookmark.refresh_from_db()
    assert bookmark.note == "short"


def test_notes_are_private_and_escaped(learner_client, learner, client, db):
    bookmark = BookmarkFactory(user=learner, note="<script>alert(1)</script>")
    html = learner_client.get(reverse("learning:bookmarks")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "alert(1)" not in client.get(bookmark.resource.get_absolute_url()).content.decode()


# ---------- Ratings ----------


def rate_url(resource):
    return reverse("learning:rate", args=[resource.pk])


def test_rating_is_stored_updated_and_deleted(learner_client, learner, db):
    resource = ResourceFactory()
    assert (
        learner_client.post(rate_url(resource), {"stars": "4", "review": "Clear and short."}).status_code
        == 302
    )
    assert Rating.objects.get(user=learner).stars == 4
    learner_client.post(rate_url(resource), {"stars": "5", "review": "Even better the second time."})
    rating = Rating.objects.get(user=learner)
    assert (rating.stars, rating.review) == (5, "Even better the second time.")
    page = learner_client.get(resource.get_absolute_url()).content.decode()
    assert "Update my rating" in page
    assert "Even better the second time." in page
    learner_client.post(reverse("learning:rating_delete", args=[resource.pk]))
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"stars": "0"}, {"stars": "6"}, {"stars": "3.5"}, {"stars": "abc"}, {}, {"stars": "-1"}, {"stars": "١"}],
)
def test_bad_stars_reshow_the_form_with_a_message_and_store_nothing(learner_client, db, data):
    resource = ResourceFactory()
    response = learner_client.post(rate_url(resource), {"review": "kept", **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose from 1 to 5 stars." in html
    assert "kept</textarea>" in html
    assert not Rating.objects.exists()


def test_a_review_over_the_limit_is_refused(learner_client, db):
    resource = ResourceFactory()
    response = learner_client.post(rate_url(resource), {"stars": "3", "review": "x" * 2001})
    assert response.status_code == 400
    assert "at most 2000 characters" in response.content.decode()
    assert not Rating.objects.exists()


def test_deleting_only_ever_touches_my_own_rating(learner_client, db):
    theirs = RatingFactory()
    learner_client.post(reverse("learning:rating_delete", args=[theirs.resource.pk]))
    assert Rating.objects.filter(pk=theirs.pk).exists()


def test_rating_an_unpublished_or_missing_resource_is_404(learner_client, db):
    hidden = ResourceFactory(is_published=False)
    assert learner_client.post(rate_url(hidden), {"stars": "5"}).status_code == 404
    assert learner_client.post("/resources/999999/rating/", {"stars": "5"}).status_code == 404
    assert not Rating.objects.exists()


def test_resource_page_shows_average_count_distribution_and_reviews_newest_first(client, db):
    resource = ResourceFactory()
    for stars, review in [(5, "First, great"), (4, ""), (2, "<script>alert('x')</script>"), (5, "Newest")]:
        RatingFactory(resource=resource, stars=stars, review=review)
    response = client.get(resource.get_absolute_url())
    summary = response.context["summary"]
    assert summary.count == 4
    assert summary.average == pytest.approx(4.0)
    assert [(stars, count) for stars, count, _ in summary.distribution] == [
        (5, 2),
        (4, 1),
        (3, 0),
        (2, 1),
        (1, 0),
    ]
    assert [r.review for r in response.context["reviews"]] == [
        "Newest",
        "<script>alert('x')</script>",
        "First, great",
    ]
    html = response.content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in html


def test_reviews_are_paginated(client, db):
    resource = ResourceFactory()
    for index in range(12):
        RatingFactory(resource=resource, review=f"review {index}")
    assert len(client.get(resource.get_absolute_url()).context["reviews"]) == 10
    second = client.get(resource.get_absolute_url(), {"reviews": 2})
    assert [r.review for r in second.context["reviews"]] == ["review 1", "review 0"]


def test_topic_ranks_many_good_ratings_above_one_perfect_vote(client, db):
    topic = TopicFactory()
    many = ResourceFactory(title="Many good ratings", kind="article", topics=[topic])
    one = ResourceFactory(title="One perfect vote", kind="docs", topics=[topic])
    ResourceFactory(title="Unrated", kind="docs", topics=[topic])
    for stars in [5, 5, 4, 5, 4] * 10:  # mean 4.6 over fifty ratings
        RatingFactory(resource=many, stars=stars)
    RatingFactory(resource=one, stars=5)
    for _ in range(30):  # the rest of the site: middling resources, so the site mean is about 4
        RatingFactory(stars=3)
    ranked = client.get(topic.get_absolute_url()).context["topic"].ranked_resources
    assert [r.title for r in ranked] == ["Many good ratings", "One perfect vote", "Unrated"]


def test_topic_page_shows_my_status_and_bookmarks(learner_client, learner, track):
    topic = track.steps.first().topic
    resource = topic.resources.first()
    BookmarkFactory(user=learner, resource=resource)
    learner_client.post(status_url(topic), {"status": "learning"})
    response = learner_client.get(topic.get_absolute_url())
    html = response.content.decode()
    # The status buttons show theirs pressed (the page's shared copy holds the form for every status).
    assert '<button name="status" value="learning" aria-pressed="true">' in html
    assert re.findall(r'name="status" value="(\w+)" aria-pressed="true"', html) == ["learning"]
    assert response.context["bookmarked"] == {resource.pk}
    assert "★ Bookmarked" in html


# ---------- Dashboard ----------


def test_dashboard_shows_tracks_in_progress_next_steps_recent_and_counts(learner_client, learner, track):
    steps = list(track.steps.order_by("stage__position", "position"))
    learner_client.post(status_url(steps[0].topic), {"status": "done", "track": track.slug})
    BookmarkFactory(user=learner)
    RatingFactory(user=learner)
    BookmarkFactory()  # another learner's
    TrackFactory(title="Untouched track")
    response = learner_client.get(reverse("learning:dashboard"))
    dashboard = response.context["dashboard"]
    assert [t.title for t, _ in dashboard.in_progress] == [track.title]
    assert dashboard.in_progress[0][1].next_step.topic == steps[1].topic
    assert [p.topic for p in dashboard.recently_done] == [steps[0].topic]
    tallies = response.context["tallies"]
    assert (tallies.bookmarks, tallies.ratings, dashboard.done_count) == (1, 1, 1)
    assert "<dt>Ratings</dt><dd>1</dd>" in response.text
    assert "Untouched track" in response.content.decode()


def test_dashboard_and_bookmarks_need_an_account(client, db):
    for url in (reverse("learning:dashboard"), reverse("learning:bookmarks")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_home_offers_to_continue_followed_tracks(learner_client, track):
    learner_client.post(status_url(track.steps.first().topic), {"status": "learning", "track": track.slug})
    response = learner_client.get("/")
    assert [t for t, _ in response.context["continue_with"]] == [track]
    assert "Continue where you left off" in response.content.decode()


def test_learner_data_of_one_user_never_shows_for_another(client, track):
    alice, bob = UserFactory(), UserFactory()
    topic = track.steps.first().topic
    TopicProgressFactory(user=alice, topic=topic)
    client.force_login(bob)
    assert client.get(track.get_absolute_url()).context["progress"].done == 0
    assert client.get(reverse("learning:dashboard")).context["dashboard"].in_progress == []


# ---------- Following ----------


def test_follow_and_unfollow_a_track(learner_client, learner, track):
    url = reverse("learning:track_follow", args=[track.slug])
    learner_client.post(url, {"action": "follow"})
    learner_client.post(url, {"action": "follow"})
    assert TrackFollow.objects.filter(user=learner, track=track).count() == 1
    assert learner_client.get(track.get_absolute_url()).context["following"] is True
    learner_client.post(url, {"action": "unfollow"})
    assert not TrackFollow.objects.exists()


def test_checking_off_on_a_track_page_follows_that_track_only(learner_client, learner, track):
    topic = track.steps.first().topic
    unrelated = TrackFactory(title="Does not contain the topic")
    learner_client.post(status_url(topic), {"status": "done", "track": unrelated.slug})
    assert not TrackFollow.objects.exists()
    learner_client.post(status_url(topic), {"status": "done", "track": track.slug})
    assert list(TrackFollow.objects.values_list("track", flat=True)) == [track.pk]


def test_a_check_off_from_a_track_page_follows_it_in_the_same_writes(
    learner_client, learner, track, django_assert_num_queries
):
    first, second = (step.topic for step in track.steps.order_by("position")[:2])
    for topic in (first, second):  # rows to update, and no follow yet
        learner_client.post(status_url(topic), {"status": "learning"})
    assert not TrackFollow.objects.exists()
    catalogue_queries.published_step(track.slug, first.slug)  # the catalogue's memos, as any page builds them
    # The session, the user, the update, then together the day's activity, the first review and the follow:
    # one INSERT … ON CONFLICT DO NOTHING, whether it follows already (the second) or not (the first); no
    # savepoint of its own. The topic and the track (which must contain it) come from the catalogue's memos.
    for topic in (first, second):
        with django_assert_num_queries(3 + batches.read_together(3)):
            learner_client.post(status_url(topic), {"status": "done", "track": track.slug})
    assert TrackFollow.objects.filter(user=learner, track=track).count() == 1
    assert TopicProgress.objects.filter(user=learner, status="done").count() == 2


def test_a_track_page_check_off_finds_in_the_catalogue_memos_only_what_everyone_sees(track):
    topic = track.steps.order_by("position").first().topic
    found_track, step = catalogue_queries.published_step(track.slug, topic.slug)
    assert (found_track.pk, step.topic.pk, step.topic.title) == (track.pk, topic.pk, topic.title)
    other = TrackFactory(title="Holds other topics")
    StepFactory(stage=StageFactory(track=other), topic=TopicFactory())
    draft = StepFactory(stage=track.stages.first(), topic=TopicFactory(is_published=False)).topic
    draft_track = TrackFactory(is_published=False)
    StepFactory(stage=StageFactory(track=draft_track), topic=topic)
    cache_tokens.bump(cache_tokens.CATALOGUE)  # the memos are the catalogue version's: a change is a new one
    assert catalogue_queries.published_step(other.slug, topic.slug) is None  # not one of its steps
    assert catalogue_queries.published_step("no-such-track", topic.slug) is None
    assert catalogue_queries.published_step(track.slug, draft.slug) is None
    assert catalogue_queries.published_step(draft_track.slug, topic.slug) is None


def test_staff_check_off_a_draft_topic_on_its_track_page_through_the_database(client, track):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    draft = StepFactory(stage=track.stages.first(), topic=TopicFactory(is_published=False)).topic
    response = client.post(status_url(draft), {"status": "done", "track": track.slug})
    assert response.status_code == 302
    assert response["Location"] == f"{track.get_absolute_url()}#node-{draft.slug}"
    assert TopicProgress.objects.get(user=staff, topic=draft).status == "done"
    assert TrackFollow.objects.filter(user=staff, track=track).exists()
    # a learner who isn't staff doesn't see the draft: nothing to check off
    learner = UserFactory()
    client.force_login(learner)
    assert client.post(status_url(draft), {"status": "done", "track": track.slug}).status_code == 404
    assert not TopicProgress.objects.filter(user=learner).exists()


def test_a_check_off_of_a_topic_not_started_takes_as_many_queries(
    learner_client, learner, track, django_assert_num_queries
):
    topic = track.steps.order_by("position").first().topic
    catalogue_queries.published_step(track.slug, topic.slug)
    # the status inserted by the same statement that would update it; its activity, review and follow together
    with django_assert_num_queries(3 + batches.read_together(3)):
        learner_client.post(status_url(topic), {"status": "done", "track": track.slug})
    assert TopicProgress.objects.get(user=learner, topic=topic).status == "done"


def test_a_status_is_one_statement_which_keeps_when_it_started_and_changes_nothing_when_it_is_the_same(
    learner, track, django_assert_num_queries
):
    topic = track.steps.first().topic
    started, finished = datetime(2026, 3, 1, 9, 30, tzinfo=UTC), datetime(2026, 3, 4, 18, 5, tzinfo=UTC)
    # the status, the day's activity, no review to keep
    with time_machine.travel(started, tick=False), django_assert_num_queries(3):
        services.set_topic_status(user=learner, topic=topic, status="learning")
    before = cache_tokens.read([cache_tokens.learner(learner.pk)])
    # the status, then the day's activity and the first review together
    with time_machine.travel(finished, tick=False), django_assert_num_queries(1 + batches.read_together(2)):
        services.set_topic_status(user=learner, topic=topic, status="done")
    assert cache_tokens.read([cache_tokens.learner(learner.pk)]) != before
    progress = TopicProgress.objects.get(user=learner, topic=topic)
    assert (progress.status, progress.started_at) == ("done", started)
    assert progress.completed_at == progress.updated_at == finished
    # stored as the ORM stores it, so the ORM's comparisons find it
    assert TopicProgress.objects.filter(completed_at__gte=finished).count() == 1
    assert TopicReview.objects.filter(user=learner, topic=topic, box=1).exists()
    with django_assert_num_queries(1):  # done already: nothing written but the statement that found it so
        services.set_topic_status(user=learner, topic=topic, status="done")
    assert Activity.objects.filter(user=learner, topic=topic).count() == 2
    assert TopicProgress.objects.get(user=learner, topic=topic).updated_at == finished


@pytest.mark.django_db(transaction=True)  # the check-off's own transaction is the outermost, as in production
def test_a_check_off_whose_follow_fails_changes_nothing(learner, track, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(learner)
    topic = track.steps.first().topic

    def full_disk(*reads, **_):
        # The writes that follow the status (its activity, its review, the follow): they fail together.
        assert any("learning_trackfollow" in read.statement for read in reads)
        raise DatabaseError("could not extend file: No space left on device")

    monkeypatch.setattr(services, "read_together", full_disk)
    response = client.post(status_url(topic), {"status": "done", "track": track.slug})
    assert response.status_code == 500
    assert not TopicProgress.objects.filter(user=learner).exists()
    assert not Activity.objects.filter(user=learner).exists()
    assert not TopicReview.objects.filter(user=learner).exists()


def test_completing_a_milestone_follows_its_track(learner_client, learner, track):
    milestone = MilestoneFactory(stage=track.stages.first())
    learner_client.post(reverse("learning:milestone_done", args=[milestone.pk]), {"done": "1"})
    assert TrackFollow.objects.filter(user=learner, track=track).exists()


def test_dashboard_separates_followed_tracks_from_others_sharing_done_topics(learner_client, learner, track):
    topic = track.steps.first().topic
    sharing = TrackFactory(title="Shares the topic")
    StepFactory(stage__track=sharing, topic=topic)
    learner_client.post(status_url(topic), {"status": "done", "track": track.slug})
    dashboard = learner_client.get(reverse("learning:dashboard")).context["dashboard"]
    assert [t for t, _ in dashboard.in_progress] == [track]
    assert [t for t, _ in dashboard.also_progressing] == [sharing]


def test_a_visitor_cannot_follow(client, track):
    response = client.post(reverse("learning:track_follow", args=[track.slug]), {"action": "follow"})
    assert response.url.startswith(reverse("account_login"))
    assert not TrackFollow.objects.exists()
