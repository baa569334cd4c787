"""Every public page through its real URL: what a visitor sees, what staff see, and what is hidden."""

import re

import pytest
from django.urls import reverse

from learning.models import TopicResource
from tests.factories import ResourceFactory, StepFactory, TopicFactory, TrackFactory

pytestmark = pytest.mark.django_db


def h1_count(response):
    return len(re.findall(rb"<h1[ >]", response.content))


def assert_page(response, title_part):
    assert response.status_code == 200
    html = response.content.decode()
    assert h1_count(response) == 1
    assert re.search(r"<title>[^<]*" + re.escape(title_part), html)
    assert '<meta name="description" content="' in html
    for landmark in (
        '<header class="site-header"',
        '<main id="main"',
        '<footer class="site-footer"',
        'href="#main"',
    ):
        assert landmark in html


def test_home_lists_published_tracks_and_real_counts(client, track):
    TrackFactory(title="Hidden draft", is_published=False)
    response = client.get("/")
    assert_page(response, "Learn backend development")
    assert track.title in response.content.decode()
    assert "Hidden draft" not in response.content.decode()
    assert response.context["counts"] == {"tracks": 1, "topics": 4, "resources": 8}


def test_track_list(client, track):
    response = client.get(reverse("learning:track_list"))
    assert_page(response, "All tracks")
    assert track.get_absolute_url() in response.content.decode()


def test_track_page_draws_stages_steps_and_milestones(client, track):
    response = client.get(track.get_absolute_url())
    assert_page(response, "Backend developer roadmap")
    html = response.content.decode()
    for step in track.steps.select_related("topic"):
        assert step.topic.get_absolute_url() in html
    assert html.count('class="roadmap-stage"') == 2
    assert "months 1–3" in html
    assert html.count('class="milestone"') == 2
    assert "Optional" in html


def test_track_page_hides_unpublished_topics_from_visitors_but_not_staff(client, curator_client, track):
    step = track.steps.first()
    step.topic.is_published = False
    step.topic.save()
    assert step.topic.get_absolute_url() not in client.get(track.get_absolute_url()).content.decode()
    assert step.topic.get_absolute_url() in curator_client.get(track.get_absolute_url()).content.decode()


def test_topic_page_renders_markdown_ranks_resources_and_lists_tracks(client, track):
    topic = track.steps.first().topic
    topic.body = "### What to learn\n\n- **branches**\n\n<script>alert(1)</script>\n"
    topic.save()
    docs = ResourceFactory(title="Official docs", kind="docs", topics=[topic])  # last in the curated order
    TopicResource.objects.filter(topic=topic, resource=docs).update(is_start_here=True)
    other_track = TrackFactory(title="Python & Django")
    StepFactory(stage__track=other_track, topic=topic)
    response = client.get(topic.get_absolute_url())
    assert_page(response, topic.title)
    html = response.content.decode()
    assert "<strong>branches</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert response.context["topic"].ranked_resources[0] == docs
    assert html.count('class="badge badge--start-here"') == 1
    assert "Python &amp; Django" in html
    assert "Backend developer" in html


def test_topic_page_hides_unpublished_resources_and_tracks(client, track):
    topic = track.steps.first().topic
    hidden = ResourceFactory(title="Unpublished resource", is_published=False, topics=[topic])
    draft_track = TrackFactory(title="Draft track", is_published=False)
    StepFactory(stage__track=draft_track, topic=topic)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert hidden.title not in html
    assert "Draft track" not in html


def test_resource_list_filters_and_keeps_state_in_the_query_string(client, track):
    ResourceFactory(title="Paid video course", kind="video", cost="paid", level="advanced", tags=["video"])
    response = client.get(
        reverse("learning:resource_list"), {"kind": "video", "cost": "paid", "level": "advanced"}
    )
    assert_page(response, "Resources")
    assert [r.title for r in response.context["page"]] == ["Paid video course"]
    by_tag = client.get(reverse("learning:resource_list"), {"tag": "video"})
    assert [r.title for r in by_tag.context["page"]] == ["Paid video course"]


def test_resource_list_paginates_and_keeps_filters_in_page_links(client, db):
    for _ in range(30):
        ResourceFactory(kind="docs")
    response = client.get(reverse("learning:resource_list"), {"kind": "docs"})
    assert len(response.context["page"]) == 24
    assert "?kind=docs&amp;page=2" in response.content.decode()
    second = client.get(reverse("learning:resource_list"), {"kind": "docs", "page": 2})
    assert len(second.context["page"]) == 6
    assert_page(second, "Resources (page 2)")


@pytest.mark.parametrize(
    "query",
    [{"kind": "blog"}, {"cost": "<script>"}, {"level": "x" * 5000}, {"page": "abc"}, {"page": "99999"},
     {"sort": "'; DROP TABLE"}, {"tag": "no such tag!"}, {"page": "-1"}, {"kind": "docs\x00"}],
)  # fmt: skip
def test_resource_list_ignores_bad_filters_with_a_notice_never_an_error(client, track, query):
    response = client.get(reverse("learning:resource_list"), query)
    assert response.status_code == 200
    assert b"<script>" not in response.content


def test_resource_list_names_the_ignored_filter(client, track):
    response = client.get(reverse("learning:resource_list"), {"kind": "blog"})
    assert "Ignored filters that aren't valid: kind=blog" in response.content.decode()
    assert response.context["page"].paginator.count == 8


def test_resource_page(client, track):
    resource = ResourceFactory(
        title="Pro Git", author="Scott Chacon", estimated_minutes=150, topics=[track.steps.first().topic]
    )
    response = client.get(resource.get_absolute_url())
    assert_page(response, "Pro Git")
    html = response.content.decode()
    assert "Scott Chacon" in html
    assert "2 h 30 min" in html
    assert f'href="{resource.url}"' in html
    assert 'rel="noopener noreferrer"' in html


def test_tag_pages(client, track):
    response = client.get(reverse("learning:tag_list"))
    assert_page(response, "Tags")
    assert "fundamentals" in response.content.decode()
    detail = client.get(reverse("learning:tag_detail", args=["fundamentals"]))
    assert_page(detail, "fundamentals")
    assert len(detail.context["topics"]) == 4


def test_tag_used_only_by_unpublished_content_is_404(client, db):
    TopicFactory(is_published=False, tags=["secret"])
    assert client.get(reverse("learning:tag_detail", args=["secret"])).status_code == 404
    assert "secret" not in client.get(reverse("learning:tag_list")).content.decode()


@pytest.mark.parametrize("kind", ["track", "topic", "resource"])
def test_unpublished_content_is_404_for_visitors_and_learners_but_visible_to_staff(
    client, learner, curator_client, kind
):
    obj = {
        "track": lambda: TrackFactory(is_published=False),
        "topic": lambda: TopicFactory(is_published=False),
        "resource": lambda: ResourceFactory(is_published=False),
    }[kind]()
    url = obj.get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(learner)
    assert client.get(url).status_code == 404
    response = curator_client.get(url)
    assert response.status_code == 200
    assert b"only staff can see it" in response.content


@pytest.mark.parametrize("url", ["/tracks/nope/", "/topics/nope/", "/resources/999999/", "/tags/nope/", "/nowhere/",
                                 "/resources/99999999999999999999999/"])  # fmt: skip
def test_missing_pages_show_the_designed_404(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert b"We couldn't find that page" in response.content
    assert h1_count(response) == 1


def test_designed_500_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html
    assert html.count("<h1") == 1


def test_tracks_are_listed_in_curated_order(client, db):
    TrackFactory(title="Zebra first", position=0)
    TrackFactory(title="Alpha second", position=1)
    for url in ("/", reverse("learning:track_list")):
        assert [track.title for track in client.get(url).context["tracks"]] == ["Zebra first", "Alpha second"]
