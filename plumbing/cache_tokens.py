"""Version tokens that cached pages and fragments are keyed on, kept in the shared cache.

- `catalogue`: moves on any curated change (tracks, stages, steps, milestones, topics, resources, tags).
- `stats`: moves when ratings, reviews or bookmarks change the figures and rankings visitors see.
- `learner:<id>`: moves when that learner's own data changes (progress, bookmarks, ratings, profile).

A token is the time of the change in nanoseconds, so it also gives pages their Last-Modified. A token that
is missing (a fresh or flushed cache) is minted anew, which only makes every page under it a miss. Writes
move the token at once and again when their transaction commits, so a page rendered from not yet committed
data can't stay cached under the new token.
"""

import threading
import time
from contextlib import contextmanager

from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction

CATALOGUE = "catalogue"
STATS = "stats"
PREFIX = "version:"
PRIVATE_CACHE_TOKEN_SECONDS = 10
# The catalogue's and the stats' tokens, which every page reads, are held by each process for this long
# before it asks the cache again: a visitor's cached page then needs no round trip at all. Another server's
# change shows here within that time (this process's own changes at once). A learner's token is always read.
HELD_NAMES = (CATALOGUE, STATS)
HOLD_SECONDS = 1.0
_held: dict[str, tuple[int, float]] = {}  # name -> (token, time.monotonic() when read)
# Tokens read along with something else in this request's round trips (a learner's, with their user:
# accounts.backends), by name; None outside a request. request_started and request_finished reset it.
_request = threading.local()


def token_timeout():
    """Forever in a shared cache (Redis). A process's own memory can't see another process's changes, so
    there tokens expire after a few seconds: several workers without Redis agree again within that time."""
    return PRIVATE_CACHE_TOKEN_SECONDS if isinstance(caches["default"], LocMemCache) else None


def learner(user_id) -> str:
    return f"learner:{user_id}"


def cache_key(name: str) -> str:
    return PREFIX + name


_gathering = threading.local()  # the names bumped inside a bumped_once() block of this thread


def bump(*names: str) -> None:
    """Moves the tokens now and once more when the current transaction commits. Outside a transaction the
    write is committed already: once is enough (on_commit would run it again at once). Inside a
    bumped_once() block, the names are only noted: the block moves them when it ends."""
    if not names:
        return
    gathered = getattr(_gathering, "names", None)
    if gathered is not None:
        gathered.update(names)
        return
    _set_now(names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _set_now(names))


@contextmanager
def bumped_once():
    """Several writes, one move of each token: a check-off's writes (its status, the day's activity, the
    review schedule) each move the learner's token, a round trip to the cache apiece. Inside this block they
    are noted, and each token named moves once when the block ends, even if it ends with an error (a write
    before it may be committed), and once more at commit if a transaction is still open then (bump()).
    Moving tokens after the writes rather than between them is safe: a page rendered from the data before
    them is keyed on the token before them. Nested blocks leave it to the outermost."""
    if getattr(_gathering, "names", None) is not None:
        yield
        return
    _gathering.names = set()
    try:
        yield
    finally:
        names, _gathering.names = _gathering.names, None
        bump(*sorted(names))


_last_set = 0  # the last token this process set
_setting = threading.Lock()


def _new_token() -> int:
    """Now in nanoseconds, and later than any token this process set before: a clock that stands still (a
    test's frozen time) or steps back (a clock correction) still moves a token it bumps."""
    global _last_set
    with _setting:
        _last_set = max(time.time_ns(), _last_set + 1)
        return _last_set


def _set_now(names) -> None:
    now = _new_token()
    cache.set_many({cache_key(name): now for name in names}, timeout=token_timeout())
    noted = getattr(_request, "tokens", None)
    for name in names:
        if name in HELD_NAMES:
            _held[name] = (now, time.monotonic())
        if noted is not None and name in noted:
            noted[name] = now


def request_started(**kwargs) -> None:
    """Signal receiver: a request begins with no token noted."""
    _request.tokens = {}


def request_finished(**kwargs) -> None:
    _request.tokens = None


def note(name: str, token: int | None) -> None:
    """A token the caller read from the cache (by cache_key) along with something else, so that read() doesn't
    ask for it again during this request: the learner's token comes with their user in one round trip. A
    bump in this process moves the noted token too. Outside a request, or for a missing token, nothing."""
    noted = getattr(_request, "tokens", None)
    if noted is not None and token is not None:
        noted[name] = token


def read(names) -> dict:
    """{name: token} for `names`, minting any that are missing, in at most one round trip to the cache."""
    now = time.monotonic()
    noted = getattr(_request, "tokens", None) or {}
    tokens = {name: noted[name] for name in names if name in noted}
    tokens |= {
        name: held[0]
        for name in names
        if name not in tokens and (held := _held.get(name)) and now - held[1] < HOLD_SECONDS
    }
    wanted = [name for name in names if name not in tokens]
    if wanted:
        found = cache.get_many([cache_key(name) for name in wanted])
        for name in wanted:
            token = found.get(cache_key(name)) or _mint(name)
            tokens[name] = token
            if name in HELD_NAMES:
                _held[name] = (token, now)
    return tokens


def forget_held() -> None:
    """Drops this process's copies of the shared tokens (tests use it; so could a signal handler)."""
    _held.clear()


def current(request, name: str) -> int:
    """A token as this request saw it first: read once, then kept on the request."""
    seen = request.__dict__.setdefault("version_tokens", {})
    if name not in seen:
        seen.update(read([name]))
    return seen[name]


def _mint(name: str) -> int:
    key = cache_key(name)
    now = time.time_ns()
    cache.add(key, now, timeout=token_timeout())
    return cache.get(key) or now


def last_modified(tokens: dict) -> float:
    """The time of the latest change the tokens stand for, in seconds since the epoch."""
    return max(tokens.values()) / 1e9
