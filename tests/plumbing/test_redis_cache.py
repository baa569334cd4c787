"""plumbing/redis_cache.py in this process, against a redis-server of the test's own that it stops and starts:
while Redis answers the calls go to it; while it is away every call is a miss or a skipped write, at once,
rate-limit keys count in this process's memory, and one WARNING says so; when it answers again one INFO says
so, what was written or deleted meanwhile is deleted from it, and the cache uses it again. The same outage
under gunicorn, through the pages, is tests/ops/test_cache_outage.py."""

import logging
import shutil
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from plumbing import overlay, redis_cache
from plumbing.redis_cache import RedisCache, away_since, cache_health
from tests.ops.servers import RedisServer

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")

PREFIX = "site"
RETRY_SECONDS = 0.1
# Redis refuses at once when it is stopped, and after the first failure no call asks it: a few
# milliseconds each even on a loaded machine; waiting on a socket would cost a timeout (1 s) per call.
CALLS_WITHIN_SECONDS = 0.5
BACK_WITHIN_SECONDS = 5


def cache_settings(server: RedisServer, **options) -> dict:
    return {
        "BACKEND": "plumbing.redis_cache.RedisCache",
        "LOCATION": server.url,
        "KEY_PREFIX": PREFIX,
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
            "LOCAL_FALLBACK_PREFIXES": ("allauth:rl:", "rl:"),
            "RETRY_SECONDS": RETRY_SECONDS,
            **options,
        },
    }


def make_cache(server: RedisServer, **options) -> RedisCache:
    params = cache_settings(server, **options)
    return RedisCache(params.pop("LOCATION"), params)


def stored(server: RedisServer, key: str) -> bool:
    """Whether Redis itself holds the cache's `key` (version 1)."""
    return bool(server.client().exists(f"{PREFIX}:1:{key}"))


@pytest.fixture
def server(tmp_path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    yield redis_server
    redis_server.stop()


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logs():
    """What the cache logs (at INFO and above, whatever LOG_LEVEL says), from any thread."""
    logger = logging.getLogger("roadmap.cache")
    handler, level = Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def records(logs, level):
    return [record for record in logs.records if record.levelno == level]


def wait_until_back(cache: RedisCache, logs, within: float = BACK_WITHIN_SECONDS) -> float:
    """Seconds until the cache logged that Redis answers again (fails the test past `within`)."""
    started = time.monotonic()
    while not records(logs, logging.INFO):
        assert time.monotonic() - started < within, "the cache never found Redis back"
        time.sleep(0.02)
    assert not cache.outage.away
    return time.monotonic() - started


def go_away(server: RedisServer, cache: RedisCache) -> None:
    server.stop()
    assert cache.get("anything") is None  # the first call finds it away
    assert cache.outage.away


# ---------- Redis answering ----------


def test_while_redis_answers_every_call_goes_to_it(server):
    cache = make_cache(server)
    assert cache.set("page", "v1") is True
    assert stored(server, "page")
    assert cache.get("page") == "v1"
    assert cache.get("missing", "default") == "default"
    assert cache.has_key("page")
    assert not cache.has_key("missing")
    assert cache.add("page", "v2") is False
    assert cache.get("page") == "v1"
    assert cache.add("fresh", 1) is True
    assert cache.incr("fresh") == 2
    assert cache.decr("fresh", 2) == 0
    assert cache.set_many({"a": 1, "b": 2}) == []
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert cache.touch("a", 60) is True
    assert 0 < server.client().ttl(f"{PREFIX}:1:a") <= 60
    assert cache.delete("a") is True
    assert not stored(server, "a")
    cache.delete_many(["b", "fresh"])
    assert not stored(server, "b")
    assert not stored(server, "fresh")
    cache.set("rl:login", 1)  # a rate-limit key is in Redis too while it answers: shared by every process
    assert stored(server, "rl:login")
    cache.clear()
    assert server.client().dbsize() == 0
    assert away_since(server.url) is None


def test_incrementing_a_missing_key_fails_as_django_says(server):
    with pytest.raises(ValueError, match="not found"):
        make_cache(server).incr("missing")


def test_ignoring_exceptions_is_refused_because_a_miss_must_differ_from_an_outage(server):
    with pytest.raises(ValueError, match="leave IGNORE_EXCEPTIONS off"):
        make_cache(server, IGNORE_EXCEPTIONS=True)


# ---------- Redis away, then back ----------


def test_while_redis_is_away_calls_miss_at_once_and_one_warning_is_logged(server, logs):
    cache = make_cache(server)
    cache.set("page", "before")
    go_away(server, cache)
    assert away_since(server.url) is not None

    started = time.monotonic()
    for _ in range(20):
        assert cache.get("page") is None
        assert cache.get("page", "default") == "default"
        assert cache.get_many(["page", "other"]) == {}
        assert cache.has_key("page") is False
        assert cache.set("page", "during") is False
        assert cache.add("other", 1) is False
        assert cache.touch("page") is False
        assert cache.delete("page") is False
        assert cache.set_many({"page": 1, "other": 2}) == ["page", "other"]
        cache.delete_many(["page", "other"])
        with pytest.raises(ValueError, match="Redis is away"):
            cache.incr("counter")
    assert time.monotonic() - started < CALLS_WITHIN_SECONDS * 5  # 220 calls; one socket timeout is 1 s

    warnings = records(logs, logging.WARNING)
    assert len(warnings) == 1
    assert f"Redis at {server.url} is away" in warnings[0].getMessage()

    server.start()
    wait_until_back(cache, logs)
    assert len(records(logs, logging.INFO)) == 1
    assert "answers again" in records(logs, logging.INFO)[0].getMessage()
    assert away_since(server.url) is None


def test_a_call_finding_redis_away_returns_within_a_bound(server):
    cache = make_cache(server)
    server.stop()
    started = time.monotonic()
    assert cache.get("page", "default") == "default"  # the first one: refused, no timeout
    assert cache.set("page", 1) is False
    assert time.monotonic() - started < CALLS_WITHIN_SECONDS
    server.start()


def test_rate_limit_counters_keep_counting_in_this_process_while_redis_is_away(server, logs):
    cache = make_cache(server)
    go_away(server, cache)
    # allauth's limits: a list of attempt times under "allauth:rl:..."; django-ratelimit's: add then incr.
    assert cache.add("rl:login:1.2.3.4", 0, 60) is True
    assert cache.add("rl:login:1.2.3.4", 0, 60) is False  # already counting
    assert [cache.incr("rl:login:1.2.3.4") for _ in range(3)] == [1, 2, 3]
    assert cache.decr("rl:login:1.2.3.4") == 2
    assert cache.get("rl:login:1.2.3.4") == 2
    assert cache.has_key("rl:login:1.2.3.4")
    cache.set("allauth:rl:login_failed:ada", [1.0, 2.0])
    cache.set_many({"allauth:rl:signup:x": [3.0], "page": "skipped"})
    assert cache.get_many(["allauth:rl:login_failed:ada", "allauth:rl:signup:x", "page"]) == {
        "allauth:rl:login_failed:ada": [1.0, 2.0],
        "allauth:rl:signup:x": [3.0],
    }
    assert cache.touch("allauth:rl:signup:x", 60) is True
    assert cache.delete("allauth:rl:signup:x") is True
    assert cache.get("allauth:rl:signup:x") is None
    cache.delete_many(["allauth:rl:login_failed:ada"])
    assert cache.get("allauth:rl:login_failed:ada") is None
    assert len(records(logs, logging.WARNING)) == 1

    server.start()
    wait_until_back(cache, logs)
    # Back in Redis, shared again: the process-local counts stay behind, nothing of them was written there.
    assert cache.get("rl:login:1.2.3.4") is None
    assert not stored(server, "rl:login:1.2.3.4")


@pytest.mark.parametrize(
    ("first_call", "then"),
    [
        (lambda cache: cache.set("rl:x", 5), lambda cache: cache.get("rl:x") == 5),
        (lambda cache: cache.add("rl:x", 5), lambda cache: cache.get("rl:x") == 5),
        (lambda cache: cache.get("rl:x", "none") == "none", lambda cache: cache.add("rl:x", 0)),
    ],
    ids=["set", "add", "get"],
)
def test_a_rate_limit_key_the_outage_is_found_on_goes_to_this_process(server, logs, first_call, then):
    """The very call that finds Redis away already uses this process's memory for a rate-limit key."""
    cache = make_cache(server)
    server.stop()
    assert first_call(cache)
    assert cache.outage.away
    assert then(cache)
    server.start()
    wait_until_back(cache, logs)


def test_a_counter_the_outage_is_found_on_counts_in_this_process(server, logs):
    cache = make_cache(server)
    cache.set("rl:x", 1)
    server.stop()
    with pytest.raises(
        ValueError, match="not found"
    ):  # not in this process's memory: a new window starts, as for a missing key
        cache.incr("rl:x")
    assert cache.outage.away
    cache.add("rl:x", 1)
    assert cache.incr("rl:x") == 2
    server.start()
    wait_until_back(cache, logs)


def test_keys_written_or_deleted_while_away_are_deleted_from_redis_when_it_answers(server, logs):
    """What Redis kept from before the outage is older than the database by then: a page since changed, a
    session since logged out. The cache deletes those keys before using Redis again. (It pings every 3 s here,
    so that the test sees Redis hold the old copies before the cache finds it back and deletes them.)"""
    cache = make_cache(server, RETRY_SECONDS=3)
    cache.set_many({"changed": "old page", "logged-out": "old session", "untouched": "still current"})
    cache.set("also-changed", "old")
    go_away(server, cache)  # redis-server saves its data when it stops, and loads it when it starts
    cache.set("changed", "new page")
    cache.delete("logged-out")
    cache.set_many({"also-changed": "new"})

    server.start()
    assert stored(server, "changed")
    assert stored(server, "logged-out")
    wait_until_back(cache, logs, within=BACK_WITHIN_SECONDS + 3)
    assert not stored(server, "changed")
    assert not stored(server, "logged-out")
    assert not stored(server, "also-changed")
    assert cache.get("untouched") == "still current"
    # Redis is used again: what is written now is read back from it.
    assert cache.set("changed", "newer") is True
    assert stored(server, "changed")
    assert cache.get("changed") == "newer"


def test_a_cache_cleared_while_away_forgets_every_key_of_the_site_when_redis_answers(server, logs):
    cache = make_cache(server)
    cache.set("page", "old")
    server.client().set("another-site:1:page", "theirs")
    go_away(server, cache)
    cache.clear()
    server.start()
    wait_until_back(cache, logs)
    assert not stored(server, "page")
    assert server.client().get("another-site:1:page") == b"theirs"  # only this site's prefix


def test_too_many_keys_written_while_away_forget_every_key_of_the_site(server, logs, monkeypatch):
    monkeypatch.setattr(redis_cache, "MAX_REMEMBERED_KEYS", 3)
    cache = make_cache(server)
    cache.set_many({"page": "old", "kept-in-redis-until-now": "old"})
    go_away(server, cache)
    for number in range(5):
        cache.set(f"written-{number}", number)
    assert cache.outage.forget_all
    server.start()
    wait_until_back(cache, logs)
    assert not stored(server, "page")
    assert not stored(server, "kept-in-redis-until-now")
    assert server.client().dbsize() == 0


def test_processes_share_what_they_know_of_one_server(server, logs):
    """Every thread has its own cache object; the outage is the process's, found once for all of them."""
    one, other = make_cache(server), make_cache(server)
    assert one.outage is other.outage
    go_away(server, one)
    assert other.outage.away
    other.set("page", 1)
    assert len(records(logs, logging.WARNING)) == 1
    server.start()
    wait_until_back(one, logs)


# ---------- /readyz's view of the cache ----------


def test_cache_health_reports_ok_then_unavailable_then_ok(server, logs):
    with override_settings(CACHES={"default": cache_settings(server)}):
        assert cache_health() == "ok"
        server.stop()
        assert cache_health() == "unavailable"
        assert cache_health() == "unavailable"  # known away: no second try
        server.start()
        wait_until_back(caches["default"], logs)
        assert cache_health() == "ok"


def test_cache_health_says_nothing_of_a_cache_in_process_memory():
    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with override_settings(CACHES=locmem):
        assert cache_health() is None


def test_a_shared_memo_reads_redis_while_it_answers_and_builds_at_once_while_it_is_away(server, logs):
    with override_settings(CACHES={"default": cache_settings(server)}):
        overlay.forget()
        assert overlay.memo(("page", 1), lambda: "built", shared=True) == "built"
        overlay.forget()  # another process
        assert overlay.memo(("page", 1), lambda: "built again", shared=True) == "built"
        server.stop()
        overlay.forget()
        started = time.monotonic()
        assert overlay.memo(("page", 1), lambda: "built here", shared=True) == "built here"
        assert overlay.memo(("page", 2), lambda: "and here", shared=True) == "and here"
        assert time.monotonic() - started < CALLS_WITHIN_SECONDS
        overlay.forget()
