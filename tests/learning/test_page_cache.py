"""Whole pages from the cache (plumbing.page_cache), under the version tokens any change moves."""

import re

import pytest
import time_machine
from django.contrib.auth.models import update_last_login
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import Topic, TopicProgress, Track
from learning.progress.services import update_bookmark_note
from plumbing import cache_tokens
from plumbing import release as releases
from plumbing.page_cache import LocalCopies, local_copies
from tests.factories import BookmarkFactory, RatingFactory, TopicFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db

VISITOR_PAGES = {
    "home": lambda track: "/",
    "track list": lambda track: reverse("learning:track_list"),
    "track": lambda track: track.get_absolute_url(),
    "topic": lambda track: track.steps.first().topic.get_absolute_url(),
    "resources": lambda track: reverse("learning:resource_list") + "?kind=article",
    "resource": lambda track: track.steps.first().topic.resources.first().get_absolute_url(),
    "search": lambda track: reverse("learning:search") + "?q=topic",
    "tags": lambda track: reverse("learning:tag_list"),
    "tag": lambda track: reverse("learning:tag_detail", args=["fundamentals"]),
}
LEARNER_PAGES = {
    **{name: VISITOR_PAGES[name] for name in ("home", "track")},
    "dashboard": lambda track: reverse("learning:dashboard"),
    "bookmarks": lambda track: reverse("learning:bookmarks"),
}


def queries_of(client, url, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return len(captured), response


def status_post(client, topic, status, **extra):
    return client.post(reverse("learning:topic_status", args=[topic.slug]), {"status": status, **extra})


@pytest.mark.parametrize("page", VISITOR_PAGES)
def test_a_visitor_gets_a_cached_page_with_no_query_whatever_the_size(
    client, django_assert_num_queries, page
):
    for size, slug in ((2, "small"), (40, "big")):
        url = VISITOR_PAGES[page](build_track(size, slug=slug))
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.status_code == 200, f"{page} with {size} topics"
        assert again.content == first.content


# A learner's page from the cache: two queries, the session and the user (tests run without a shared cache,
# and without one the user is never cached: accounts.backends), nothing of the page itself.
LEARNER_CACHED_QUERIES = 2


@pytest.mark.parametrize("page", LEARNER_PAGES)
def test_a_learner_gets_a_cached_page_with_the_same_queries_whatever_the_size(
    client, learner, django_assert_num_queries, page
):
    client.force_login(learner)
    for size, slug in ((2, "small"), (40, "big")):
        url = LEARNER_PAGES[page](build_track(size, slug=slug))
        assert client.get(url).status_code == 200
        with django_assert_num_queries(LEARNER_CACHED_QUERIES):
            again = client.get(url)
        assert again.status_code == 200, f"{page} with {size} topics"


# The long tail (cached_page's `learners=False`): a learner's copy is never kept, a visitor's is.
LONG_TAIL_PAGES = ("topic", "resource", "resources")


@pytest.mark.parametrize("page", LONG_TAIL_PAGES)
def test_a_learners_long_tail_page_is_not_kept_and_reads_the_same_whatever_the_size(client, learner, page):
    client.force_login(learner)
    counts = []
    for size, slug in ((2, "small"), (40, "big")):
        url = VISITOR_PAGES[page](build_track(size, slug=slug))
        assert client.get(url).status_code == 200  # its shared parts are built
        first, response = queries_of(client, url)
        assert response.status_code == 200
        assert "private" in response["Cache-Control"]
        assert "no-cache" in response["Cache-Control"]
        again, response = queries_of(client, url)
        assert response.status_code == 200
        assert again == first  # rendered again: a kept copy would read the session and the user only
        counts.append(again)
    if page == "resources":
        # Nothing of a list is anyone's own: its content is the shared copy's, the session and user are read.
        assert counts[0] == counts[1] == LEARNER_CACHED_QUERIES
    else:
        assert counts[0] == counts[1] > LEARNER_CACHED_QUERIES  # their status, bookmark or rating
    assert not local_copies.entries  # nothing of the learner's was kept
    Client().get(url)  # a visitor's copy is
    assert len(local_copies.entries) == 1


def test_a_curated_change_shows_at_once(client, track):
    topic = track.steps.first().topic
    client.get(track.get_absolute_url())
    topic.title = "Renamed by a curator"
    topic.save()
    assert "Renamed by a curator" in client.get(track.get_absolute_url()).content.decode()


def test_an_admin_bulk_action_moves_the_version_too(client, curator_client, track):
    assert client.get(track.get_absolute_url()).status_code == 200
    response = curator_client.post(
        reverse("admin:learning_track_changelist"),
        {"action": "unpublish", "_selected_action": [track.pk]},
    )
    assert response.status_code == 302
    assert not Track.objects.get(pk=track.pk).is_published
    assert client.get(track.get_absolute_url()).status_code == 404


def test_tags_and_links_between_rows_move_the_version(client, track):
    topic = track.steps.first().topic
    resource = TopicFactory(title="Unrelated")
    client.get(topic.get_absolute_url())
    topic.tags.add("caching")
    assert 'href="/tags/caching/"' in client.get(topic.get_absolute_url()).content.decode()
    milestone = track.stages.first().milestones.first()
    milestone.topics.add(resource)
    assert "Unrelated" in client.get(track.get_absolute_url()).content.decode()


def test_another_learners_rating_shows_in_the_visitors_figures(client, track):
    resource = track.steps.first().topic.resources.first()
    url = resource.get_absolute_url()
    assert "No written reviews yet" in client.get(url).content.decode()
    RatingFactory(resource=resource, stars=4, review="Clear and short.")
    html = client.get(url).content.decode()
    assert "Clear and short." in html
    assert "No written reviews yet" not in html


def test_a_check_off_changes_that_learners_page_only(client, learner, track):
    other = Client()
    other.force_login(UserFactory())
    visitor = Client()
    topic = track.steps.first().topic
    client.force_login(learner)
    url = track.get_absolute_url()
    for someone in (client, other, visitor):
        assert "roadmap-node--done" not in someone.get(url).content.decode()
    assert status_post(client, topic, "done", next=url).status_code == 302
    assert "roadmap-node--done" in client.get(url).content.decode()
    assert "roadmap-node--done" not in other.get(url).content.decode()
    assert "roadmap-node--done" not in visitor.get(url).content.decode()


def test_a_cached_learner_page_carries_the_requesters_own_csrf_token(
    learner, track, django_assert_num_queries
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    url = track.get_absolute_url()
    client.get(url)
    with django_assert_num_queries(LEARNER_CACHED_QUERIES):
        cached = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', cached.content.decode()).group(1)
    topic = track.steps.first().topic
    assert status_post(client, topic, "learning", csrfmiddlewaretoken=token, next=url).status_code == 302
    assert TopicProgress.objects.get(user=learner, topic=topic).status == "learning"

    stranger = Client(enforce_csrf_checks=True)
    stranger.force_login(UserFactory())
    stranger.get(url)
    assert status_post(stranger, topic, "done", csrfmiddlewaretoken=token).status_code == 403
    assert not TopicProgress.objects.exclude(user=learner).exists()


def test_a_message_is_shown_once_and_never_cached(client, learner, track):
    resource = track.steps.first().topic.resources.first()
    client.force_login(learner)
    url = resource.get_absolute_url()
    client.get(url)
    client.post(reverse("learning:rate", args=[resource.pk]), {"stars": 5, "review": ""})
    assert "your rating is saved" in client.get(url).content.decode()
    assert "your rating is saved" not in client.get(url).content.decode()


def test_the_page_after_a_check_off_shows_its_message_and_is_kept_without_it(
    client, learner, track, settings, django_assert_num_queries
):
    topic = track.steps.first().topic
    client.force_login(learner)
    url = track.get_absolute_url()
    said = f"“{topic.title}” is done."
    response = client.post(
        reverse("learning:topic_status", args=[topic.slug]),
        {"track": track.slug, f"status-{topic.slug}": "done"},
        follow=True,
    )
    html = response.content.decode()
    assert said in html
    assert html.count(said) == 1
    assert not re.search("[\ue003\ue004]", html)  # the marks are out of what the learner gets
    # The next visit is the kept copy: the session and the user, nothing of the page.
    with django_assert_num_queries(LEARNER_CACHED_QUERIES):
        again = client.get(url)
    assert said not in again.content.decode()
    assert "roadmap-node--done" in again.content.decode()
    # ... which is the page as rendered with no message, byte for byte but for the CSRF token.
    settings.PAGE_CACHE = False
    fresh = client.get(url)
    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub(b"", again.content) == token.sub(b"", fresh.content)


def test_a_page_showing_messages_without_the_page_cache_shows_them_unmarked(client, learner, track, settings):
    settings.PAGE_CACHE = False
    topic = track.steps.first().topic
    client.force_login(learner)
    response = client.post(
        reverse("learning:topic_status", args=[topic.slug]),
        {"track": track.slug, f"status-{topic.slug}": "done"},
        follow=True,
    )
    html = response.content.decode()
    assert f"“{topic.title}” is done." in html
    assert not re.search("[\ue003\ue004]", html)


def test_a_visitors_page_with_a_message_has_no_validator_and_is_kept_without_it(client, learner, track):
    client.force_login(learner)
    client.post(reverse("account_logout"))
    response = client.get("/")
    assert "signed out" in response.content.decode()
    assert "ETag" not in response
    assert "private" in response["Cache-Control"]
    again = client.get("/")
    assert "signed out" not in again.content.decode()
    assert again["ETag"]
    assert again.content == Client().get("/").content


def test_visitor_pages_answer_revalidation_with_304(client, track):
    url = track.get_absolute_url()
    first = client.get(url)
    assert first["Cache-Control"] == "no-cache"
    etag, last_modified = first["ETag"], first["Last-Modified"]
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304

    track.title = "Backend developer, revised"
    track.save()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Backend developer, revised" in changed.content.decode()


def test_learner_pages_are_private_and_have_no_validators(client, learner, track):
    client.force_login(learner)
    response = client.get(track.get_absolute_url())
    assert "private" in response["Cache-Control"]
    assert not response.has_header("ETag")


def test_refused_and_missing_pages_are_not_cached(client):
    assert client.get(reverse("learning:search"), {"q": "a\x00b"}).status_code == 400
    assert client.get(reverse("learning:search"), {"q": "a\x00b"}).status_code == 400
    assert client.get("/tracks/nothing-here/").status_code == 404
    assert not [key for key in cache._cache if ":page:" in key]


def test_a_flushed_cache_never_serves_an_old_page(client, track):
    url = track.get_absolute_url()
    client.get(url)
    assert [key for key in cache._cache if ":page:" in key]
    Topic.objects.filter(pk=track.steps.first().topic_id).update(title="Quiet")  # no signal: no new token
    cache.clear()  # the tokens go with the pages, and new tokens match nothing old...
    cache_tokens.forget_held()  # ...once this process stops holding its copy of them (HOLD_SECONDS)
    assert "Quiet" in client.get(url).content.decode()


def test_tokens_move_again_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cache_tokens.bump(cache_tokens.CATALOGUE)
        during = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    after = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    assert len(callbacks) == 1
    assert after > during


def test_a_bump_moves_the_token_even_when_the_clock_stands_still_or_steps_back():
    name = cache_tokens.learner(1)
    tokens = []
    for moment in ("2026-12-05 12:00", "2026-12-05 12:00", "2026-12-05 11:00"):
        with time_machine.travel(moment, tick=False):
            cache_tokens.bump(name)
            tokens.append(cache_tokens.read([name])[name])
    assert tokens[0] < tokens[1] < tokens[2]


def test_a_token_noted_in_a_request_is_read_from_the_note_until_bumped_and_never_in_the_next():
    name = cache_tokens.learner(7)
    cache.set(cache_tokens.cache_key(name), 100)
    cache_tokens.request_started()
    try:
        cache_tokens.note(name, 100)
        cache.set(cache_tokens.cache_key(name), 200)  # another process's bump during this request
        assert cache_tokens.read([name]) == {name: 100}  # the request's own reading
        cache_tokens.bump(name)  # this request's own write
        bumped = cache_tokens.read([name])[name]
        assert bumped > 200
        assert cache.get(cache_tokens.cache_key(name)) == bumped
    finally:
        cache_tokens.request_finished()
    cache_tokens.note(name, 100)  # outside a request: nothing is noted
    cache.set(cache_tokens.cache_key(name), 300)
    assert cache_tokens.read([name]) == {name: 300}
    cache_tokens.request_started()
    try:
        assert cache_tokens.read([name]) == {name: 300}  # a new request starts with nothing noted
    finally:
        cache_tokens.request_finished()


def test_turned_off_no_page_is_stored_or_served(client, settings, track):
    # The process's render memo may still answer a visitor's page without a query (it is keyed on
    # the catalogue version); what PAGE_CACHE=false turns off is the shared page store.
    settings.PAGE_CACHE = False
    url = track.get_absolute_url()
    client.get(url)
    response = client.get(url)
    assert not [key for key in cache._cache if ":page:" in key]
    assert response.has_header("ETag")  # revalidation still works
    track.title = "Renamed track"
    track.save()
    assert "Renamed track" in client.get(url).content.decode()


def test_rendered_markdown_is_a_fragment_keyed_on_the_catalogue(client, settings, track):
    settings.PAGE_CACHE = False
    topic = track.steps.first().topic
    topic.body = "First **guide**."
    topic.save()
    assert "<strong>guide</strong>" in client.get(topic.get_absolute_url()).content.decode()
    topic.body = "Second *guide*."
    topic.save()
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "<em>guide</em>" in html
    assert "<strong>guide</strong>" not in html


def test_a_process_keeps_its_own_copy_and_checks_it_against_the_tokens(
    client, track, django_assert_num_queries
):
    url = track.get_absolute_url()
    client.get(url)
    cache.delete_many(list(local_copies.entries))  # only this process's copy is left
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    track.title = "Changed elsewhere"
    track.save()  # the tokens move: the local copy no longer matches
    assert "Changed elsewhere" in client.get(url).content.decode()


def test_local_copies_drop_the_least_recently_used_beyond_their_size():
    copies = LocalCopies(max_bytes=10)
    copies.put("a", ((1,), (b"12", b"345"), {}))
    copies.put("b", ((1,), (b"12345",), {}))
    assert copies.get("a", (1,)) is not None  # a is now the most recently used
    copies.put("c", ((1,), (b"123",), {}))
    assert copies.get("b", (1,)) is None
    assert copies.get("a", (1,)) is not None
    assert copies.get("a", (2,)) is None  # another stamp: not this copy
    assert copies.size == 8


def test_a_process_holds_the_shared_tokens_briefly_but_never_a_learners(monkeypatch):
    held = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    cache.set(cache_tokens.cache_key(cache_tokens.CATALOGUE), held + 1, None)  # another server's change
    assert cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE] == held
    monkeypatch.setattr(cache_tokens, "HOLD_SECONDS", 0)  # the hold is over
    assert cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE] == held + 1

    monkeypatch.setattr(cache_tokens, "HOLD_SECONDS", 60)
    own = cache_tokens.learner(7)
    first = cache_tokens.read([own])[own]
    cache.set(cache_tokens.cache_key(own), first + 1, None)  # the learner checked off on another server
    assert cache_tokens.read([own])[own] == first + 1


def test_this_process_sees_its_own_change_at_once(monkeypatch):
    monkeypatch.setattr(cache_tokens, "HOLD_SECONDS", 60)
    before = cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE]
    cache_tokens.bump(cache_tokens.CATALOGUE)
    assert cache_tokens.read([cache_tokens.CATALOGUE])[cache_tokens.CATALOGUE] > before


def test_a_login_or_a_private_note_leaves_the_visitors_pages_cached(client, learner, track):
    resource = track.steps.first().topic.resources.first()
    bookmark = BookmarkFactory(user=learner, resource=resource)
    stats = cache_tokens.read([cache_tokens.STATS])[cache_tokens.STATS]
    update_last_login(None, learner)
    update_bookmark_note(bookmark=bookmark, note="Read chapter 2 first.")
    assert cache_tokens.read([cache_tokens.STATS])[cache_tokens.STATS] == stats
    learner.username = "a-new-handle"
    learner.save()  # the handle shows next to reviews: that moves it
    assert cache_tokens.read([cache_tokens.STATS])[cache_tokens.STATS] > stats


def test_a_page_cached_by_another_release_is_never_served(client, track, monkeypatch):
    url = track.get_absolute_url()
    client.get(url)
    assert queries_of(client, url)[0] == 0
    # No signal: no new token.
    Topic.objects.filter(pk=track.steps.first().topic_id).update(title="New release")
    monkeypatch.setattr(releases, "release", lambda: "the next release")  # a deploy: same cache, new code
    local_copies.clear()
    count, response = queries_of(client, url)
    assert count > 0
    assert "New release" in response.content.decode()
