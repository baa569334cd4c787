"""Filtering and sorting resources on /resources/ and on topic pages, and related topics."""

import pytest
from django.urls import reverse

from tests.factories import BookmarkFactory, RatingFactory, ResourceFactory, TopicFactory

pytestmark = pytest.mark.django_db
RESOURCES = reverse("learning:resource_list")


def titles(response):
    if "page" in response.context:
        return [resource.title for resource in response.context["page"]]
    return [resource.title for resource in response.context["topic"].ranked_resources]


def rate(resource, *stars):
    for value in stars:
        RatingFactory(resource=resource, stars=value)


@pytest.fixture
def rated():
    """Resources with known ratings and bookmarks, created oldest first."""
    loved = ResourceFactory(title="Loved by many")  # fifty 5s and 4s: average 4.6
    rate(loved, *([5] * 30 + [4] * 20))
    lucky = ResourceFactory(title="One lucky vote")
    rate(lucky, 5)
    meh = ResourceFactory(title="Middling")
    rate(meh, 3, 3, 2)
    unrated = ResourceFactory(title="Not rated yet")
    for _ in range(3):
        BookmarkFactory(resource=unrated)
    BookmarkFactory(resource=lucky)
    return {"loved": loved, "lucky": lucky, "meh": meh, "unrated": unrated}


def test_the_default_order_is_best_rated_by_bayesian_average(client, rated):
    response = client.get(RESOURCES)
    assert titles(response) == ["Loved by many", "One lucky vote", "Not rated yet", "Middling"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("bookmarked", ["Not rated yet", "One lucky vote", "Loved by many", "Middling"]),
        ("newest", ["Not rated yet", "Middling", "One lucky vote", "Loved by many"]),
        ("title", ["Loved by many", "Middling", "Not rated yet", "One lucky vote"]),
    ],
)
def test_sort_orders(client, rated, sort, expected):
    assert titles(client.get(RESOURCES, {"sort": sort})) == expected


@pytest.mark.parametrize(
    ("min_rating", "expected"),
    [("4", ["Loved by many", "One lucky vote"]), ("2", ["Loved by many", "One lucky vote", "Middling"])],
)
def test_minimum_rating_uses_the_average_and_leaves_out_unrated(client, rated, min_rating, expected):
    assert titles(client.get(RESOURCES, {"min_rating": min_rating})) == expected


def test_filters_combine_and_stay_in_the_address(client, rated):
    ResourceFactory(title="Video, rated", kind="video", tags=["python"])
    rate(ResourceFactory(title="Video, loved", kind="video", tags=["python"]), 5, 5)
    rate(ResourceFactory(title="Article, loved", kind="article", tags=["python"]), 5, 5)
    response = client.get(RESOURCES, {"kind": "video", "tag": "python", "min_rating": "4", "sort": "title"})
    assert titles(response) == ["Video, loved"]
    html = response.content.decode()
    assert '<option value="4" selected>4★ and up</option>' in html
    assert '<option value="python" selected>python (3)</option>' in html


def test_the_tag_menu_lists_only_tags_of_visible_resources_with_their_counts(client):
    ResourceFactory(tags=["python", "web"])
    ResourceFactory(tags=["python"])
    ResourceFactory(tags=["secret"], is_published=False)
    TopicFactory(tags=["topic-only"])
    tags = {tag.slug: tag.item_count for tag in client.get(RESOURCES).context["tags"]}
    assert tags == {"python": 2, "web": 1}


@pytest.mark.parametrize(
    "params", [{"min_rating": "9"}, {"min_rating": "-1"}, {"min_rating": "4.5"}, {"sort": "rating desc"}]
)
def test_bad_rating_or_sort_values_are_ignored_with_a_notice(client, rated, params):
    response = client.get(RESOURCES, params)
    assert response.status_code == 200
    assert len(titles(response)) == 4
    assert "Ignored filters that aren't valid" in response.content.decode()


def test_the_filters_refresh_the_results_in_place_with_javascript(client, rated):
    html = client.get(RESOURCES).content.decode()
    assert 'data-hx-trigger="change"' in html
    assert 'data-hx-select="#resource-results"' in html
    assert 'id="resource-results"' in html


# ---- topic pages


@pytest.fixture
def topic(rated):
    topic = TopicFactory(title="Caching", tags=["performance", "redis"])
    for resource in rated.values():
        resource.topics.add(topic)
    ResourceFactory(title="Elsewhere", kind="video", tags=["other"])
    return topic


def test_a_topic_ranks_its_resources_by_their_curated_place_and_their_ratings(client, topic):
    # Places 0–3 in the order they were added; Middling's low ratings sink it below Not rated yet's prior.
    assert titles(client.get(topic.get_absolute_url())) == [
        "Loved by many",
        "One lucky vote",
        "Middling",
        "Not rated yet",
    ]


def test_a_topics_resources_filter_and_sort_by_the_same_rules(client, topic, rated):
    rated["meh"].kind = "video"
    rated["meh"].save()
    url = topic.get_absolute_url()
    assert titles(client.get(url, {"kind": "video"})) == ["Middling"]
    assert titles(client.get(url, {"min_rating": "4", "sort": "title"})) == [
        "Loved by many",
        "One lucky vote",
    ]
    assert titles(client.get(url, {"sort": "bookmarked"}))[0] == "Not rated yet"


def test_a_topic_says_when_no_resource_matches_the_filters(client, topic):
    response = client.get(topic.get_absolute_url(), {"kind": "podcast"})
    assert response.status_code == 200
    assert "No resources of this topic match these filters." in response.content.decode()


def test_a_topic_ignores_bad_filters_with_a_notice(client, topic):
    response = client.get(topic.get_absolute_url(), {"kind": "<script>x</script>", "min_rating": "five"})
    assert response.status_code == 200
    html = response.content.decode()
    assert len(titles(response)) == 4
    assert "Ignored filters that aren't valid: kind=&lt;script&gt;x&lt;/script&gt;, min_rating=five." in html


def test_a_topics_tag_menu_lists_the_tags_of_its_own_resources(client, topic, rated):
    rated["loved"].tags.add("redis")
    tags = [tag.slug for tag in client.get(topic.get_absolute_url()).context["tags"]]
    assert tags == ["redis"]


def test_related_topics_share_tags_most_shared_first(client):
    topic = TopicFactory(title="Caching", tags=["performance", "redis", "databases"])
    TopicFactory(title="Redis", tags=["redis", "databases"])
    TopicFactory(title="Indexes", tags=["databases"])
    TopicFactory(title="Profiling", tags=["performance"])
    TopicFactory(title="Draft about redis", tags=["redis", "databases", "performance"], is_published=False)
    TopicFactory(title="Unrelated", tags=["git"])
    response = client.get(topic.get_absolute_url())
    related = [(other.title, other.shared_tags) for other in response.context["related"]]
    assert related == [("Redis", 2), ("Indexes", 1), ("Profiling", 1)]
    assert "2 shared tags" in response.content.decode()


def test_a_topic_without_tags_has_no_related_topics(client):
    topic = TopicFactory(title="Lonely")
    TopicFactory(title="Other", tags=["x"])
    response = client.get(topic.get_absolute_url())
    assert list(response.context["related"]) == []
    assert "Related topics" not in response.content.decode()
