"""The search page: tracks, topics and resources matching the words, grouped by type, best first, marked."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.shortcuts import render
from django.utils.safestring import SafeString

from learning.catalogue import queries
from learning.catalogue.forms import SearchForm
from learning.catalogue.highlight import excerpt, highlight, plain_text, word_pattern
from learning.catalogue.search import DOCUMENTS, Document, Query, matches, tagged_ids
from plumbing import cache_tokens
from plumbing.page_cache import cached_page

HITS_PER_GROUP = 5
HITS_PER_PAGE = 20
SUGGESTED_TAGS = 16
# Searches are many and mostly unrepeated: their pages leave the cache sooner than the catalogue's.
SEARCH_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Hit:
    item: object
    title: SafeString
    snippet: SafeString


@dataclass(frozen=True)
class Group:
    document: Document
    count: int
    hits: list
    page: Page | None = None  # when the search is narrowed to this type

    @property
    def more(self) -> int:
        return self.count - len(self.hits)


@cached_page(cache_tokens.CATALOGUE, cache_tokens.STATS, timeout=SEARCH_CACHE_SECONDS)
def search(request):
    form = SearchForm(request.GET)
    form.is_valid()
    context: dict[str, Any] = {"form": form, "kind": form.kind(), "type_ignored": "type" in form.errors}
    if "q" in form.errors:
        context["refused"] = True
        return render(request, "learning/search.html", context | suggestions(request.user), status=400)
    query = Query.parse(form.query_text())
    context["query"] = query
    if query:
        groups = search_groups(request, query, context["kind"])
        context |= {
            "groups": groups,
            "total": sum(group.count for group in groups),
            "kind_group": next((group for group in groups if group.page), None),
        }
    if not context.get("total"):
        context |= suggestions(request.user)
    return render(request, "learning/search.html", context)


def search_groups(request, query: Query, kind: str) -> list[Group]:
    """Every type's count; the top hits of each, or one page of hits when narrowed to one type."""
    tagged = tagged_ids(query)
    groups = []
    for document in DOCUMENTS:
        queryset = document.model.objects.visible_to(request.user)
        found = matches(document, queryset, query, tagged.get(document.model._meta.model_name or "", set()))
        if kind == document.key:
            page = Paginator(found, HITS_PER_PAGE).get_page(request.GET.get("page"))
            groups.append(Group(document, page.paginator.count, hits(document, page, query), page))
        elif kind:
            groups.append(Group(document, found.count(), []))
        else:
            groups.append(Group(document, found.count(), hits(document, found[:HITS_PER_GROUP], query)))
    return groups


def hits(document: Document, items, query: Query) -> list[Hit]:
    pattern = word_pattern(query.terms)
    found = []
    for item in items:
        snippet = getattr(item, document.summary)
        if document.body_is_markdown and pattern and not pattern.search(snippet):
            body = plain_text(getattr(item, document.body))
            if pattern.search(body):
                snippet = excerpt(body, query.terms)
        found.append(Hit(item, highlight(item.title, query.terms), highlight(snippet, query.terms)))
    return found


def suggestions(user) -> dict:
    """Where to go from an empty search or one that found nothing: the tracks and the most used tags."""
    return {
        "suggested_tracks": queries.tracks_for_list(user),
        "suggested_tags": queries.tags_in_use().order_by("-item_count", "name")[:SUGGESTED_TAGS],
    }
