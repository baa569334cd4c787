"""A rating a moderator hid counts nowhere: not in a resource's stats, the site mean, summaries or reviews."""

import pytest
from django.contrib.auth.models import AnonymousUser

from learning.catalogue.queries import site_mean_rating
from learning.community.queries import resource_page
from learning.models import Resource
from tests.factories import RatingFactory, ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resource():
    resource = ResourceFactory()
    RatingFactory(resource=resource, stars=4, review="Clear and short.")
    RatingFactory(resource=resource, stars=1, review="Buy my course instead!", is_hidden=True)
    return resource


def test_stats_leave_hidden_ratings_out(resource):
    stats = Resource.objects.with_stats().get(pk=resource.pk)
    assert (stats.rating_count, stats.rating_sum, stats.rating_average) == (1, 4, 4.0)


def test_the_ranking_score_leaves_hidden_ratings_out(resource):
    # The resource is on no topic: its prior is the site mean, weighed as 10 ratings.
    scored = Resource.objects.with_score(prior_mean=3.0).get(pk=resource.pk)
    assert scored.score == pytest.approx((10 * 3.0 + 4) / 11)


def test_the_site_mean_leaves_hidden_ratings_out(resource):
    assert site_mean_rating() == 4.0


def test_summary_and_reviews_leave_hidden_ratings_out(resource):
    page = resource_page(AnonymousUser(), resource.pk, reviews_page=1)
    assert (page.summary.count, page.summary.average) == (1, 4.0)
    assert [rating.review for rating in page.reviews] == ["Clear and short."]
