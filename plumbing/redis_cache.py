"""The shared cache: Redis through django-redis, made so that Redis going away never takes the site down.

django-redis is the client: one connection pool and one redis-py client per server, reused by every call,
and the socket timeouts (settings: REDIS_TIMEOUT), so a dead Redis costs a refused connection or at most
that timeout. django-redis can also ignore a failed command (IGNORE_EXCEPTIONS), but then nobody can tell
a miss from an outage; this backend needs to tell them apart, so it leaves IGNORE_EXCEPTIONS off and
decides in one place what a failed call means:

- A read is a miss and a write is skipped. Pages render uncached (plumbing.page_cache), version tokens are
  minted anew for each request (plumbing.cache_tokens), sessions and the logged-in user come from the
  database (`cached_db`, accounts.backends).
- Keys under OPTIONS["LOCAL_FALLBACK_PREFIXES"] (the rate limits' counters and locks) go to this process's
  memory instead, so limits keep limiting, each process counting for itself.
- The first failure marks Redis as away in this process and logs one WARNING. From then on no call waits
  for Redis: a thread pings it every OPTIONS["RETRY_SECONDS"] and, once it answers, deletes from it every
  key this process wrote or deleted while it was away (what Redis still holds for them is older than the
  database: a session since logged out, a version token since moved, so a page from before the change
  would be taken as current), then logs one INFO and the site uses Redis again.

What stays: another process that never saw the outage may read such a key in the moment between Redis
answering again and this process's thread deleting it (at most RETRY_SECONDS).
"""

import logging
import threading
import time
from collections.abc import Iterable

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("roadmap.cache")

# What a Redis that is away, frozen or restarting raises (BusyLoadingError is a ConnectionError).
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, TimeoutError, ConnectionInterrupted)
DEFAULT_RETRY_SECONDS = 1.0
# Beyond this many keys written while away, every key of the site is deleted when Redis answers again.
MAX_REMEMBERED_KEYS = 10_000
DELETE_BATCH = 500


class Outage:
    """This process's knowledge of one Redis server being away, shared by the cache objects of all threads."""

    def __init__(self, server: str, retry_seconds: float):
        self.server = server
        self.retry_seconds = retry_seconds
        self.lock = threading.Lock()
        self.since: float | None = None  # time.monotonic() of the first failure
        self.written: set[str] = set()  # Redis keys written or deleted while away
        self.forget_all = False  # too many to remember: delete every key of the site instead
        self.prober: threading.Thread | None = None

    @property
    def away(self) -> bool:
        return self.since is not None

    def begin(self, error: BaseException, backend: "RedisCache") -> None:
        with self.lock:
            if self.since is None:
                self.since = time.monotonic()
                log.warning(
                    "cache unavailable: Redis at %s is away (%s); serving uncached, sessions from the "
                    "database, rate limits in this process",
                    self.server,
                    error,
                )
            self._ensure_prober(backend)

    def remember(self, keys: Iterable[str], backend: "RedisCache") -> None:
        with self.lock:
            self.written.update(keys)
            if len(self.written) > MAX_REMEMBERED_KEYS:
                self.written.clear()
                self.forget_all = True
            self._ensure_prober(backend)  # a forked worker inherits the state but not the thread

    def _ensure_prober(self, backend: "RedisCache") -> None:
        if self.prober is None or not self.prober.is_alive():
            self.prober = threading.Thread(
                target=self._probe, args=(backend,), name="redis-prober", daemon=True
            )
            self.prober.start()

    def _probe(self, backend: "RedisCache") -> None:
        redis = backend.client.get_client(write=True)
        while True:
            time.sleep(self.retry_seconds)
            try:
                redis.ping()
                if self._forget_written(redis, backend):
                    return
            except OUTAGE_ERRORS:
                continue

    def _forget_written(self, redis, backend: "RedisCache") -> bool:
        """Deletes what was written while away; marks Redis back once nothing is left to delete."""
        with self.lock:
            keys, forget_all = list(self.written), self.forget_all
            self.written.clear()
            self.forget_all = False
        try:
            if forget_all:
                keys = list(redis.scan_iter(match=str(backend.make_key("*"))))
            for start in range(0, len(keys), DELETE_BATCH):
                redis.delete(*keys[start : start + DELETE_BATCH])
        except OUTAGE_ERRORS:
            self.remember(keys, backend)
            self.forget_all |= forget_all
            raise
        with self.lock:
            if self.written or self.forget_all:
                return False  # written meanwhile: another round before Redis is used again
            seconds = time.monotonic() - (self.since or time.monotonic())
            self.since = None
            self.prober = None
        log.info(
            "cache back: Redis at %s answers again after %.1f s",
            self.server,
            seconds,
        )
        return True


_outages: dict[str, Outage] = {}
_outages_lock = threading.Lock()


def outage_of(server: str, retry_seconds: float) -> Outage:
    with _outages_lock:
        if server not in _outages:
            _outages[server] = Outage(server, retry_seconds)
        return _outages[server]


def away_since(server: str) -> float | None:
    """When (time.monotonic()) this process found the Redis at `server` away; None while it answers."""
    outage = _outages.get(server)
    return outage.since if outage else None


_MISSING = object()


class RedisCache(DjangoRedisCache):
    """django-redis's backend, for a Redis that may fail (see the module's docstring)."""

    def __init__(self, server, params):
        options = params.get("OPTIONS", {})
        if options.get("IGNORE_EXCEPTIONS"):
            raise ValueError(
                "plumbing.redis_cache.RedisCache handles failures itself: leave IGNORE_EXCEPTIONS off"
            )
        super().__init__(server, params)
        self.local_prefixes = tuple(options.get("LOCAL_FALLBACK_PREFIXES", ()))
        self.outage = outage_of(str(server), float(options.get("RETRY_SECONDS", DEFAULT_RETRY_SECONDS)))
        self.local = LocMemCache(f"redis-fallback:{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    # ---- the one place a call meets Redis ----

    def _call(self, method, *args, miss=None, written: tuple[Iterable[str], int | None] = ((), None)):
        """super().method(*args), or `miss` (called if callable) when Redis is away or fails now; the keys
        in `written` (keys, version) are then remembered, to be deleted from Redis when it answers again."""
        if not self.outage.away:
            try:
                return getattr(super(), method)(*args)
            except OUTAGE_ERRORS as error:
                self.outage.begin(error, self)
        keys, version = written
        self._remember(keys, version)
        return miss() if callable(miss) else miss

    def _remember(self, keys: Iterable[str], version) -> None:
        made = [str(self.make_key(key, version)) for key in keys if not self._local(key)]
        if made:
            self.outage.remember(made, self)

    def _local(self, key: str) -> bool:
        return key.startswith(self.local_prefixes) if self.local_prefixes else False

    def _using_local(self, key: str) -> bool:
        return self._local(key) and self.outage.away

    # ---- reads: a miss ----

    def get(self, key, default=None, version=None, client=None):
        if self._using_local(key):
            return self.local.get(key, default, version)
        value = self._call("get", key, _MISSING, version, client, miss=_MISSING)
        if value is _MISSING and self._using_local(key):  # Redis went away during this very call
            return self.local.get(key, default, version)
        return default if value is _MISSING else value

    def get_many(self, keys, version=None, client=None):
        keys = list(keys)
        if self.outage.away:
            return self.local.get_many([key for key in keys if self._local(key)], version)
        return self._call("get_many", keys, version, client, miss=dict)

    def has_key(self, key, version=None, client=None):
        if self._using_local(key):
            return self.local.has_key(key, version)
        return self._call("has_key", key, version, client, miss=False)

    # ---- writes: skipped, and remembered ----

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None, nx=False, xx=False):
        if self._using_local(key):
            return self._local_set(key, value, timeout, version, nx=nx)
        result = self._call(
            "set",
            key,
            value,
            timeout,
            version,
            client,
            nx,
            xx,
            miss=_MISSING,
            written=([] if nx else [key], version),
        )
        if result is _MISSING:
            return self._local_set(key, value, timeout, version, nx=nx) if self._local(key) else False
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        return self.set(key, value, timeout, version, client, nx=True)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        if self.outage.away:
            self._remember(data, version)
            self.local.set_many(
                {key: value for key, value in data.items() if self._local(key)}, timeout, version
            )
            return [key for key in data if not self._local(key)]
        result = self._call(
            "set_many", data, timeout, version, client, miss=_MISSING, written=(data, version)
        )
        return list(data) if result is _MISSING else (result or [])

    def delete(self, key, version=None, prefix=None, client=None):
        if self._using_local(key):
            return self.local.delete(key, version)
        return self._call("delete", key, version, prefix, client, miss=False, written=([key], version))

    def delete_many(self, keys, version=None, client=None):
        keys = list(keys)
        if self.outage.away:
            self.local.delete_many([key for key in keys if self._local(key)], version)
        return self._call("delete_many", keys, version, client, miss=None, written=(keys, version))

    def incr(self, key, delta=1, version=None, client=None, ignore_key_check=False):
        if self._using_local(key):
            return self.local.incr(key, delta, version)
        value = self._call(
            "incr", key, delta, version, client, ignore_key_check, miss=_MISSING, written=([key], version)
        )
        if value is _MISSING:
            if self._local(key):
                return self.local.incr(key, delta, version)
            raise ValueError(f"Key {key!r} not found (Redis is away)")
        return value

    def decr(self, key, delta=1, version=None, client=None):
        return self.incr(key, -delta, version, client)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        if self._using_local(key):
            return self.local.touch(key, timeout, version)
        return self._call("touch", key, timeout, version, client, miss=False)

    def clear(self):
        self.local.clear()
        if self.outage.away:
            with self.outage.lock:
                self.outage.forget_all = True
        return self._call("clear", miss=None)

    def _local_set(self, key, value, timeout, version, *, nx: bool) -> bool:
        if nx:
            return self.local.add(key, value, timeout, version)
        self.local.set(key, value, timeout, version)
        return True


def cache_health(alias: str = "default") -> str | None:
    """ "ok" or "unavailable" for a Redis cache (asking it, unless this process knows it is away already);
    None for a cache of another kind (this process's memory has nothing to lose)."""
    backend = caches[alias]
    if not isinstance(backend, RedisCache):
        return None
    backend.has_key("readyz")
    return "unavailable" if backend.outage.away else "ok"
