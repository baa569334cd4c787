"""Script never runs from anything a learner or a curator writes: it is escaped or sanitised everywhere."""

import pytest
from django.urls import reverse

from learning.models import Bookmark, Rating
from tests.factories import TopicFactory
from tests.security.conftest import XSS

pytestmark = pytest.mark.django_db


def assert_inert(html: str, payload: str):
    """The payload appears only as text: no tag or attribute of it reached the page."""
    if "<" in payload:
        assert payload not in html
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x onerror" not in html
    assert "<svg/onload" not in html
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("payload", XSS)
def test_a_review_is_escaped_on_the_resource_page(client, mallory_client, mallory, resource, payload):
    response = mallory_client.post(
        reverse("learning:rate", args=[resource.pk]), {"stars": 4, "review": payload}
    )
    assert response.status_code == 302
    assert Rating.objects.get(user=mallory).review == payload.strip()
    html = client.get(resource.get_absolute_url()).content.decode()
    assert_inert(html, payload)


@pytest.mark.parametrize("payload", XSS)
def test_a_bookmark_note_is_escaped_on_the_bookmarks_page(mallory_client, mallory, resource, payload):
    mallory_client.post(reverse("learning:bookmark", args=[resource.pk]))
    bookmark = Bookmark.objects.get(user=mallory)
    mallory_client.post(reverse("learning:bookmark_note", args=[bookmark.pk]), {"note": payload})
    assert Bookmark.objects.get(pk=bookmark.pk).note == payload.strip()
    assert_inert(mallory_client.get(reverse("learning:bookmarks")).content.decode(), payload)


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[vb](vbscript:msgbox(1))",
        '<a href="#" onclick="alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        "<iframe src=https://evil.example></iframe>",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_curated_markdown_is_sanitised(client, markdown):
    topic = TopicFactory(slug="sanitised", body=f"Intro\n\n{markdown}\n")
    html = client.get(topic.get_absolute_url()).content.decode()
    guide = html.split('aria-label="Guide"', 1)[1].split("</section>", 1)[0]
    for dangerous in (
        "<script",
        "javascript:",
        "data:text/html",
        "vbscript:",
        "onclick",
        "onerror",
        "<iframe",
        "style=",
    ):
        assert dangerous not in guide, dangerous


def test_template_syntax_in_learner_text_is_shown_not_evaluated(client, mallory_client, resource):
    mallory_client.post(
        reverse("learning:rate", args=[resource.pk]), {"stars": 4, "review": "{{ 7*7 }} {% now 'Y' %}"}
    )
    html = client.get(resource.get_absolute_url()).content.decode()
    assert "{{ 7*7 }} {% now &#x27;Y&#x27; %}" in html or "{{ 7*7 }} {% now 'Y' %}" in html


@pytest.mark.parametrize("payload", XSS[:3])
def test_search_echoes_the_query_escaped(client, payload):
    html = client.get(reverse("learning:search"), {"q": payload}).content.decode()
    assert_inert(html, payload)


@pytest.mark.parametrize("payload", XSS[:3])
def test_a_suggestion_is_escaped_on_the_dashboard_and_in_the_admin(
    mallory_client, curator_client, topic, payload
):
    from learning.models import ResourceSuggestion

    data = {"url": "https://example.org/guide", "title": payload, "kind": "article", "reason": payload}
    assert (
        mallory_client.post(reverse("learning:suggest_resource", args=[topic.slug]), data).status_code == 302
    )
    assert ResourceSuggestion.objects.get().title == payload
    assert_inert(mallory_client.get(reverse("learning:dashboard")).content.decode(), payload)
    assert_inert(
        curator_client.get(reverse("admin:learning_resourcesuggestion_changelist")).content.decode(), payload
    )
