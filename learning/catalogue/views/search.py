"""The search page: tracks, topics and resources matching the words, grouped by type, best first, marked."""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Window
from django.shortcuts import render
from django.utils.safestring import SafeString

from learning.catalogue import queries, spelling
from learning.catalogue.forms import SearchForm
from learning.catalogue.highlight import excerpt, highlight, plain_text, word_pattern
from learning.catalogue.models import sees_drafts
from learning.catalogue.search import (
    DOCUMENTS,
    Document,
    Query,
    loosening_helps,
    matches,
    planned_on_indexes,
    tagged_ids,
)
from learning.catalogue.search_sql import INDEX_PLANNING, top_hits_reads
from plumbing import cache_tokens
from plumbing.overlay import memo
from plumbing.page_cache import cached_page
from plumbing.sql import read_together

HITS_PER_GROUP = 5
HITS_PER_PAGE = 20
SUGGESTED_TAGS = 16
# "Did you mean …?" is offered when a word looks misspelt and the words as typed find at most this many.
FEW_RESULTS = 10
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
        return render(request, "learning/search.html", context | suggestions(request), status=400)
    query = Query.parse(form.query_text())
    context["query"] = query
    if query:
        context |= search_with_corrections(request, query, context["kind"])
    if not context.get("total"):
        context |= suggestions(request)
    return render(request, "learning/search.html", context)


def search_with_corrections(request, query: Query, kind: str) -> dict:
    """The groups found for the words as typed. If those find nothing, the groups found by the loosened query
    (each misspelt-looking word may also be its closest catalogue word; on PostgreSQL, near titles match too).
    If they find few, the corrected query."""
    fixes = spelling.corrections(query.terms)
    # What is found is marked with the corrected words too (PostgreSQL's trigrams find "PostgreSQL" for
    # "postgress", which is no stem of it).
    respelt = query.allowing(fixes)
    groups = search_groups(request, query, kind, marks=respelt.words)
    found_as_typed = sum(group.count for group in groups)
    context: dict[str, Any] = {}
    if not found_as_typed and loosening_helps(fixes):
        groups = search_groups(request, respelt, kind, marks=respelt.words)
        context["respelt"] = True
    if fixes and found_as_typed <= FEW_RESULTS:
        context["did_you_mean"] = spelling.corrected(query.text, fixes)
    return context | {
        "groups": groups,
        "total": sum(group.count for group in groups),
        "kind_group": next((group for group in groups if group.page), None),
    }


def search_groups(request, query: Query, kind: str, *, marks: tuple[str, ...]) -> list[Group]:
    """Every type's count; the top hits of each (with their count, in one query), or one page of hits when
    narrowed to one type."""
    if not kind and connection.vendor == "postgresql":
        # Every type's count and top hits in one round trip, hand-written (learning.catalogue.search_sql).
        reads = top_hits_reads(
            query, tagged_ids(query), drafts=sees_drafts(request.user), hits=HITS_PER_GROUP
        )
        found = read_together(*reads, planner=INDEX_PLANNING)
        return [
            Group(document, count, hits(document, top, marks))
            for document, (count, top) in zip(DOCUMENTS, found, strict=True)
        ]
    groups = []
    with planned_on_indexes(query):
        tagged = tagged_ids(query)
        for document in DOCUMENTS:
            queryset = document.model.objects.visible_to(request.user)
            found = matches(
                document, queryset, query, tagged.get(document.model._meta.model_name or "", set())
            )
            if kind == document.key:
                page = Paginator(found, HITS_PER_PAGE).get_page(request.GET.get("page"))
                groups.append(Group(document, page.paginator.count, hits(document, page, marks), page))
            elif kind:
                groups.append(Group(document, found.count(), []))
            else:
                top = list(found.annotate(found_in_all=Window(Count("pk")))[:HITS_PER_GROUP])
                count = top[0].found_in_all if top else 0
                groups.append(Group(document, count, hits(document, top, marks)))
    return groups


def hits(document: Document, items, marks: tuple[str, ...]) -> list[Hit]:
    pattern = word_pattern(marks)
    found = []
    for item in items:
        snippet = getattr(item, document.summary)
        if document.body_is_markdown and pattern and not pattern.search(snippet):
            body = plain_text(getattr(item, document.body))
            if pattern.search(body):
                snippet = excerpt(body, marks)
        found.append(Hit(item, highlight(item.title, marks), highlight(snippet, marks)))
    return found


def suggestions(request) -> dict:
    """Where to go from an empty search or one that found nothing: the tracks and the most used tags, read
    once per catalogue version and scope (drafts or not) and kept (plumbing.overlay.memo)."""
    user = request.user
    version = cache_tokens.current(request, cache_tokens.CATALOGUE)
    key = ("search-suggestions", version, "drafts" if sees_drafts(user) else "published")
    return memo(
        key,
        lambda: {
            "suggested_tracks": list(queries.tracks_for_list(user)),
            "suggested_tags": list(queries.tags_in_use().order_by("-item_count", "name")[:SUGGESTED_TAGS]),
        },
    )
