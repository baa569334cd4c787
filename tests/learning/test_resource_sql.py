"""A resource page's hand-written read (learning.community.resource_sql) gives what the querysets it stands for
give: the resource, its tags and visible topics, how its counted ratings spread, and the page of written
reviews asked for, as Paginator.get_page gives it. Run on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning.community.models import Rating
from learning.community.resource_sql import resource_for_page
from tests.batches import read_together
from tests.factories import RatingFactory, ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db
PER_PAGE = 3


@pytest.fixture
def resource():
    """Tagged, teaching two published topics and a draft, with written and unwritten, counted and hidden
    ratings, some written at the same moment (the id decides)."""
    topics = [
        TopicFactory(title="Zebra routing"),
        TopicFactory(title="APIs"),
        TopicFactory(is_published=False),
    ]
    resource = ResourceFactory(topics=topics, tags=["web", "apis", "http"])
    now = timezone.now()
    for n, (stars, review, hidden) in enumerate(
        [(5, "Great", False), (4, "", False), (1, "Spam", True), (3, "Fine", False), (5, "Yes", False)]
        + [(2, f"Meh {n}", False) for n in range(4)]
    ):
        rating = RatingFactory(resource=resource, stars=stars, review=review, is_hidden=hidden)
        Rating.objects.filter(pk=rating.pk).update(created_at=now - timedelta(days=n // 2))
    RatingFactory(stars=1, review="Another resource's")
    return resource


def reviews_by_queryset(resource, number):
    written = Rating.objects.filter(resource=resource, is_hidden=False).exclude(review="")
    page = Paginator(written.order_by("-created_at", "-pk"), PER_PAGE).get_page(number)
    return [rating.pk for rating in page], page.number, page.paginator.count


@pytest.mark.parametrize("number", [1, 2, 3, 99, 0, -4, 10**30], ids=lambda n: f"page {n}")
def test_the_page_of_reviews_is_paginators(resource, number):
    read = resource_for_page(False, resource.pk, reviews_page=number, per_page=PER_PAGE)
    got = ([rating.pk for rating in read.reviews], read.reviews.number, read.reviews.paginator.count)
    assert got == reviews_by_queryset(resource, number)


def test_the_resource_tags_topics_and_ratings_are_the_querysets(resource):
    read = resource_for_page(False, resource.pk, reviews_page=1, per_page=PER_PAGE)
    assert (read.resource.pk, read.resource.title, read.resource.url) == (
        resource.pk,
        resource.title,
        resource.url,
    )
    assert [tag.name for tag in read.tags] == ["apis", "http", "web"]
    assert [topic.title for topic in read.topics] == ["APIs", "Zebra routing"]
    staff = resource_for_page(True, resource.pk, reviews_page=1, per_page=PER_PAGE)
    assert len(staff.topics) == 3
    counted = Rating.objects.filter(resource=resource, is_hidden=False)
    expected = counted.aggregate(
        total=Count("pk"),
        average=Avg("stars"),
        **{f"s{n}": Count("pk", filter=Q(stars=n)) for n in range(1, 6)},
    )
    assert read.counts == pytest.approx(expected)
    assert read.counts["s1"] == 0  # the hidden one-star rating doesn't count


def test_a_review_carries_its_authors_name_only(resource):
    read = resource_for_page(False, resource.pk, reviews_page=1, per_page=PER_PAGE)
    review = read.reviews[0]
    assert review.user.username == Rating.objects.get(pk=review.pk).user.username
    assert {"email", "password"} <= review.user.get_deferred_fields()
    assert review.created_at.tzinfo is not None


@pytest.mark.parametrize("pk", [0, 10**30], ids=["zero", "past a big integer"])
def test_no_such_resource_is_a_404(pk):
    with pytest.raises(Http404):
        resource_for_page(True, pk, reviews_page=1, per_page=PER_PAGE)


def test_a_draft_resource_is_staffs_only(resource):
    resource.is_published = False
    resource.save()
    with pytest.raises(Http404):
        resource_for_page(False, resource.pk, reviews_page=1, per_page=PER_PAGE)
    assert resource_for_page(True, resource.pk, reviews_page=1, per_page=PER_PAGE).resource.pk == resource.pk


def test_one_round_trip_and_one_more_for_a_page_out_of_range(resource):
    resource_for_page(False, resource.pk, reviews_page=1, per_page=PER_PAGE)  # the content types, kept
    with CaptureQueriesContext(connection) as captured:
        resource_for_page(False, resource.pk, reviews_page=2, per_page=PER_PAGE)
    assert len(captured) == read_together(5)
    with CaptureQueriesContext(connection) as captured:
        resource_for_page(False, resource.pk, reviews_page=99, per_page=PER_PAGE)
    assert len(captured) == read_together(5) + 1


def test_the_page_shows_the_last_reviews_for_a_page_number_past_any(client, resource):
    response = client.get(f"{resource.get_absolute_url()}?reviews={'9' * 30}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Meh 3" in page  # the oldest of its seven reviews: one page of ten, the last
    assert "Great" in page
