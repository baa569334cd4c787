"""Bulk writes (`update()`, `bulk_create()`, `bulk_update()`) send no signal, so the models' querysets
(plumbing.token_querysets) move the cache tokens themselves: no caller can forget to."""

import pytest
from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.test import Client

from learning.models import Bookmark, Rating, Resource, Stage, Topic, Track
from plumbing import cache_tokens
from plumbing.token_querysets import CuratedQuerySet, OwnedQuerySet
from tests.factories import BookmarkFactory, RatingFactory, ResourceFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db


def token(name: str) -> int:
    cache_tokens.forget_held()
    return cache_tokens.read([name])[name]


def moved(name: str, write) -> bool:
    before = token(name)
    write()
    return token(name) != before


@pytest.mark.parametrize(
    "model", list(apps.get_app_config("learning").get_models()), ids=lambda m: m.__name__
)
def test_every_model_moves_tokens_on_every_kind_of_write(model):
    """A new model must choose: curated (the catalogue token) or owned by a learner (their token)."""
    queryset = model._default_manager.get_queryset()
    assert isinstance(queryset, CuratedQuerySet | OwnedQuerySet), model
    # Saves and deletes (row by row: deletes are never "fast" while a receiver listens) send signals.
    assert post_save.has_listeners(model), model
    assert post_delete.has_listeners(model), model


def test_a_catalogue_update_moves_the_catalogue_token_and_a_visitor_sees_it():
    track = build_track(2)
    visitor = Client()
    assert "Backend developer" in visitor.get(track.get_absolute_url()).text
    assert moved(
        cache_tokens.CATALOGUE, lambda: Track.objects.filter(pk=track.pk).update(title="Renamed track")
    )
    assert "Renamed track" in visitor.get(track.get_absolute_url()).text


@pytest.mark.parametrize(
    "write",
    [
        lambda: Stage.objects.update(summary="changed"),
        lambda: Topic.objects.bulk_create([Topic(slug="bulk-topic", title="Bulk topic")]),
        lambda: Resource.objects.bulk_update(
            [Resource(pk=r.pk, title="Bulk title") for r in Resource.objects.all()], ["title"]
        ),
    ],
    ids=["update", "bulk_create", "bulk_update"],
)
def test_every_bulk_write_of_curated_rows_moves_the_catalogue_token(write):
    build_track(2)
    assert moved(cache_tokens.CATALOGUE, write)


def test_an_update_of_ratings_moves_each_authors_token_and_the_stats_token_only():
    author, other = UserFactory(), UserFactory()
    rating = RatingFactory(user=author)
    tokens = {name: token(name) for name in (cache_tokens.learner(author.pk), cache_tokens.learner(other.pk))}
    stats = token(cache_tokens.STATS)
    Rating.objects.filter(pk=rating.pk).update(is_hidden=True)
    assert token(cache_tokens.learner(author.pk)) != tokens[cache_tokens.learner(author.pk)]
    assert token(cache_tokens.learner(other.pk)) == tokens[cache_tokens.learner(other.pk)]
    assert token(cache_tokens.STATS) != stats


def test_an_update_that_matches_nothing_moves_no_token():
    learner = UserFactory()
    assert not moved(cache_tokens.learner(learner.pk), lambda: Rating.objects.filter(pk=0).update(stars=1))


def test_bulk_created_bookmarks_move_their_owners_tokens():
    learner = UserFactory()
    resources = [ResourceFactory(), ResourceFactory()]
    assert moved(
        cache_tokens.learner(learner.pk),
        lambda: Bookmark.objects.bulk_create([Bookmark(user=learner, resource=r) for r in resources]),
    )


def test_a_bulk_note_update_moves_the_owners_token():
    bookmark = BookmarkFactory()
    assert moved(
        cache_tokens.learner(bookmark.user_id),
        lambda: Bookmark.objects.bulk_update(
            [Bookmark(pk=bookmark.pk, user=bookmark.user, note="n")], ["note"]
        ),
    )


def test_an_update_of_one_learners_rows_touches_and_moves_only_theirs():
    author, other = UserFactory(), UserFactory()
    mine, theirs = RatingFactory(user=author, stars=2), RatingFactory(user=other, stars=2)
    tokens = {user.pk: token(cache_tokens.learner(user.pk)) for user in (author, other)}
    stats = token(cache_tokens.STATS)
    assert Rating.objects.all().update_of(author, stars=5) == 1
    assert (Rating.objects.get(pk=mine.pk).stars, Rating.objects.get(pk=theirs.pk).stars) == (5, 2)
    assert token(cache_tokens.learner(author.pk)) != tokens[author.pk]
    assert token(cache_tokens.learner(other.pk)) == tokens[other.pk]
    assert token(cache_tokens.STATS) != stats  # ratings show to visitors
    assert not moved(
        cache_tokens.learner(other.pk), lambda: Rating.objects.filter(pk=0).update_of(other, stars=1)
    )


def test_writes_in_a_bumped_once_block_move_each_token_once_when_it_ends(monkeypatch):
    learner = UserFactory()
    name = cache_tokens.learner(learner.pk)
    moves = []
    set_now = cache_tokens._set_now
    monkeypatch.setattr(cache_tokens, "_set_now", lambda names: (moves.append(names), set_now(names)))
    before = token(name)
    with cache_tokens.bumped_once():
        BookmarkFactory(user=learner)
        RatingFactory(user=learner)
        with cache_tokens.bumped_once():  # nested: the outer block moves it
            Bookmark.objects.filter(user=learner).delete()
        assert moves == []
        assert token(name) == before
    assert token(name) != before
    assert len(moves) == 1  # the factories' resources move the catalogue's token in the same move
    assert {name, cache_tokens.STATS} <= set(moves[0])


def test_a_bumped_once_block_that_fails_still_moves_the_tokens_of_the_writes_before():
    learner = UserFactory()
    name = cache_tokens.learner(learner.pk)
    before = token(name)

    @cache_tokens.bumped_once()
    def write_then_fail():
        BookmarkFactory(user=learner)
        raise RuntimeError("after a write")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert token(name) != before


def test_a_check_off_moves_the_learners_token_once(monkeypatch, client):
    track = build_track(2)
    learner = UserFactory()
    client.force_login(learner)
    topic = track.steps.first().topic
    moves = []
    set_now = cache_tokens._set_now
    monkeypatch.setattr(cache_tokens, "_set_now", lambda names: (moves.append(names), set_now(names)))
    for status in ("done", "learning"):  # each: the status, the day's activity, the review schedule
        moves.clear()
        response = client.post(f"/topics/{topic.slug}/status/", {"status": status})
        assert response.status_code == 302
        assert moves == [(cache_tokens.learner(learner.pk),)]
