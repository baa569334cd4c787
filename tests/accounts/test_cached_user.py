"""The logged-in user (accounts.backends): kept in the cache only when every app process shares it (Redis),
dropped there by any change to the user; read from the database on every request otherwise.

Each behaviour runs twice: with the tests' default cache (this process's memory, as without REDIS_URL) and
with a Redis cache (as with REDIS_URL; skipped when Redis isn't running). tests/ops/test_two_servers.py and
tests/ops/test_stale_login.py do the same across real server processes."""

import json
import os
import uuid

import pytest
import redis
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import cache_is_shared, user_key
from accounts.models import User
from tests.accounts.conftest import PASSWORD
from tests.ops.conftest import redis_answers
from tests.processes import run_python

NEW_PASSWORD = "a different horse entirely 42"
DASHBOARD = "/me/"
PROFILE = reverse("accounts:profile_settings")
DELETE = reverse("accounts:delete_account")
REDIS_URL = "redis://127.0.0.1:6379/6"


@pytest.fixture(params=["process-local", "redis"])
def cache_kind(request):
    """The default cache (LocMemCache), or Redis under a key prefix of this test's own (nothing is flushed:
    other test runs may share the server); its keys are deleted afterwards."""
    if request.param == "process-local":
        yield request.param
        return
    if not redis_answers(REDIS_URL):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test-cached-user-{uuid.uuid4().hex}"
    redis_cache = {
        "BACKEND": "plumbing.redis_cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": prefix,
    }
    try:
        with override_settings(CACHES={"default": redis_cache}):
            yield request.param
    finally:
        server = redis.Redis.from_url(REDIS_URL)
        for key in server.scan_iter(match=f"{prefix}:*"):
            server.delete(key)


def user_queries(client, url=DASHBOARD) -> int:
    """How many queries read the users table while `url` is served to the client."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum('from "accounts_user"' in query["sql"].lower() for query in captured)


def logged_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("account_login"))


def two_sessions(user):
    """Two browsers logged in as `user` through the login page, each having loaded the dashboard (so, with a
    shared cache, the user's copy is in it)."""
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.content
        assert browser.get(DASHBOARD).status_code == 200
    return here, elsewhere


# ---------- Shared or not ----------


@pytest.mark.parametrize(
    ("backend", "shared"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", False),
        ("django.core.cache.backends.dummy.DummyCache", False),
        ("django.core.cache.backends.filebased.FileBasedCache", False),  # one machine's disk, not a server's
        ("plumbing.redis_cache.RedisCache", True),
        ("django.core.cache.backends.redis.RedisCache", True),
        ("django.core.cache.backends.db.DatabaseCache", True),
    ],
)
def test_only_a_cache_every_process_reads_counts_as_shared(backend, shared, tmp_path):
    location = {
        "django.core.cache.backends.filebased.FileBasedCache": str(tmp_path),
        "django.core.cache.backends.db.DatabaseCache": "cache_table",
    }.get(backend, "127.0.0.1:1")
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": location}}):
        assert cache_is_shared() is shared


PROBE = (
    "import json, django; django.setup(); from accounts.backends import cache_is_shared; "
    "from django.conf import settings; "
    "print(json.dumps({'backend': settings.CACHES['default']['BACKEND'], 'shared': cache_is_shared()}))"
)


@pytest.mark.parametrize(
    ("redis_url", "shared"),
    [("", False), ("redis://127.0.0.1:6379/6", True)],
    ids=["no-REDIS_URL", "REDIS_URL"],
)
def test_the_real_settings_share_the_cache_only_with_redis_url(redis_url, shared):
    env = {"REDIS_URL": redis_url} if redis_url else {}
    result = run_python(["-c", PROBE], DATABASE_URL=os.environ.get("DATABASE_URL", ""), **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["shared"] is shared


# ---------- What each request reads ----------


def test_the_user_is_read_every_request_unless_the_cache_is_shared(
    cache_kind, logged_in_client, verified_user
):
    expected = [1, 0, 0] if cache_kind == "redis" else [1, 1, 1]
    assert [user_queries(logged_in_client) for _ in range(3)] == expected


@pytest.mark.parametrize("cache_kind", ["redis"], indirect=True)
def test_a_learners_cached_page_asks_for_the_user_and_their_token_at_once(
    cache_kind, logged_in_client, verified_user, monkeypatch
):
    """The user comes with their version token in one round trip: the page cache reads the token noted then
    (plumbing.cache_tokens.note) rather than asking the cache for it again."""
    from plumbing.redis_cache import RedisCache

    track = reverse("learning:track_list")
    assert logged_in_client.get(track).status_code == 200  # rendered and kept
    calls = []
    real = RedisCache._call  # the one place a call meets Redis

    def counted(self, method, *args, **kwargs):
        calls.append((method, args[0]))
        return real(self, method, *args, **kwargs)

    monkeypatch.setattr(RedisCache, "_call", counted)
    assert logged_in_client.get(track).status_code == 200
    # (The session is the session engine's: in the database, or a get of its own in the shared cache.)
    token = f"version:learner:{verified_user.pk}"
    asked = [keys for _, keys in calls if token in keys or user_key(verified_user.pk) in keys]
    assert asked == [[user_key(verified_user.pk), token]]


def test_the_user_is_in_the_cache_only_when_it_is_shared(cache_kind, logged_in_client, verified_user):
    from django.core.cache import cache

    user_queries(logged_in_client)
    assert (cache.get(user_key(verified_user.pk)) is not None) is (cache_kind == "redis")


@pytest.mark.parametrize("backend", ["accounts.backends.ModelBackend", "accounts.backends.AllauthBackend"])
def test_both_backends_keep_the_user_only_in_a_shared_cache(cache_kind, verified_user, backend):
    client = Client()
    client.force_login(verified_user, backend=backend)
    expected = [1, 0] if cache_kind == "redis" else [1, 1]
    assert [user_queries(client) for _ in range(2)] == expected


# ---------- Changes to the user show at once ----------


def test_a_deactivated_user_is_logged_out_at_once(cache_kind, logged_in_client, verified_user):
    user_queries(logged_in_client)
    user_queries(logged_in_client)  # with Redis, served from the copy
    verified_user.is_active = False
    verified_user.save()
    assert logged_out(logged_in_client.get(DASHBOARD))


def test_a_deleted_user_is_logged_out_at_once(cache_kind, logged_in_client, verified_user):
    user_queries(logged_in_client)
    user_queries(logged_in_client)
    User.objects.filter(pk=verified_user.pk).delete()
    assert logged_out(logged_in_client.get(DASHBOARD))


def test_a_password_change_elsewhere_ends_this_session_at_once(cache_kind, verified_user):
    here, elsewhere = two_sessions(verified_user)
    response = elsewhere.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert elsewhere.get(DASHBOARD).status_code == 200  # the session that changed it stays
    assert logged_out(here.get(DASHBOARD))  # the other one is over


def test_an_account_deleted_elsewhere_ends_this_session_at_once(cache_kind, verified_user):
    here, elsewhere = two_sessions(verified_user)
    reauthenticated = elsewhere.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert reauthenticated.status_code == 302  # deleting asks for a recent password (accounts.views)
    response = elsewhere.post(DELETE, {"confirm": verified_user.username})
    assert response.status_code == 302
    assert not User.objects.filter(pk=verified_user.pk).exists()
    assert logged_out(here.get(DASHBOARD))


def test_a_new_handle_saved_elsewhere_shows_here_at_once(cache_kind, verified_user):
    """The profile page saves the handle with a bulk update (no signal): it drops the copy itself."""
    here, elsewhere = two_sessions(verified_user)
    assert 'value="learner-0badf00d"' in here.get(PROFILE).content.decode()
    response = elsewhere.post(PROFILE, {"username": "ada-lovelace", "profile_is_public": "on"})
    assert response.status_code == 302
    page = here.get(PROFILE).content.decode()
    assert 'value="ada-lovelace"' in page
    assert "learner-0badf00d" not in page
