"""Render shared HTML once, lay each request's own bits onto it: slots in a memoised fragment.

A page whose bulk is the same for everyone (a track's hundred nodes, drawn from the catalogue) but which
carries a few per-learner bits (each node's status, a "next step" mark, messages at a node) renders the bulk
once per catalogue version with a **slot** where each such bit goes, keeps it in this process's memory, and
fills the slots per request, which costs a string join instead of a template render:

    html = memo(("track", slug, version), lambda: Overlay.of(render_to_string(...)))
    html.fill({"status": status_of}.get)  # each kind of slot -> a function from the slot's key to its text

In the template a slot is `{% slot "status" step.topic_id %}` (plumbing's `overlay` tag library); its marker
is made of private-use characters that no content contains and that HTML escaping leaves alone.

The memo is this process's: a hit needs no round trip and survives the cache going away. Keys must include
every version the fragment depends on, so a change is a miss rather than a stale copy; old versions fall out
(least recently used). A fragment built with `shared=True` is also kept in the shared cache (Redis), so
every process of every server builds it once per version between them: a process that hasn't got it yet, or
has let it go, reads it from there (a round trip and an unpickling, against a render of tens of
milliseconds for a topic's page). The shared copy is a help, never a need: when the cache is away or the
value doesn't pickle, the process builds it itself as before.

Shared values are the long tail (a topic's page per track it is walked in, a resource's page: thousands),
so this process keeps them in a memo of their own bounded by bytes (their pickled size, SHARED_MEMO_BYTES),
not by count: 256 of them thrashed under a mix of many learners, and each miss is a round trip and an
unpickling again. The few, small, unshared values keep the count-bounded memo.
"""

import hashlib
import logging
import pickle
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from plumbing import release as releases

OPEN, SEPARATOR, CLOSE = "\ue000", "\ue001", "\ue002"
_MARKER = re.compile(f"{OPEN}([^{SEPARATOR}]*){SEPARATOR}([^{CLOSE}]*){CLOSE}")
MEMO_SIZE = 256
# Per process, of shared values' pickled size (their size in memory is about twice it): at scale 1, the
# mix's long tail of topic and resource pages fills it with about 2,300 of them.
SHARED_MEMO_BYTES = 32 * 1024 * 1024
# What a shared value that didn't pickle counts for (its size is unknown): a large page's.
UNPICKLED_BYTES = 256 * 1024
# A shared copy lives an hour, as a cached page does (PAGE_CACHE_SECONDS): then it is built once more between
# every process. Copies of old versions, which nothing reads, are gone within the hour.
SHARED_SECONDS = 3600
SHARED_PREFIX = "memo:"
log = logging.getLogger("roadmap.overlay")

T = TypeVar("T")
Filler = Callable[[str], Callable[[str], object] | None]


def slot(kind: str, key: object) -> SafeString:
    """The marker of one slot; `kind` and `key` must not contain the marker's characters."""
    return mark_safe(f"{OPEN}{kind}{SEPARATOR}{key}{CLOSE}")  # noqa: S308 - private-use characters only


class Overlay:
    """HTML split once into its fixed parts and the slots between them."""

    __slots__ = ("parts", "slots")

    def __init__(self, parts: tuple[str, ...], slots: tuple[tuple[str, str], ...]):
        self.parts, self.slots = parts, slots

    @classmethod
    def of(cls, html: str) -> "Overlay":
        pieces = _MARKER.split(html)
        # re.split with two groups: text, kind, key, text, kind, key, ..., text
        return cls(tuple(pieces[::3]), tuple(zip(pieces[1::3], pieces[2::3], strict=True)))

    def fill(self, fillers: Filler) -> SafeString:
        """`fillers(kind)` gives the function that turns a slot's key into its text (escaped unless safe), or
        into another Overlay (a shared variant of a part, filled with the same fillers) or a list of them;
        a kind without one leaves its slots empty."""
        out: list[str] = []
        # Asked once per kind and escaped once per value for the whole fill, the Overlays given for slots too:
        # a page repeats a few values (the CSRF token, the query string) hundreds of times.
        self._fill_into(out, fillers, {}, {})
        return mark_safe("".join(out))  # noqa: S308 - fixed parts rendered by templates, values escaped

    def _fill_into(self, out: list[str], fillers: Filler, by_kind: dict, escaped: dict) -> None:
        out.append(self.parts[0])
        for (kind, key), after in zip(self.slots, self.parts[1:], strict=True):
            if kind not in by_kind:
                by_kind[kind] = fillers(kind)
            fill = by_kind[kind]
            if fill is not None:
                value = fill(key)
                if isinstance(value, Overlay):
                    value._fill_into(out, fillers, by_kind, escaped)
                elif isinstance(value, list):  # several parts one after another (a list of cards)
                    for each in value:
                        each._fill_into(out, fillers, by_kind, escaped)
                elif value:
                    text = escaped.get(value)
                    if text is None:
                        text = escaped[value] = conditional_escape(str(value))
                    out.append(text)
            out.append(after)


class Memo:
    """Values kept in this process's memory by key, built on first use, the least recently used dropped past
    `size` values, or past `max_bytes` of their weight (a value's pickled size: shared values only).
    `memo()` uses two: one for small unshared values and one for shared ones; a page with many small
    fragments (one per project) keeps them in one of its own, so they don't push the others out."""

    def __init__(self, size: int | None = None, *, max_bytes: int | None = None):
        self.size, self.max_bytes = size, max_bytes
        self.bytes = 0
        self._values: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._lock = threading.Lock()
        _memos.append(self)

    def get(self, key: Hashable, build: Callable[[], T], *, shared: bool = False) -> T:
        """The value for `key`, built by `build` on first use; with `shared`, first use among every process
        that shares the cache (`key` then of str, int, float, bool, None and tuples of them only)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key][0]  # type: ignore[return-value]
        value, weight = _shared_build(key, build) if shared else (build(), 0)
        with self._lock:
            old = self._values.pop(key, None)
            self.bytes += weight - (old[1] if old else 0)
            self._values[key] = (value, weight)
            while self._values and (
                (self.size is not None and len(self._values) > self.size)
                or (self.max_bytes is not None and self.bytes > self.max_bytes)
            ):
                _, (_, dropped) = self._values.popitem(last=False)
                self.bytes -= dropped
        return value

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self.bytes = 0


_memos: list[Memo] = []
_memo = Memo(MEMO_SIZE)
_shared_memo = Memo(max_bytes=SHARED_MEMO_BYTES)


def memo(key: Hashable, build: Callable[[], T], *, shared: bool = False) -> T:
    """This process's copy of what `build` makes for `key`, built on first use (MEMO_SIZE kept at most);
    with `shared`, read from the shared cache when another process has built it, and kept in this process
    up to SHARED_MEMO_BYTES of them (Memo.get)."""
    return (_shared_memo if shared else _memo).get(key, build, shared=shared)


_KEY_PARTS = (str, int, float, bool, type(None))


def shared_key(key: Hashable) -> str:
    """The shared cache's key for a memo key: the same in every process of a release (the key's repr and the
    release, hashed), which only holds for keys made of plain values."""
    if not _is_plain(key):
        raise TypeError(f"a shared memo key is made of str, int, float, bool, None and tuples: {key!r}")
    return SHARED_PREFIX + hashlib.sha256(f"{releases.release()}|{key!r}".encode()).hexdigest()


def _is_plain(key) -> bool:
    if isinstance(key, tuple):
        return all(_is_plain(part) for part in key)
    return isinstance(key, _KEY_PARTS)


def _shared_build(key: Hashable, build: Callable[[], T]) -> tuple[T, int]:
    """The shared copy of `key`'s value, or `build()` stored as the shared copy; with its pickled size.
    Pickled here rather than by the cache, so a value that doesn't pickle is built and served all the same
    (and said in the log)."""
    name = shared_key(key)
    stored = cache.get(name)  # None when the cache is away (plumbing.redis_cache) or has no copy
    if stored is not None:
        try:
            return pickle.loads(stored), len(stored)  # noqa: S301 - written by this site's own processes below
        except Exception:  # a copy this code can't read (pickle raises many kinds of error): build it
            log.warning("shared memo: could not read the copy of %r; building it", key)
    value = build()
    try:
        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except Exception:  # pickling fails in many ways (a function, a lock, a form's renderer): serve it anyway
        log.warning("shared memo: the value of %r does not pickle; kept in this process only", key)
        return value, UNPICKLED_BYTES
    cache.set(name, data, SHARED_SECONDS)
    return value, len(data)


def forget() -> None:
    """Drops every memoised value, in every Memo (tests use it)."""
    for each in _memos:
        each.clear()


# ---------- Rendering shared HTML ----------
# The slots every shared fragment may have, filled by `{% fill %}` (the overlay tag library) from the request:
REQUEST = (
    "request"  # this request's own bits: "csrf" (its CSRF token), "full_path" (path and query string), "next"
)
MESSAGES = (
    "messages"  # the messages said at a section (plumbing.actions.say): the key is the section's anchor
)
INCLUDE = (
    "include"  # a template rendered in the page's own context, as `{% include %}` would: the key is its name
)


class _SharedRequest:
    """The request as a shared fragment's template sees it: its path, which the fragment's key must hold; the
    query string is this request's own, so it is a slot. A fragment keyed on the query string too (`query`)
    reads it as `GET`; any other has no `GET`, so a template that reads it fails rather than show one
    request's query string to another."""

    def __init__(self, path: str, query: str | None = None):
        self.path = path
        if query is not None:
            self.GET = QueryDict(query)

    def get_full_path(self) -> SafeString:
        return slot(REQUEST, "full_path")


class _SharedUser:
    """Whether someone is logged in, which the fragment's key must hold; nothing else of who it is."""

    def __init__(self, authenticated: bool):
        self.is_authenticated = authenticated


def shared_context(path: str, *, authenticated: bool, query: str | None = None) -> dict:
    """The context a shared fragment renders in, under the names templates use (`request`, `user`,
    `csrf_token`): the path and whether someone is logged in are real (key the fragment on both), the CSRF
    token and the query string are slots, unless `query` gives the query string (key the fragment on it
    too) for `request.GET`. Nothing else of the request or of the person is there, so nothing of one
    person's can end up in what everyone is served."""
    return {
        "request": _SharedRequest(path, query),
        "user": _SharedUser(authenticated),
        "csrf_token": slot(REQUEST, "csrf"),
    }


class Shared:
    """A fragment rendered once from a template and a context (`main`), and the variants of its parts (other
    templates, the same context plus a little), each rendered the first time a request asks for it: a topic
    page's status form as it is for each status, each resource's bookmark button on and off.

    What the parts render from is kept with it; `main_only` names what only the main template uses (a
    form, whose renderer doesn't pickle), so that a Shared goes into the shared memo (Memo.get's `shared`)."""

    def __init__(self, template_name: str, context: dict, *, main_only: tuple[str, ...] = ()):
        self.main = Overlay.of(render_to_string(template_name, context))
        self.context = {name: value for name, value in context.items() if name not in main_only}
        self._parts: dict[Hashable, Overlay] = {}

    @classmethod
    def for_request(
        cls, template_name: str, request, context: dict, *, main_only: tuple[str, ...] = ()
    ) -> "Shared":
        """`template_name` rendered in shared_context for this request's path and audience, plus `context`."""
        shared = shared_context(request.path, authenticated=request.user.is_authenticated)
        return cls(template_name, shared | context, main_only=main_only)

    def part(self, key: Hashable, template_name: str, **context) -> Overlay:
        """The variant `key` (which must tell it from the others) of a part, rendered once."""
        found = self._parts.get(key)
        if found is None:
            found = Overlay.of(render_to_string(template_name, {**self.context, **context}))
            self._parts[key] = found
        return found
