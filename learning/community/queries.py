"""Reads of what learners wrote: ratings and reviews of a resource, a learner's suggestions, and the reviews
a learner may report."""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404

from learning.catalogue.models import Resource
from learning.catalogue.queries import resource_for_page
from learning.community.models import Rating, ResourceSuggestion

REVIEWS_PER_PAGE = 10


@dataclass(frozen=True)
class RatingSummary:
    count: int
    average: float | None
    distribution: list  # [(stars, count, percent)] from 5 down to 1


def rating_summary(resource) -> RatingSummary:
    counts = (
        Rating.objects.counted()
        .filter(resource=resource)
        .aggregate(
            total=Count("pk"),
            average=Avg("stars"),
            **{f"s{n}": Count("pk", filter=Q(stars=n)) for n in range(1, 6)},
        )
    )
    total = counts["total"]
    distribution = [
        (n, counts[f"s{n}"], round(100 * counts[f"s{n}"] / total) if total else 0) for n in range(5, 0, -1)
    ]
    return RatingSummary(count=total, average=counts["average"], distribution=distribution)


def reviews_of(resource):
    return (
        Rating.objects.counted()
        .filter(resource=resource)
        .exclude(review="")
        .select_related("user")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class ResourcePage:
    """All a resource page shows that is the same for everyone: the resource (with its tags and topics), its
    ratings and one page of its reviews, read at once."""

    resource: Resource
    summary: RatingSummary
    reviews: Page  # of written, counted reviews, newest first, with their authors

    @cached_property
    def reviews_by_id(self) -> dict:
        return {rating.pk: rating for rating in self.reviews}


def resource_page(user, pk, *, reviews_page: int) -> ResourcePage:
    """Five queries; 404 for a resource the person can't see. The page of reviews is read as
    Paginator.get_page reads it (out of range: the last)."""
    resource = resource_for_page(user, pk)
    reviews = Paginator(reviews_of(resource), REVIEWS_PER_PAGE).get_page(reviews_page)
    reviews.object_list = list(reviews.object_list)
    # The paginator has counted (get_page did): it lets go of its query, which pickling the page for the
    # shared memo would otherwise run to read every review.
    reviews.paginator.object_list = reviews.object_list
    return ResourcePage(resource=resource, summary=rating_summary(resource), reviews=reviews)


def own_rating(user, resource) -> Rating | None:
    if not user.is_authenticated:
        return None
    return Rating.objects.filter(user=user, resource=resource).first()


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
