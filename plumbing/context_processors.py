"""Template context every page gets: the site's name and fragment timeout, and the catalogue's cache token
for `{% cache %}` fragments of curated content."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from plumbing import cache_tokens


def site(request):
    return {"SITE_NAME": settings.SITE_NAME, "FRAGMENT_SECONDS": settings.FRAGMENT_CACHE_SECONDS}


def catalogue_version(request):
    """`catalogue_version`: read once per request, and only when a template uses it (the page cache has
    usually read it already)."""
    return {
        "catalogue_version": SimpleLazyObject(lambda: cache_tokens.current(request, cache_tokens.CATALOGUE))
    }
