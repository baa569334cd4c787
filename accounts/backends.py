"""Authentication backends that read the logged-in user from the shared cache instead of the database.

Every request of a logged-in learner loads their user (django.contrib.auth.get_user). On a cached page that
query, and the connection check before it, were most of the work left. So, when the cache is shared by every
app process (`cache_is_shared`: Redis or the database cache), the backends keep a copy of the user
for a minute, and any save or delete of a user drops it (accounts.apps connects the signals; bulk updates
call `forget_user`), at once and again when the transaction commits.

A process-local cache (LocMemCache, the default without REDIS_URL; DummyCache) can't be told about a change
made by another process: a copy there would keep a deactivated, deleted or re-passworded user logged in on
that worker until it expired. There the backends don't cache the user at all and read it each time.

The user's copy is read together with their version token (plumbing.cache_tokens), which the page cache
asks for next: one round trip for both; and when this process knows whose the session is, together with the
session itself (accounts.sessions, read_with_session).

Nothing else changes: an inactive user is refused, and the session's hash is still compared with the user's
password hash, so a password change ends the other sessions as before.
"""

import threading
from typing import TYPE_CHECKING

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import backends
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django_redis.cache import RedisCache as DjangoRedisCache

from plumbing import cache_tokens

USER_CACHE_SECONDS = 60
# Cache backends whose entries every app process reads and writes alike, so a delete made by one process
# is seen by all. Anything else (LocMemCache, DummyCache, FileBasedCache, which is per machine, Memcached,
# which the project doesn't use, or an unknown backend) counts as process-local: the user isn't cached.
SHARED_CACHE_BACKENDS = (RedisCache, DjangoRedisCache, DatabaseCache)


def cache_is_shared(alias: str = "default") -> bool:
    """Whether the configured cache `alias` is one that every app process shares (see SHARED_CACHE_BACKENDS).
    plumbing.redis_cache.RedisCache, which settings select when REDIS_URL is set, is django-redis's."""
    return isinstance(caches[alias], SHARED_CACHE_BACKENDS)


def user_key(user_id) -> str:
    return f"auth-user:{user_id}"


# The user's copy read in the session's round trip (accounts.sessions), for get_user in this request only:
# (its key, the copy or None when the cache had none). request_started and request_finished drop it.
_prefetched = threading.local()
_UNREAD = object()


def _read_with_token(user_id, *others: str) -> dict:
    """The copy of user `user_id` (under user_key) and the cache's keys `others`, read in one round trip with
    the user's version token, which is noted for the page cache (it reads it next: cache_tokens.note)."""
    token = cache_tokens.learner(user_id)
    found = cache.get_many([*others, user_key(user_id), cache_tokens.cache_key(token)])
    cache_tokens.note(token, found.get(cache_tokens.cache_key(token)))
    return found


def read_with_session(session_cache_key: str, user_id) -> dict | None:
    """The session's data at `session_cache_key` (None when the cache doesn't hold it), read in one round trip
    with the copy of user `user_id` and their version token, which get_user and the page cache then take
    from there: `user_id` is only a guess at whose the session is, which get_user checks."""
    found = _read_with_token(user_id, session_cache_key)
    key = user_key(user_id)
    _prefetched.user = (key, found.get(key))
    return found.get(session_cache_key)


def _take_prefetched(key: str):
    """The copy read with the session if it is this user's (None: the cache had none), else _UNREAD."""
    prefetched = getattr(_prefetched, "user", None)
    _prefetched.user = None
    return prefetched[1] if prefetched is not None and prefetched[0] == key else _UNREAD


def request_changed(**kwargs) -> None:
    """Signal receiver (request_started, request_finished): nothing read for one request serves another."""
    _prefetched.user = None


def forget_user(user_id) -> None:
    cache.delete(user_key(user_id))
    transaction.on_commit(lambda: cache.delete(user_key(user_id)))


def user_changed(sender, instance, **kwargs):
    """Signal receiver: a saved or deleted user's cached copy goes."""
    forget_user(instance.pk)


# The mixin is for ModelBackends: type checkers see it as one, at run time it stays a plain mixin.
if TYPE_CHECKING:
    _ModelBackendBase = backends.ModelBackend
else:
    _ModelBackendBase = object


class CachedUserMixin(_ModelBackendBase):
    def get_user(self, user_id):
        if not cache_is_shared():
            return super().get_user(user_id)  # another process's change could not reach a copy kept here
        key = user_key(user_id)
        user = _take_prefetched(key)
        if user is _UNREAD:  # not read with the session: with the learner's token, one round trip for both
            user = _read_with_token(user_id).get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, USER_CACHE_SECONDS)
            return user
        return user if self.user_can_authenticate(user) else None


class ModelBackend(CachedUserMixin, backends.ModelBackend):
    """Django's backend (email or username and password), with the cached user (in a shared cache only)."""


class AllauthBackend(CachedUserMixin, AuthenticationBackend):
    """allauth's backend (its logins, rate limits and social accounts), with the cached user (in a shared
    cache only)."""
