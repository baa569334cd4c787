"""The session read in one round trip with the user it logs in (accounts/sessions.py): with a shared cache,
a process that has read a session before asks for it, its user's copy and their version token at once; a
wrong guess at whose the session is, a session the cache lost, or no shared cache change nothing of who is
logged in."""

import uuid

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings

from accounts import sessions
from accounts.backends import user_key
from plumbing.redis_cache import RedisCache
from tests.factories import UserFactory
from tests.ops.conftest import redis_answers

REDIS_URL = "redis://127.0.0.1:6379/6"
PAGE = "/me/"  # a learner's page: it reads the user and the page cache reads their token


@pytest.fixture
def shared_cache():
    """Redis as the cache and accounts.sessions as the session engine, as the settings have them with
    REDIS_URL, under a key prefix of this test's own (deleted afterwards)."""
    if not redis_answers(REDIS_URL):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test-session-with-user-{uuid.uuid4().hex}"
    caches = {
        "default": {"BACKEND": "plumbing.redis_cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    }
    sessions.hints.clear()
    try:
        with override_settings(CACHES=caches, SESSION_ENGINE="accounts.sessions"):
            yield
    finally:
        sessions.hints.clear()
        server = redis.Redis.from_url(REDIS_URL)
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)


@pytest.fixture
def calls(monkeypatch):
    """Each call that meets Redis (RedisCache._call) from now on: (method, its first argument)."""
    seen: list = []
    real = RedisCache._call

    def counted(self, method, *args, **kwargs):
        seen.append((method, args[0]))
        return real(self, method, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "_call", counted)
    return seen


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_key_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def reads(calls, *keys) -> list:
    """The reads that ask for a cache key containing any of `keys` (the session's key is in its cache key)."""
    found = []
    for method, arg in calls:
        asked = arg if isinstance(arg, list) else [arg]
        if method in ("get", "get_many") and any(key in str(each) for each in asked for key in keys):
            found.append((method, arg))
    return found


def test_a_known_session_is_read_with_its_user_and_token_in_one_round_trip(db, shared_cache, calls):
    user = UserFactory()
    client = logged_in(user)
    assert client.get(PAGE).status_code == 200  # this process learns whose the session is
    calls.clear()
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == user.pk
    token = f"version:learner:{user.pk}"
    asked = reads(calls, session_key_of(client), user_key(user.pk), token)
    assert len(asked) == 1, asked
    method, keys = asked[0]
    assert method == "get_many"
    assert keys[1:] == [user_key(user.pk), token]
    assert session_key_of(client) in keys[0]


def test_an_unknown_session_is_read_first_and_its_user_after(db, shared_cache, calls):
    user = UserFactory()
    client = logged_in(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == user.pk
    # The session on its own, then the user with their token: what the process learns for next time.
    asked = reads(calls, session_key_of(client), user_key(user.pk))
    assert [method for method, _ in asked] == ["get", "get_many"]
    assert sessions.hints.get(session_key_of(client)) == str(user.pk)


def test_a_wrong_guess_never_logs_in_the_guessed_user(db, shared_cache, calls):
    ada, bob = UserFactory(), UserFactory()
    ada_client, bob_client = logged_in(ada), logged_in(bob)
    for client in (ada_client, bob_client):
        assert client.get(PAGE).status_code == 200  # both copies in the cache, both sessions known
    sessions.hints.learn(session_key_of(ada_client), bob.pk)  # the process guesses wrong about Ada's session
    calls.clear()
    response = ada_client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == ada.pk
    # Bob's copy came along with Ada's session, unused; Ada's was asked for after it.
    asked = reads(calls, session_key_of(ada_client), user_key(ada.pk), user_key(bob.pk))
    assert [(method, keys[1:] if method == "get_many" else None) for method, keys in asked] == [
        ("get_many", [user_key(bob.pk), f"version:learner:{bob.pk}"]),
        ("get_many", [f"version:learner:{ada.pk}"]),
    ]
    assert sessions.hints.get(session_key_of(ada_client)) == str(ada.pk)  # learned again


def test_a_session_the_cache_lost_is_read_from_the_database(db, shared_cache):
    from django.core.cache import cache

    user = UserFactory()
    client = logged_in(user)
    assert client.get(PAGE).status_code == 200
    cache.delete(sessions.SessionStore(session_key_of(client)).cache_key)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == user.pk


def test_a_logged_out_session_stays_logged_out(db, shared_cache):
    user = UserFactory()
    client = logged_in(user)
    assert client.get(PAGE).status_code == 200
    old = session_key_of(client)
    client.logout()  # the session is deleted from the cache and the database
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = old
    response = stale.get(PAGE)
    assert response.status_code == 302  # to the login page
    assert not response.wsgi_request.user.is_authenticated
    assert sessions.hints.get(old) is None


def test_without_a_shared_cache_the_session_is_read_as_cached_db_reads_it(db, calls):
    user = UserFactory()
    with override_settings(SESSION_ENGINE="accounts.sessions"):
        client = logged_in(user)
        for _ in range(2):
            response = client.get(PAGE)
            assert response.status_code == 200
            assert response.wsgi_request.user.pk == user.pk
    assert not sessions.reads_together()
    assert calls == []  # the tests' default cache is this process's memory: Redis is never asked


def test_the_hints_forget_the_least_recently_used_first():
    hints = sessions.UserHints(2)
    hints.learn("a", 1)
    hints.learn("b", 2)
    assert hints.get("a") == "1"  # a is now the most recently used
    hints.learn("c", 3)
    assert (hints.get("a"), hints.get("b"), hints.get("c")) == ("1", None, "3")
    hints.learn("a", None)  # a session that logs nobody in any more
    assert hints.get("a") is None
