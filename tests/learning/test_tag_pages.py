"""A tag's page: its tracks and topics, then its resources filtered, sorted and paginated like /resources/."""

import pytest
from django.urls import reverse

from learning.catalogue.queries import RESOURCES_PER_PAGE
from tests.factories import RatingFactory, ResourceFactory, TopicFactory, TrackFactory

pytestmark = pytest.mark.django_db
DOCKER = reverse("learning:tag_detail", args=["docker"])


def titles(response):
    return [resource.title for resource in response.context["page"]]


@pytest.fixture
def tagged():
    """A track and a topic tagged docker, 30 resources tagged docker (and one that isn't), oldest first."""
    TrackFactory(title="DevOps", tags=["docker"])
    TopicFactory(title="Containers", tags=["docker"])
    resources = [ResourceFactory(title=f"Docker guide {n:02}", tags=["docker"]) for n in range(30)]
    ResourceFactory(title="Not about it", tags=["python"])
    return resources


def test_tracks_and_topics_stay_listed_above_the_first_page_of_resources(client, tagged):
    response = client.get(DOCKER)
    assert response.status_code == 200
    html = response.content.decode()
    assert "DevOps" in html
    assert "Containers" in html
    assert len(titles(response)) == RESOURCES_PER_PAGE
    assert "Not about it" not in html
    assert "1 track · 1 topic · 30 resources</p>" in html
    assert "Page 1 of 2" in html
    assert 'href="?page=2#tag-resources"' in html  # the next page opens at the resources
    assert html.index("DevOps") < html.index("Containers") < html.index("Docker guide")


def test_the_second_page_has_the_rest_and_its_number_in_the_title(client, tagged):
    response = client.get(DOCKER, {"page": 2, "sort": "title"})
    assert titles(response) == [f"Docker guide {n:02}" for n in range(24, 30)]
    html = response.content.decode()
    assert "(page 2) · " in html.split("</title>")[0]
    assert 'href="?sort=title&amp;page=1#tag-resources"' in html


@pytest.mark.parametrize("page", ["99", "0", "two"])
def test_a_page_out_of_range_or_not_a_number_answers_the_nearest_page(client, tagged, page):
    response = client.get(DOCKER, {"page": page})
    assert response.status_code == 200
    expected = 1 if page == "two" else 2  # as Django's get_page does on /resources/: 0 is past the start
    assert response.context["page"].number == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "video"}, ["Docker video"]),
        ({"level": "advanced"}, ["Docker deep dive"]),
        ({"cost": "paid"}, ["Docker deep dive"]),
        ({"kind": "book", "cost": "paid"}, ["Docker deep dive"]),
        ({"kind": "podcast"}, []),
    ],
)
def test_filters_narrow_the_tags_resources(client, params, expected):
    ResourceFactory(title="Docker video", kind="video", tags=["docker"])
    ResourceFactory(title="Docker deep dive", kind="book", cost="paid", level="advanced", tags=["docker"])
    ResourceFactory(title="Docker intro", tags=["docker"])
    ResourceFactory(title="Other video", kind="video", tags=["go"])
    response = client.get(DOCKER, params)
    assert titles(response) == expected
    html = response.content.decode()
    assert f"{len(expected)} of 3 resources match" in html
    if not expected:
        assert "No resources tagged “docker” match these filters." in html


def test_best_rated_ranks_by_the_bayesian_average_against_the_site_mean(client, rendered_every_time):
    many = ResourceFactory(title="Many good votes", tags=["docker"])
    for _ in range(20):
        RatingFactory(resource=many, stars=5)
    one = ResourceFactory(title="One perfect vote", tags=["docker"])
    RatingFactory(resource=one, stars=5)
    poor = ResourceFactory(title="Poorly rated", tags=["docker"])
    for _ in range(3):
        RatingFactory(resource=poor, stars=1)
    ResourceFactory(title="Unrated", tags=["docker"])
    # The site mean (24 ratings, mostly fives: 4.5) is high, so the unrated one ranks above the poorly rated.
    assert titles(client.get(DOCKER)) == ["Many good votes", "One perfect vote", "Unrated", "Poorly rated"]
    assert titles(client.get(DOCKER, {"sort": "best"})) == titles(client.get(DOCKER))


def test_newest_first_and_title_orders(client, tagged, rendered_every_time):
    newest = titles(client.get(DOCKER, {"sort": "newest"}))
    assert newest[:2] == ["Docker guide 29", "Docker guide 28"]
    assert titles(client.get(DOCKER, {"sort": "title"}))[:2] == ["Docker guide 00", "Docker guide 01"]


def test_invalid_parameters_are_ignored_with_the_same_notice_as_the_resource_list(client, tagged):
    response = client.get(DOCKER, {"kind": "<b>nope</b>", "sort": "random", "level": "beginner"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ignored filters that aren't valid: kind=&lt;b&gt;nope&lt;/b&gt;, sort=random." in html
    assert "<b>nope</b>" not in html
    assert len(titles(response)) == RESOURCES_PER_PAGE  # the valid filter (beginner) still applies


def test_the_tag_itself_is_not_offered_as_a_filter(client, tagged):
    html = client.get(DOCKER).content.decode()
    assert 'name="kind"' in html
    assert 'name="tag"' not in html


def test_a_rating_moves_the_ranking_of_the_cached_page(client):
    first = ResourceFactory(title="A first", tags=["docker"])
    second = ResourceFactory(title="B second", tags=["docker"])
    RatingFactory(resource=first, stars=3)
    assert titles(client.get(DOCKER)) == ["A first", "B second"]
    for _ in range(5):
        RatingFactory(resource=second, stars=5)
    html = client.get(DOCKER).content.decode()  # a cached page would still show the old order
    assert html.index("B second") < html.index("A first")


def test_the_counts_leave_out_what_the_tag_has_none_of(client):
    ResourceFactory(tags=["docker"])
    html = client.get(DOCKER).content.decode()
    assert '<p class="lead">1 resource</p>' in html
    assert "0 tracks" not in html


def test_a_tag_with_only_unpublished_resources_is_404(client):
    ResourceFactory(title="Draft", tags=["secret"], is_published=False)
    assert client.get(reverse("learning:tag_detail", args=["secret"])).status_code == 404
