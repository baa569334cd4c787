"""Pages that list things run the same number of queries whatever the size of the data."""

import pytest
from django.urls import reverse

from tests.conftest import cold_queries
from tests.factories import ResourceFactory
from tests.learning.conftest import build_track

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]


PAGES = {
    "home": lambda track: "/",
    "track list": lambda track: reverse("learning:track_list"),
    "track": lambda track: track.get_absolute_url(),
    "topic": lambda track: track.steps.first().topic.get_absolute_url(),
    "resource list": lambda track: reverse("learning:resource_list"),
    "resource list filtered": lambda track: reverse("learning:resource_list") + "?kind=article&tag=docs",
    "resource list by rating": lambda track: reverse("learning:resource_list") + "?sort=bookmarked&tag=docs",
    "topic filtered": lambda track: (
        track.steps.first().topic.get_absolute_url() + "?kind=article&sort=newest"
    ),
    "resource": lambda track: track.steps.first().topic.resources.first().get_absolute_url(),
    "search": lambda track: reverse("learning:search") + "?q=topic",
    "search by tag, one type": lambda track: reverse("learning:search") + "?q=docs&type=resource&page=2",
    "search without results": lambda track: reverse("learning:search") + "?q=nothing+here",
    "tag list": lambda track: reverse("learning:tag_list"),
    "tag": lambda track: reverse("learning:tag_detail", args=["fundamentals"]),
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("as_staff", [False, True], ids=["visitor", "staff"])
def test_queries_do_not_grow_with_the_data(client, staff, page, as_staff):
    if as_staff:
        client.force_login(staff)
    small = build_track(2, slug="small", resources_per_topic=1)
    url = PAGES[page](small)
    client.get(url)  # warm up what lives for the whole process (content types)
    expected = cold_queries(client, url)
    large = build_track(24, slug="large", resources_per_topic=3)
    for _ in range(30):
        ResourceFactory(tags=["docs"])
    assert cold_queries(client, PAGES[page](large)) == expected
