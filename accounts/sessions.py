"""Sessions kept as Django's cached_db engine keeps them, read in the same round trip as the user they log in.

A logged-in learner's request reads their session from the shared cache, then their user and version token
(accounts.backends): two round trips, one after the other, because the user's id is in the session. On this
site's machines a round trip to Redis costs about 0.1 ms of CPU (the client's and the kernel's), a tenth of a
cached page's whole cost.

So each process remembers which user each session it read logged in (a bounded map, the least recently used
forgotten first) and, when it knows, asks for the session, that user's copy and their token at once. The
hint only chooses what else to read: who is logged in still comes from the session read in that round trip,
and get_user takes the copy only for the id the session names. A session the cache doesn't hold is read as
cached_db reads it (the cache, then the database). Without a shared cache nothing changes.

SESSION_ENGINE = "accounts.sessions" (the settings choose it when REDIS_URL is set).
"""

import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db

from accounts import backends

HINTS = 20_000  # sessions whose user this process remembers (about 150 bytes each)


class UserHints:
    """Session key → the id of the user it logged in, as last read here; the least recently used go first."""

    def __init__(self, size: int):
        self.size = size
        self._ids: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, session_key: str) -> str | None:
        with self._lock:
            user_id = self._ids.get(session_key)
            if user_id is not None:
                self._ids.move_to_end(session_key)
            return user_id

    def learn(self, session_key: str, user_id) -> None:
        with self._lock:
            if user_id is None:
                self._ids.pop(session_key, None)
                return
            self._ids[session_key] = str(user_id)
            self._ids.move_to_end(session_key)
            while len(self._ids) > self.size:
                self._ids.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._ids.clear()


hints = UserHints(HINTS)


def reads_together() -> bool:
    """Whether the session and the user's copy live in one shared cache, so one round trip can read both."""
    return settings.SESSION_CACHE_ALIAS == "default" and backends.cache_is_shared()


class SessionStore(cached_db.SessionStore):
    def load(self):
        session_key = self.session_key  # None for a new or invalid key: nothing to read with it
        user_id = hints.get(session_key) if session_key else None
        data = None
        if user_id is not None and reads_together():
            data = backends.read_with_session(self.cache_key, user_id)
        if data is None:  # no hint, or the cache doesn't hold the session: as cached_db reads it
            data = super().load()
        if session_key:
            hints.learn(session_key, data.get(SESSION_KEY))
        return data
