"""Catalogue HTML rendered once per catalogue version, kept in this process's memo (plumbing.overlay).

What is rendered here is the same for everyone who may see the same rows: each key carries the catalogue's
token (a curated change is a miss, never a stale copy) and whether the viewer sees drafts (staff), never a
user. Pages lay what is their viewer's own around it.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from learning.catalogue import queries
from learning.catalogue.models import Track, sees_drafts
from plumbing import cache_tokens
from plumbing.overlay import memo


@dataclass(frozen=True)
class TrackCards:
    tracks: tuple[Track, ...]  # the tracks the viewer may see, in list order, with their counts (read only)
    html: SafeString  # their cards (includes/track_card.html), one after another


def track_cards(request, *, level: int = 3) -> TrackCards:
    """The track list's cards (home page, /tracks/) for what this viewer may see; `level`: their titles'
    heading level (2 where they follow the page's h1)."""
    user = request.user
    key = ("track-cards", cache_tokens.current(request, cache_tokens.CATALOGUE), sees_drafts(user), level)
    return memo(key, lambda: _track_cards(user, level))


def _track_cards(user, level) -> TrackCards:
    # The cards show no tags: no per-track querysets for taggit's prefetch.
    tracks = tuple(queries.tracks_for_list(user).prefetch_related(None))
    html = render_to_string("includes/track_cards.html", {"tracks": tracks, "level": level})
    # The cards' own template rendered it (escaped); only the file's closing newline goes.
    return TrackCards(tracks, mark_safe(html.removesuffix("\n")))  # noqa: S308


def catalogue_counts(request) -> dict:
    """How many tracks, topics and resources are published, once per catalogue version."""
    version = cache_tokens.current(request, cache_tokens.CATALOGUE)
    return memo(("catalogue-counts", version), queries.catalogue_counts)
