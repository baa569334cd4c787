"""Whole pages kept in the shared cache, valid while the version tokens they were rendered under hold.

A catalogue page names the tokens its content depends on (plumbing.cache_tokens): a visitor's copy is shared
by every visitor, a learner's copy is theirs alone and also depends on their own token, so checking off a
topic re-renders that learner's pages and nobody else's. The tokens come back in one round trip to the cache.
Each process keeps its own copies of recent pages, used only while they match those tokens, so a hit
seldom carries the page over the network, and it runs no database query at all (a learner's session and
user come from the cache too).

- Visitor pages carry an ETag and Last-Modified, and a browser revalidating gets a 304 without a body.
- A learner's page is stored with its CSRF token taken out and gets the requester's own token put back in.
- A page with messages to show (a check-off's redirect back to its track) is rendered, since they belong
  to this one response, and kept without them (plumbing.message_marks), so the next visit is a hit.
- Not cached: other methods than GET/HEAD, and anything but a plain 200. htmx requests get the same page
  as any other (htmx picks the parts it swaps), so they share the copy.
- PAGE_CACHE=false turns the whole thing off (every page is rendered each time; the ETag still works).
"""

import hashlib
import re
import threading
from collections import OrderedDict
from functools import cached_property, wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from plumbing import cache_tokens, message_marks
from plumbing import release as releases

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
CSRF_SLOT = b"\x00csrf\x00"
# The stored entry is (stamp, the page's bytes split where the CSRF token goes, headers); a new layout needs
# a new prefix, so servers of the previous release never read it (nor this release theirs) while both run.
PAGE_PREFIX = "page:3:"
LOCAL_COPIES_BYTES = 32 * 1024 * 1024  # per process


def cached_page(*depends: str, timeout: int | None = None, vary=None, learners: bool = True):
    """Caches the view's page under the version tokens named in `depends` (cache_tokens.CATALOGUE, ...).
    `vary(request)`: a string the page also depends on besides the tokens (a learner's date: a streak
    changes at midnight with nothing written), part of the key. `learners=False`: only visitors' copies are
    kept, for the long tail (a topic, a resource, a list of resources) that a learner seldom asks for twice
    between two changes of their own: under a mix of 300 learners, 1 to 2 % of their copies were ever read
    back, and storing each cost a write of its 10 to 40 KB to the shared cache."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if not learners and request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                if response.status_code == 200:
                    patch_cache_control(response, private=True, no_cache=True)
                return response
            page = _Page(request, depends, vary(request) if vary else "")
            # Messages to show belong to this response: it is rendered, and kept without them.
            messages = bool(len(get_messages(request)))  # counting doesn't mark them as shown
            if not page.personal and not messages:
                not_modified = get_conditional_response(
                    request, etag=page.etag, last_modified=int(page.last_modified)
                )
                if not_modified is not None:
                    return page.headed(not_modified)
            response = page.stored() if settings.PAGE_CACHE and not messages else None
            if response is None:
                if messages:
                    message_marks.mark(request)
                response = view(request, *args, **kwargs)
                kept = _kept_content(response, marked=messages)
                if settings.PAGE_CACHE and kept is not None:
                    page.store(response, kept, timeout or settings.PAGE_CACHE_SECONDS)
            return page.headed(response, validated=not messages)

        return wrapper

    return decorator


class _Page:
    """One request's view of its cached page: the key, the tokens it depends on and what the cache holds."""

    def __init__(self, request, depends, varies: str = ""):
        self.request = request
        user = request.user
        self.personal = user.is_authenticated
        names = [*depends, *([cache_tokens.learner(user.pk)] if self.personal else [])]
        scope = f"u{user.pk}" if self.personal else "anon"
        # The release too (the code and templates): during a deploy the old and the new servers share the
        # cache, and neither serves a page the other rendered.
        self.key = PAGE_PREFIX + _digest(
            f"{releases.release()}|{scope}|{varies}|{request.scheme}://{request.get_host()}{request.get_full_path()}"
        )
        tokens = cache_tokens.read(names)
        request.version_tokens = tokens  # what the page's own fragments are keyed on (cache_tokens.current)
        self.tokens = tokens
        self.stamp = tuple(tokens[name] for name in names)

    # The validators are a visitor's: a learner's page is private and never revalidated.
    @cached_property
    def etag(self) -> str:
        return f'"{_digest(f"{self.key}|{self.stamp}")}"'

    @cached_property
    def last_modified(self) -> float:
        return cache_tokens.last_modified(self.tokens)

    def stored(self) -> HttpResponse | None:
        entry = local_copies.get(self.key, self.stamp)
        if entry is None:
            entry = cache.get(self.key)
            if entry is None or entry[0] != self.stamp:
                return None
            local_copies.put(self.key, entry)
        _, parts, headers = entry
        content = get_token(self.request).encode().join(parts) if len(parts) > 1 else parts[0]
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        return response

    def store(self, response, content: bytes, timeout: int) -> None:
        """Keeps `content` as the page `response` is (_kept_content), if it is a plain 200."""
        if response.status_code != 200 or response.cookies:
            return
        for token in set(CSRF_INPUT.findall(content)):
            content = content.replace(token, CSRF_SLOT)
        # Split where the token goes, so serving it is one join rather than a search through the page.
        entry = (self.stamp, tuple(content.split(CSRF_SLOT)), dict(response.headers))
        cache.set(self.key, entry, timeout)
        local_copies.put(self.key, entry)

    def headed(self, response, *, validated: bool = True):
        """`validated=False`: a page no validator may stand for (it shows this response's messages)."""
        if response.status_code not in (200, 304):
            return response
        if self.personal or not validated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            response["ETag"] = self.etag
            response["Last-Modified"] = http_date(int(self.last_modified))
            patch_cache_control(response, no_cache=True)
        return response


class LocalCopies:
    """This process's own copies of recent pages, so a hit doesn't carry the page over from Redis each time.
    A copy is used only while its stamp matches the tokens just read from the shared cache: never stale.
    Least recently used copies go first once they hold more than `max_bytes`."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[str, tuple[tuple, tuple[bytes, ...], dict[str, str]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, stamp):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry[0] != stamp:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry) -> None:
        with self.lock:
            old = self.entries.pop(key, None)
            self.size += _size(entry) - (_size(old) if old else 0)
            self.entries[key] = entry
            while self.size > self.max_bytes and self.entries:
                _, dropped = self.entries.popitem(last=False)
                self.size -= _size(dropped)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


local_copies = LocalCopies(max_bytes=LOCAL_COPIES_BYTES)


def _size(entry) -> int:
    return sum(map(len, entry[1]))


def _kept_content(response, *, marked: bool) -> bytes | None:
    """What the cache would keep of a rendered page (None: nothing of a streaming response). `marked`: the
    page shows messages, marked (message_marks.mark), which the response keeps and the copy leaves out."""
    if response.streaming:
        return None
    content = response.content
    if marked:
        response.content = message_marks.unmarked(content)
        return message_marks.without_messages(content)
    return content


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
