"""Reads of what learners wrote: ratings and reviews of a resource, a learner's suggestions, and the reviews
a learner may report."""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page
from django.shortcuts import get_object_or_404

from learning.catalogue.models import Resource, sees_drafts
from learning.community import resource_sql
from learning.community.models import Rating, ResourceSuggestion
from plumbing.sql import Read, columns, from_row

REVIEWS_PER_PAGE = 10


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    distribution: list  # [(stars, count, percent)] from 5 down to 1


def summary_of(counts: dict) -> RatingSummary:
    """How a resource's counted ratings spread, from their total, average and count per number of stars
    (`s1`..`s5`)."""
    total = counts["total"]
    distribution = [
        (n, counts[f"s{n}"], round(100 * counts[f"s{n}"] / total) if total else 0) for n in range(5, 0, -1)
    ]
    return RatingSummary(count=total, average=counts["average"], distribution=distribution)


@dataclass(frozen=True)
class ResourcePage:
    """All a resource page shows that is the same for everyone: the resource, its tags and topics, its
    ratings and one page of its reviews (with their authors' names), read at once."""

    resource: Resource
    tags: tuple
    topics: tuple
    summary: RatingSummary
    reviews: Page  # of written, counted reviews, newest first

    @cached_property
    def reviews_by_id(self) -> dict:
        return {rating.pk: rating for rating in self.reviews}


def resource_page(user, pk, *, reviews_page: int) -> ResourcePage:
    """One round trip (resource_sql); 404 for a resource the person can't see. The page of reviews is read
    as Paginator.get_page reads it (out of range: the last, which is then read on its own)."""
    read = resource_sql.resource_for_page(
        sees_drafts(user), pk, reviews_page=reviews_page, per_page=REVIEWS_PER_PAGE
    )
    return ResourcePage(
        resource=read.resource,
        tags=read.tags,
        topics=read.topics,
        summary=summary_of(read.counts),
        reviews=read.reviews,
    )


RATING_FIELDS = {field.attname for field in Rating._meta.concrete_fields}
OWN_RATING = (
    f"SELECT {columns('r', Rating, RATING_FIELDS)} FROM learning_rating r"  # noqa: S608 (the model's names)
    " WHERE r.user_id = %(user_id)s AND r.resource_id = %(resource_id)s"
)


def own_rating_read(user, resource_id: int) -> Read:
    """The learner's own rating of the resource, or None (read_together runs it beside their bookmark)."""
    return Read(
        OWN_RATING,
        {"user_id": user.pk, "resource_id": resource_id},
        lambda rows: from_row(Rating, RATING_FIELDS, rows[0]) if rows else None,
    )


SUGGESTIONS_SHOWN = 20


@dataclass(frozen=True)
class Suggestions:
    shown: list  # the newest SUGGESTIONS_SHOWN
    more: bool  # older ones exist


def suggestions_of(user) -> Suggestions:
    """The learner's own suggestions, newest first, with their topic and resulting resource: one query."""
    shown = ("title", "status", "url", "created_at", "rejection_reason", "topic__slug", "topic__title")
    rows = list(
        ResourceSuggestion.objects.filter(user=user)
        .select_related("topic", "resource")
        .only(*shown, "resource__title", "resource__is_published")  # what the dashboard shows of each
        .order_by("-created_at", "-pk")[: SUGGESTIONS_SHOWN + 1]
    )
    return Suggestions(shown=rows[:SUGGESTIONS_SHOWN], more=len(rows) > SUGGESTIONS_SHOWN)


def reportable_review(user, pk) -> Rating:
    """A written review shown on a resource page the learner can see, or 404 (hidden reviews too)."""
    return get_object_or_404(
        Rating.objects.counted()
        .exclude(review="")
        .filter(resource__in=Resource.objects.visible_to(user))
        .select_related("resource"),
        pk=pk,
    )
