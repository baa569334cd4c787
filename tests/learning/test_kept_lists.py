"""/resources/ and a tag's page rank every visible resource once per version and keep each card's HTML
(learning.catalogue.listing): a change shows on the next request, drafts stay the staff's, and nothing of a
learner's own is kept for anyone else."""

import re

import pytest
from django.urls import reverse

from learning.catalogue import forms as catalogue_forms
from learning.catalogue import listing
from learning.models import Rating
from tests.factories import (
    BookmarkFactory,
    RatingFactory,
    ResourceFactory,
    StaffFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]
RESOURCES = reverse("learning:resource_list")
DOCKER = reverse("learning:tag_detail", args=["docker"])


def titles(response):
    return [resource.title for resource in response.context["page"]]


def cards(response) -> str:
    """The list of cards, as HTML (of a response or a page's HTML)."""
    html = response if isinstance(response, str) else response.content.decode()
    return html[html.index('<div class="resource-list">') : html.index("</section>")]


def test_a_curated_change_shows_on_the_next_request(client):
    first = ResourceFactory(title="Docker in practice", tags=["docker"])
    ResourceFactory(title="Compose by example", tags=["docker"])
    assert client.get(DOCKER).status_code == 200
    assert "Docker in practice" in client.get(RESOURCES).content.decode()

    first.title = "Docker, revised"
    first.save()
    ResourceFactory(title="A new one", tags=["docker"])
    html = client.get(RESOURCES).content.decode()
    assert "Docker, revised" in html
    assert "Docker in practice" not in html
    assert "A new one" in html
    assert "A new one" in client.get(DOCKER).content.decode()

    first.is_published = False
    first.save()
    assert "Docker, revised" not in client.get(RESOURCES).content.decode()
    assert "Docker, revised" not in client.get(DOCKER).content.decode()


def test_a_topic_renamed_or_tagged_shows_on_the_cards_and_the_tag_page_at_once(client):
    topic = TopicFactory(title="Containers")
    ResourceFactory(title="Docker in practice", tags=["docker"], topics=[topic])
    assert ">Containers</a>" in cards(client.get(RESOURCES))
    topic.title = "Containers and images"
    topic.save()
    assert ">Containers and images</a>" in cards(client.get(RESOURCES))
    assert "Networking" not in client.get(DOCKER).content.decode()
    TopicFactory(title="Networking", tags=["docker"])
    assert "Networking" in client.get(DOCKER).content.decode()


def test_a_new_tag_shows_in_the_filter_and_narrows_at_once(client):
    resource = ResourceFactory(title="Docker in practice", tags=["docker"])
    ResourceFactory(title="Something else", tags=["docker"])
    assert titles(client.get(RESOURCES, {"tag": "compose"})) == []
    resource.tags.add("compose")
    response = client.get(RESOURCES, {"tag": "compose"})
    assert titles(response) == ["Docker in practice"]
    assert '<option value="compose" selected>compose (1)</option>' in response.content.decode()


def test_a_rating_moves_the_order_and_the_figures_at_once(client):
    first = ResourceFactory(title="First")
    second = ResourceFactory(title="Second")
    assert titles(client.get(RESOURCES)) == ["First", "Second"]
    assert titles(client.get(RESOURCES, {"min_rating": "4"})) == []
    for _ in range(30):
        RatingFactory(resource=second, stars=5)
        RatingFactory(resource=first, stars=1)
    response = client.get(RESOURCES, {"min_rating": "4"})
    assert titles(response) == ["Second"]
    assert "(30 ratings)" in cards(response)
    assert titles(client.get(RESOURCES)) == ["Second", "First"]
    Rating.objects.update(is_hidden=True)
    assert titles(client.get(RESOURCES, {"min_rating": "4"})) == []
    response = client.get(RESOURCES)
    assert "ratings)" not in cards(response)
    assert titles(response) == ["First", "Second"]


def test_a_bookmark_moves_the_most_bookmarked_order_at_once(client):
    ResourceFactory(title="First")
    second = ResourceFactory(title="Second")
    assert titles(client.get(RESOURCES, {"sort": "bookmarked"}))[0] == "First"
    BookmarkFactory(resource=second)
    assert titles(client.get(RESOURCES, {"sort": "bookmarked"}))[0] == "Second"


@pytest.mark.parametrize("staff_first", [True, False], ids=["staff first", "visitor first"])
def test_drafts_are_the_staffs_whoever_comes_first(client, staff_first):
    staff = StaffFactory()
    topic = TopicFactory(title="Draft topic", is_published=False)
    ResourceFactory(title="Published one", tags=["docker"], topics=[topic])
    ResourceFactory(title="Draft one", tags=["docker", "drafty"], is_published=False)

    def as_staff():
        client.force_login(staff)
        for url in (RESOURCES, DOCKER):
            html = client.get(url).content.decode()
            assert "Draft one" in html
            assert ">Draft topic</a>" in html
        assert "drafty (1)" in client.get(RESOURCES).content.decode()
        client.logout()

    def as_visitor():
        for url in (RESOURCES, DOCKER, f"{RESOURCES}?tag=drafty"):
            html = client.get(url).content.decode()
            assert "Draft one" not in html
            assert "Draft topic" not in html
        assert "drafty" not in client.get(RESOURCES).content.decode()
        assert "1 resource</p>" in client.get(DOCKER).content.decode()

    for step in (as_staff, as_visitor) if staff_first else (as_visitor, as_staff):
        step()


def test_no_learners_own_state_is_on_the_kept_cards(client):
    resource = ResourceFactory(title="Docker in practice", tags=["docker"])
    ada, bob = UserFactory(), UserFactory()
    BookmarkFactory(user=ada, resource=resource)
    RatingFactory(user=ada, resource=resource, stars=2, review="Too long for me.")
    client.force_login(ada)
    seen_by_ada = cards(client.get(RESOURCES))
    client.force_login(bob)
    seen_by_bob = cards(client.get(RESOURCES))
    client.logout()
    seen_by_visitor = cards(client.get(RESOURCES))
    assert seen_by_ada == seen_by_bob == seen_by_visitor
    assert "Too long for me" not in seen_by_bob
    assert ada.username not in seen_by_bob
    assert "bookmark" not in seen_by_bob.lower()


def test_a_kept_list_reads_only_its_pages_resources(client, django_assert_num_queries):
    for n in range(20):
        ResourceFactory(title=f"Guide {n:02}", tags=["docker"], kind="video" if n % 2 else "article")
    client.get(RESOURCES)  # ranks, reads the tags, keeps every card
    client.get(DOCKER)  # the tag, its tracks and topics
    with django_assert_num_queries(1):
        assert len(titles(client.get(RESOURCES, {"kind": "video"}))) == 10
    with django_assert_num_queries(1):  # another filter, from the same ranking and cards
        assert len(titles(client.get(DOCKER, {"kind": "article", "sort": "best"}))) == 10


def test_kept_selects_are_djangos_own_html_and_invalid_values_are_not_kept(client):
    ResourceFactory(title="Docker in practice")
    html = client.get(RESOURCES, {"kind": "video", "sort": "title"}).content.decode()
    assert '<option value="video" selected>Video</option>' in html
    assert '<option value="title" selected>Title A–Z</option>' in html
    kept = len(catalogue_forms._kept_selects)
    html = client.get(RESOURCES, {"kind": "nonsense"}).content.decode()
    kind = re.search(r'<select name="kind"[^>]*>.*?</select>', html, re.S)
    assert kind is not None
    assert 'aria-invalid="true"' in kind.group()
    assert "selected" not in kind.group()
    assert len(catalogue_forms._kept_selects) <= kept + 4  # the other fields' values, not the invalid one
    assert not any("nonsense" in str(key) for key in catalogue_forms._kept_selects)


def test_cards_past_the_bound_start_a_new_shelf_and_still_show(client, monkeypatch):
    monkeypatch.setattr(listing, "CARDS_KEPT", 3)
    for n in range(10):
        ResourceFactory(title=f"Guide {n:02}")
    for _ in range(2):
        response = client.get(RESOURCES)
        assert cards(response).count('<article class="resource-card') == 10


def test_a_learners_list_is_the_copy_rendered_for_its_query_string(client, django_assert_num_queries):
    for n in range(60):
        ResourceFactory(title=f"Guide {n:02}", kind="video" if n % 2 else "article")
    ada, bob = UserFactory(), UserFactory()
    client.force_login(ada)
    videos = client.get(RESOURCES, {"kind": "video"}).content.decode()
    articles = client.get(RESOURCES, {"kind": "article", "page": "2"}).content.decode()
    assert "30 resources</p>" in videos
    assert "30 resources</p>" in articles
    assert "<title>Resources (page 2) · " in articles
    assert "Page 2 of 2" in articles
    assert 'href="?kind=article&amp;page=1"' in articles  # the links keep the filters
    client.force_login(bob)
    with django_assert_num_queries(2):  # the session and the user: the list is the copy Ada's request made
        again = client.get(RESOURCES, {"kind": "video"}).content.decode()
    assert cards(again) == cards(videos)
    assert "Guide 01" in again
    assert "Guide 00" not in again
