"""Catalogue pages that show curated content only: the track list and the tag pages."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from learning.catalogue import fragments, listing, queries
from learning.catalogue.forms import TagResourceFilterForm
from plumbing import cache_tokens
from plumbing.page_cache import cached_page


@cached_page(cache_tokens.CATALOGUE)
def track_list(request):
    cards = fragments.track_cards(request, level=2)
    return render(request, "learning/track_list.html", {"tracks": cards.tracks, "cards": cards})


@cached_page(cache_tokens.CATALOGUE)
def tag_list(request):
    return render(request, "learning/tag_list.html", {"tags": queries.tags_in_use()})


# Ratings move the resources' ranking (and the figures on their cards): the stats token as well.
@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS)
def tag_detail(request, slug):
    """The tag's tracks and topics, then its resources filtered, sorted and paginated as on /resources/."""
    form = TagResourceFilterForm(request.GET)
    form.is_valid()
    context = listing.tag_for_page(
        request, slug, prior_mean=queries.site_mean_rating(), filters=form.filters()
    )
    if context is None:
        raise Http404("Nothing is tagged so.")
    page = Paginator(context.pop("resources"), queries.RESOURCES_PER_PAGE).get_page(request.GET.get("page"))
    context |= {"form": form, "page": page, "ignored": form.ignored()}
    return render(request, "learning/tag_detail.html", context)
