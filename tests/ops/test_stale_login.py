"""No stale logins: a learner deactivated, given a new password or deleted through one app process is logged
out at once on another, which had just served them. Two real gunicorn servers on one PostgreSQL, the
session cookie in the database (no REDIS_URL: LocMemCache, each process its own) or in Redis (REDIS_URL:
the cache they share). Without a shared cache the servers don't keep the user at all; with Redis they keep
one copy there, which the change drops (accounts/backends.py)."""

import pytest
import redis
from django.db import connection
from django.test import override_settings

from accounts.backends import user_key
from accounts.models import User
from tests.ops.conftest import PASSWORD, WORKER_REDIS_URL, redis_answers, verified_learner
from tests.ops.servers import Browser, gunicorn, served_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several app servers need PostgreSQL"),
]
NEW_PASSWORD = "a different horse entirely 42"


@pytest.fixture(scope="module", params=["no shared cache", "redis"])
def servers(request, static_root, django_db_setup):
    """(first, second, redis_url): two servers, without REDIS_URL or both with the same one, on the tests'
    database (django_db_setup: created before the servers start)."""
    redis_url = ""
    if request.param == "redis":
        if not redis_answers(WORKER_REDIS_URL):
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        redis_url = WORKER_REDIS_URL
        redis.Redis.from_url(redis_url).flushdb()
    database_url = served_database_url()
    with (
        gunicorn(database_url=database_url, static_root=static_root, redis_url=redis_url) as first,
        gunicorn(database_url=database_url, static_root=static_root, redis_url=redis_url) as second,
    ):
        yield first, second, redis_url
    if redis_url:
        redis.Redis.from_url(redis_url).flushdb()


def dashboard(browser, server):
    return browser.request("GET", f"{server}/me/")


def logged_out(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/accounts/login/")


def logged_in_on_both(first, second, learner) -> Browser:
    """One browser (one session cookie) logged in on the first server, then served twice by each."""
    browser = Browser()
    assert browser.log_in(first, learner.email, PASSWORD).status_code == 302
    for server in (first, second, first, second):
        assert dashboard(browser, server).status_code == 200
    return browser


def copy_in_redis(redis_url, user) -> bool:
    """Whether the servers' shared cache holds the user's copy (the key as settings.py's prefix makes it)."""
    return bool(redis.Redis.from_url(redis_url).exists(f"roadmap:1:{user_key(user.pk)}"))


def servers_cache(redis_url):
    """This test process's cache set to the servers' own: the Redis cache settings.py configures for
    REDIS_URL, or (without it) this process's memory, which no server sees."""
    if not redis_url:
        return override_settings()
    redis_cache = {
        "BACKEND": "plumbing.redis_cache.RedisCache",
        "LOCATION": redis_url,
        "KEY_PREFIX": "roadmap",
    }
    return override_settings(CACHES={"default": redis_cache})


def test_a_learner_deactivated_from_another_process_is_logged_out_on_both_servers(servers):
    first, second, redis_url = servers
    grace = verified_learner("grace@example.com")
    browser = logged_in_on_both(first, second, grace)
    if redis_url:
        assert copy_in_redis(redis_url, grace)
    with servers_cache(redis_url):  # as the admin or a shell on a third process would do it
        grace.is_active = False
        grace.save()
    if redis_url:
        assert not copy_in_redis(redis_url, grace)
    assert logged_out(dashboard(browser, second))
    assert logged_out(dashboard(browser, first))


def test_a_password_changed_on_one_server_ends_the_other_session_on_both(servers):
    first, second, redis_url = servers
    ada = verified_learner("ada@example.com")
    here = logged_in_on_both(first, second, ada)
    elsewhere = Browser()
    assert elsewhere.log_in(first, ada.email, PASSWORD).status_code == 302
    changed = elsewhere.post_form(
        f"{first}/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    if redis_url:
        assert not copy_in_redis(redis_url, ada)
    assert logged_out(dashboard(here, second))
    assert logged_out(dashboard(here, first))
    assert dashboard(elsewhere, second).status_code == 200  # the session that changed it stays, on both


def test_an_account_deleted_on_one_server_is_logged_out_on_the_other(servers):
    first, second, redis_url = servers
    hedy = verified_learner("hedy@example.com")
    here = logged_in_on_both(first, second, hedy)
    elsewhere = Browser()
    assert elsewhere.log_in(first, hedy.email, PASSWORD).status_code == 302
    assert elsewhere.post_form(f"{first}/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302
    deleted = elsewhere.post_form(f"{first}/me/delete/", {"confirm": hedy.username})
    assert deleted.status_code == 302
    assert not User.objects.filter(pk=hedy.pk).exists()
    if redis_url:
        assert not copy_in_redis(redis_url, hedy)
    assert logged_out(dashboard(here, second))
