"""reverse() kept per process, for the links pages print over and over: every card's and row's link, the
header's and footer's links on every page.

The same view name and arguments under the same URLconf and script prefix always give the same path, while
Django's reverse() walks its patterns each time; a lookup here costs a fraction of it. The URLconf and the
script prefix are part of the key, and a test that swaps ROOT_URLCONF empties it.

Reading those two costs most of a lookup (Django keeps them in asgiref locals: about 5 of a lookup's 7 µs),
and a page asks for tens of links. Within a request neither changes once the handler has set them (it sets
the script prefix before `request_started` and the URLconf before any middleware; the site sets no
`request.urlconf`), so they are read at the request's first link and kept until it ends. Outside a request
(commands, tests calling it directly) they are read at each call.
"""

from contextvars import ContextVar
from functools import lru_cache

from django.core.signals import (
    got_request_exception,
    request_finished,
    request_started,
    setting_changed,
)
from django.urls import get_script_prefix, get_urlconf, reverse

CACHED_URLS = 16384

# The (URLconf, script prefix) of the request this context is serving; UNREAD until its first link, OUTSIDE
# when it serves none.
OUTSIDE = None
UNREAD = ("unread",)
_scope: ContextVar[tuple | None] = ContextVar("reversed_url_scope", default=OUTSIDE)


def reversed_url(viewname: str, **kwargs) -> str:
    """reverse(viewname, kwargs=kwargs), from this process's copy when it has one (hashable kwargs)."""
    scope = _scope.get()
    if scope is None or scope is UNREAD:  # outside a request, or its first link
        inside = scope is UNREAD
        scope = (get_urlconf(), get_script_prefix())
        if inside:
            _scope.set(scope)
    urlconf, prefix = scope
    return _reversed(urlconf, prefix, viewname, tuple(kwargs.items()))


@lru_cache(maxsize=CACHED_URLS)
def _reversed(urlconf, prefix: str, viewname: str, kwargs: tuple) -> str:
    # reverse() reads the same script prefix this call is keyed on: the one of the current request.
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


def forget(**_) -> None:
    _reversed.cache_clear()


def _urlconf_changed(*, setting, **_) -> None:
    if setting == "ROOT_URLCONF":
        forget()
        _scope.set(OUTSIDE)


def _request_started(**_) -> None:
    _scope.set(UNREAD)


def _request_finished(**_) -> None:
    _scope.set(OUTSIDE)


setting_changed.connect(_urlconf_changed, dispatch_uid="plumbing-urls-reversed")
request_started.connect(_request_started, dispatch_uid="plumbing-urls-request-started")
request_finished.connect(_request_finished, dispatch_uid="plumbing-urls-request-finished")
# A request whose view raised may end without `request_finished` (the test client re-raises): its scope goes.
got_request_exception.connect(_request_finished, dispatch_uid="plumbing-urls-request-failed")
