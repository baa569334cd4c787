"""Lists of resources (/resources/, a tag's page): ranked once per version, filtered and paged per request.

Ranking every resource a person may see (the curated order blended with the ratings, queries.ORDERINGS) is
what a list costs; narrowing a ranked list by kind, cost, level, tag or rating and cutting a page from it is
not. So this process keeps (plumbing.overlay.memo), per catalogue and stats version and per what the viewer
may see (published resources, or drafts too for staff: models.sees_drafts), every visible resource in the
order of each sort with the figures its card shows, and per catalogue version the tags they carry. A request
filters that order in memory, counts it, and reads only the resources of its page with their topics. The
keys hold the versions: a curated change, a rating or a bookmark is a miss at once, never a stale list.
Nothing in it is anyone's own: a learner's bookmarks and ratings are read per request elsewhere.

The order is the database's own (ORDER BY over every visible resource, ending with the primary key), and a
filter keeps a subset of it, so a filtered list is in exactly the order the same filter in SQL gives.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import overload

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.template.loader import get_template
from taggit.models import Tag, TaggedItem

from learning.catalogue.models import Resource, sees_drafts
from learning.catalogue.queries import (
    STACK_INDEPENDENT,
    filter_resources,
    topics_of_cards,
    tracks_for_list,
    visible_topics,
)
from plumbing import cache_tokens
from plumbing.overlay import memo

# What a card shows of a resource's stats (with_stats' names), read with the ranking and set on a page's
# resources. Each is a subquery per resource, so the ranking reads no more of them than the cards show.
STATS = ("rating_count", "rating_average")
CARD = "includes/resource_card.html"
CARDS_KEPT = 2000  # per catalogue and stats version and scope


@dataclass(frozen=True)
class Ranking:
    """Every visible resource under one sort: its pk in order, and per pk its kind, cost, level and stats."""

    order: tuple[int, ...]
    facts: dict[int, tuple]  # pk -> (kind, cost, level, stack, *STATS): the average last
    by_facet: dict[tuple[str, str], frozenset[int]]  # ("kind", "video") -> the pks of that kind

    @classmethod
    def of(cls, rows) -> "Ranking":
        facts = {pk: rest for pk, *rest in rows}
        by_facet: dict[tuple[str, str], set[int]] = {}
        for pk, (kind, cost, level, stack, *_) in facts.items():
            for facet in (("kind", kind), ("cost", cost), ("level", level), ("stack", stack)):
                by_facet.setdefault(facet, set()).add(pk)
        return cls(
            order=tuple(facts),
            facts=facts,
            by_facet={facet: frozenset(pks) for facet, pks in by_facet.items()},
        )


@dataclass(frozen=True)
class Tagging:
    """The tags on the visible resources, by name with how many carry each (the tag filter's choices), and the
    resources carrying each tag, by its slug."""

    tags: tuple[Tag, ...]
    carrying: dict[str, frozenset[int]]


def _scope(request) -> str:
    return "drafts" if sees_drafts(request.user) else "published"


def _versions(request) -> tuple[int, int]:
    return (
        cache_tokens.current(request, cache_tokens.CATALOGUE),
        cache_tokens.current(request, cache_tokens.STATS),
    )


def ranking(request, *, prior_mean: float, order: str) -> Ranking:
    """Every resource the person may see, in the order `order` (a key of queries.ORDERINGS)."""
    key = ("resource-ranking", _versions(request), _scope(request), float(prior_mean), order)
    return memo(key, lambda: _rank(request.user, prior_mean=prior_mean, order=order))


def _rank(user, *, prior_mean: float, order: str) -> Ranking:
    ranked = filter_resources(Resource.objects.visible_to(user), prior_mean=prior_mean, order=order)
    return Ranking.of(ranked.values_list("pk", "kind", "cost", "level", "stack", *STATS))


def tagging(request) -> Tagging:
    """The tags on the resources the person may see: one query per catalogue version and scope."""
    key = ("resource-tagging", cache_tokens.current(request, cache_tokens.CATALOGUE), _scope(request))
    return memo(key, lambda: _tagging(request.user))


def _tagging(user) -> Tagging:
    rows = (
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Resource),
            object_id__in=Resource.objects.visible_to(user).values("pk"),
        )
        .order_by("tag__name", "object_id")
        .values_list("tag_id", "tag__name", "tag__slug", "object_id")
    )
    tags: dict[int, Tag] = {}
    carrying: dict[str, set[int]] = {}
    for tag_id, name, slug, resource_id in rows:
        if tag_id not in tags:
            tags[tag_id] = Tag(id=tag_id, name=name, slug=slug)
        carrying.setdefault(slug, set()).add(resource_id)
    for tag in tags.values():
        tag.item_count = len(carrying[tag.slug])
    return Tagging(tuple(tags.values()), {slug: frozenset(pks) for slug, pks in carrying.items()})


def resource_tags(request) -> tuple[Tag, ...]:
    """queries.resource_tags(user) for the whole list, from the memo: Tags by name with `item_count`."""
    return tagging(request).tags


def resources_for_list(
    request,
    *,
    prior_mean: float,
    kind=None,
    cost=None,
    level=None,
    stack=None,
    tag=None,
    min_rating=None,
    order="best",
) -> "RankedResources":
    """The visible resources narrowed by the filters of ResourceFilterForm and ranked as filter_resources
    ranks them: a sequence to paginate, whose slices read their resources (with their topics)."""
    ranked = ranking(request, prior_mean=prior_mean, order=order)
    wanted = [
        ranked.by_facet.get((name, value), frozenset()) for name, value in _facets(kind, cost, level, stack)
    ]
    if tag:
        wanted.append(tagging(request).carrying.get(tag, frozenset()))
    pks: Sequence[int] = ranked.order
    if wanted:
        allowed = frozenset.intersection(*wanted)
        pks = [pk for pk in pks if pk in allowed]
    if min_rating:
        threshold = Decimal(min_rating)
        pks = [pk for pk in pks if (average := ranked.facts[pk][-1]) is not None and average >= threshold]
    return RankedResources(request, pks, ranked.facts)


def _facets(kind, cost, level, stack):
    # The stack filter's "independent" keeps the resources of no stack (stored as "").
    stack = "" if stack == STACK_INDEPENDENT else stack
    given = (("kind", kind), ("cost", cost), ("level", level), ("stack", stack))
    return [(name, value) for name, value in given if value is not None and (value or name == "stack")]


class RankedResources:
    """Ranked resources as a Paginator takes them: its length is their count, and a slice reads the resources
    of those pks that the person may see, in the ranked order, with the stats the ranking read and their card
    (`card`: the HTML of includes/resource_card.html with their topics)."""

    def __init__(self, request, pks: Sequence[int], facts: dict[int, tuple]):
        self.request, self.pks, self.facts = request, pks, facts

    def __len__(self) -> int:
        return len(self.pks)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self[:])

    @overload
    def __getitem__(self, index: int) -> Resource: ...

    @overload
    def __getitem__(self, index: slice) -> list[Resource]: ...

    def __getitem__(self, index: int | slice) -> Resource | list[Resource]:
        if isinstance(index, int):
            return self._read([self.pks[index]])[0]
        return self._read(list(self.pks[index]))

    def _read(self, pks: list[int]) -> list[Resource]:
        user = self.request.user
        by_pk = {resource.pk: resource for resource in Resource.objects.visible_to(user).filter(pk__in=pks)}
        page = [by_pk[pk] for pk in pks if pk in by_pk]
        for resource in page:
            for name, value in zip(STATS, self.facts[resource.pk][4:], strict=True):
                setattr(resource, name, value)
        lay_cards(self.request, page)
        return page


def lay_cards(request, resources: list[Resource]) -> None:
    """Sets each resource's `card`, rendered once per version and scope and kept: a card shows the catalogue's
    data, the stats (set on the resource, as with_stats names them) and the topics the scope may see, nothing
    of anyone's own (a list offers no bookmark). The first card not kept yet reads the topics of all of them,
    in one query."""
    # One memo entry per version and scope holds its cards, so pages of cards don't push the rankings (and
    # other pages' fragments) out of the memo; at most CARDS_KEPT of them, then it starts again.
    kept: dict[int, str] = memo(("resource-cards", _versions(request), _scope(request)), dict)
    cards = {resource.pk: kept.get(resource.pk) for resource in resources}
    missing = [resource for resource in resources if cards[resource.pk] is None]
    if missing:
        prefetch_related_objects(missing, Prefetch("topics", queryset=topics_of_cards(request.user)))
        if len(kept) + len(missing) > CARDS_KEPT:
            kept.clear()
        template = get_template(CARD)
        for resource in missing:
            # A template's render() gives safe HTML, which the page's {{ resource.card }} shows as it is.
            cards[resource.pk] = kept[resource.pk] = template.render(
                {"resource": resource, "show_topics": True}
            )
    for resource in resources:
        resource.card = cards[resource.pk]  # type: ignore[attr-defined]


def tag_for_page(request, slug, *, prior_mean: float, filters: dict):
    """A tag's tracks and topics (few: all of them), its resources ranked and filtered like /resources/ (the
    caller paginates them), and how many resources carry it in all. None when nothing visible carries it."""
    key = ("tag-page", cache_tokens.current(request, cache_tokens.CATALOGUE), _scope(request), slug)
    tag, tracks, topics = memo(key, lambda: _tag_head(request.user, slug))
    resource_total = len(tagging(request).carrying.get(tag.slug, ()))
    if not (tracks or topics or resource_total):
        return None
    resources = resources_for_list(request, prior_mean=prior_mean, **(filters | {"tag": tag.slug}))
    return {
        "tag": tag,
        "tracks": tracks,
        "topics": topics,
        "resources": resources,
        "resource_total": resource_total,
    }


def _tag_head(user, slug) -> tuple[Tag, list, list]:
    tag = get_object_or_404(Tag, slug=slug)
    tracks = list(tracks_for_list(user).filter(tags=tag))
    topics = list(visible_topics(user).filter(tags=tag).order_by("title"))
    return tag, tracks, topics
