"""Catalogue pages that show curated content only: the track list and the tag pages."""

from django.http import Http404
from django.shortcuts import render

from learning.catalogue import queries
from plumbing import cache_tokens
from plumbing.page_cache import cached_page


@cached_page(cache_tokens.CATALOGUE)
def track_list(request):
    return render(request, "learning/track_list.html", {"tracks": queries.tracks_for_list(request.user)})


@cached_page(cache_tokens.CATALOGUE)
def tag_list(request):
    return render(request, "learning/tag_list.html", {"tags": queries.tags_in_use()})


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)
def tag_detail(request, slug):
    context = queries.tag_for_page(request.user, slug)
    if context is None:
        raise Http404("Nothing is tagged so.")
    return render(request, "learning/tag_detail.html", context)
