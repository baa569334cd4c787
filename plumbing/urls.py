"""reverse() kept per process, for the links pages print over and over: every card's and row's link, the
header's and footer's links on every page.

The same view name and arguments under the same URLconf and script prefix always give the same path, while
Django's reverse() walks its patterns each time; a lookup here costs a fraction of it. The URLconf and the
script prefix are part of the key, and a test that swaps ROOT_URLCONF empties it.
"""

from functools import lru_cache

from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse

CACHED_URLS = 16384


def reversed_url(viewname: str, **kwargs) -> str:
    """reverse(viewname, kwargs=kwargs), from this process's copy when it has one (hashable kwargs)."""
    return _reversed(get_urlconf(), get_script_prefix(), viewname, tuple(kwargs.items()))


@lru_cache(maxsize=CACHED_URLS)
def _reversed(urlconf, prefix: str, viewname: str, kwargs: tuple) -> str:
    # reverse() reads the same script prefix this call is keyed on: the one of the current request.
    return reverse(viewname, urlconf=urlconf, kwargs=dict(kwargs))


def forget(**_) -> None:
    _reversed.cache_clear()


def _urlconf_changed(*, setting, **_) -> None:
    if setting == "ROOT_URLCONF":
        forget()


setting_changed.connect(_urlconf_changed, dispatch_uid="plumbing-urls-reversed")
