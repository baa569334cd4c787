"""Atom feeds, the sitemap, robots.txt, and the canonical and OpenGraph tags in the pages' head."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from learning.models import Resource, Topic, Track
from tests.factories import ResourceFactory, StageFactory, StepFactory, TopicFactory, TrackFactory
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ORIGIN = "http://testserver"
SITE_FEED = "/feeds/resources/"
SPECIAL = '<b>"Quotes" & co</b>'
JAN_1 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def dated(resource, *, days, updated_days=None):
    """Sets the timestamps that auto_now(_add) would overwrite on save."""
    created = JAN_1 + timedelta(days=days)
    updated = JAN_1 + timedelta(days=days if updated_days is None else updated_days)
    Resource.objects.filter(pk=resource.pk).update(created_at=created, updated_at=updated)
    resource.refresh_from_db()
    return resource


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - the site's own response, in a test


def get_feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return parse_xml(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def entry_titles(feed):
    return [entry.findtext(f"{ATOM}title") for entry in entries(feed)]


def track_with_topic(slug, *, topic_published=True, track_published=True):
    track = TrackFactory(slug=slug, is_published=track_published)
    topic = TopicFactory(is_published=topic_published)
    StepFactory(stage=StageFactory(track=track), topic=topic)
    return track, topic


# Atom feeds


def test_site_feed_lists_published_resources_newest_first(client):
    dated(ResourceFactory(title="Oldest"), days=1)
    dated(ResourceFactory(title="Newest"), days=3)
    dated(ResourceFactory(title="Middle"), days=2)
    dated(ResourceFactory(title="Draft", is_published=False), days=4)

    assert entry_titles(get_feed(client, SITE_FEED)) == ["Newest", "Middle", "Oldest"]


def test_site_feed_entry_carries_link_dates_author_categories_and_id(client):
    resource = ResourceFactory(
        title="Django docs",
        author="Django Software Foundation",
        description="The reference.",
        tags=["python", "django"],
    )
    dated(resource, days=5, updated_days=9)
    [entry] = entries(get_feed(client, SITE_FEED))

    link = entry.find(f"{ATOM}link")
    assert (link.get("rel"), link.get("href")) == ("alternate", f"{ORIGIN}/resources/{resource.pk}/")
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}published")) == JAN_1 + timedelta(days=5)
    assert datetime.fromisoformat(entry.findtext(f"{ATOM}updated")) == JAN_1 + timedelta(days=9)
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Django Software Foundation"
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["django", "python"]
    assert entry.findtext(f"{ATOM}id") == f"{ORIGIN}/resources/{resource.pk}/"
    summary = entry.find(f"{ATOM}summary")
    assert (summary.get("type"), summary.text) == ("html", "<p>The reference.</p>")


def test_site_feed_entry_without_author_or_description_names_kind_and_host(client):
    ResourceFactory(url="https://docs.example.org/guide", kind=Resource.Kind.DOCS)
    [entry] = entries(get_feed(client, SITE_FEED))

    assert entry.find(f"{ATOM}author") is None
    assert entry.findtext(f"{ATOM}summary") == "<p>Official docs on docs.example.org</p>"


def test_site_feed_ids_are_unique_and_absolute(client):
    for _ in range(3):
        ResourceFactory()
    ids = [entry.findtext(f"{ATOM}id") for entry in entries(get_feed(client, SITE_FEED))]

    assert len(set(ids)) == 3
    assert all(i.startswith(f"{ORIGIN}/resources/") for i in ids)


def test_site_feed_caps_at_thirty_entries(client):
    oldest = dated(ResourceFactory(title="Oldest"), days=0)
    for day in range(1, 31):
        dated(ResourceFactory(), days=day)
    feed = get_feed(client, SITE_FEED)

    assert len(entries(feed)) == 30
    assert oldest.title not in entry_titles(feed)


def test_site_feed_has_title_subtitle_author_and_absolute_links(client):
    feed = get_feed(client, SITE_FEED)

    assert feed.findtext(f"{ATOM}title") == "New resources · Roadmap"
    assert feed.findtext(f"{ATOM}subtitle")
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "Roadmap"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": f"{ORIGIN}/resources/", "self": f"{ORIGIN}{SITE_FEED}"}


def test_feed_escapes_an_html_special_title_and_description(client):
    ResourceFactory(title=SPECIAL, description=SPECIAL)
    response = client.get(SITE_FEED)
    [entry] = entries(parse_xml(response.content))

    assert b"<b>" not in response.content
    assert entry.findtext(f"{ATOM}title") == SPECIAL  # plain-text title: exactly the curator's text
    # The summary is type="html": the text is escaped once into HTML, so a reader shows it as written.
    assert entry.findtext(f"{ATOM}summary") == "<p>&lt;b&gt;&quot;Quotes&quot; &amp; co&lt;/b&gt;</p>"


def test_track_feed_holds_only_published_resources_of_that_tracks_published_topics(client):
    track, topic = track_with_topic("backend")
    _, draft_topic = track_with_topic("drafts", topic_published=False)
    StepFactory(stage=track.stages.first(), topic=draft_topic)
    _, other_topic = track_with_topic("other")
    second_topic = TopicFactory()
    StepFactory(stage=track.stages.first(), topic=second_topic)
    dated(ResourceFactory(title="Shared by two topics", topics=[topic, second_topic]), days=2)
    dated(ResourceFactory(title="On the topic", topics=[topic]), days=1)
    ResourceFactory(title="Draft resource", topics=[topic], is_published=False)
    ResourceFactory(title="On a draft topic", topics=[draft_topic])
    ResourceFactory(title="Other track", topics=[other_topic])
    ResourceFactory(title="No topic")

    feed = get_feed(client, f"/tracks/{track.slug}/feed/")

    assert entry_titles(feed) == ["Shared by two topics", "On the topic"]
    assert feed.findtext(f"{ATOM}title") == f"New resources for {track.title} · Roadmap"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {"alternate": f"{ORIGIN}/tracks/backend/", "self": f"{ORIGIN}/tracks/backend/feed/"}
    assert entry_titles(get_feed(client, "/tracks/other/feed/")) == ["Other track"]


@pytest.mark.parametrize("slug", ["unknown", "unpublished"])
def test_track_feed_is_not_found_for_an_unknown_or_unpublished_track(client, curator_client, slug):
    track_with_topic("unpublished", track_published=False)

    assert client.get(f"/tracks/{slug}/feed/").status_code == 404
    assert curator_client.get(f"/tracks/{slug}/feed/").status_code == 404  # a feed is the visitors' view


FEEDS = {"site": lambda track: SITE_FEED, "track": lambda track: f"{track.get_absolute_url()}feed/"}


@pytest.mark.parametrize(("feed", "queries"), [("site", 2), ("track", 3)])
def test_feed_queries_do_not_grow_with_the_data(client, django_assert_num_queries, feed, queries):
    small = build_track(2, slug="small", resources_per_topic=1)
    with django_assert_num_queries(queries):
        assert len(entries(get_feed(client, FEEDS[feed](small)))) > 0
    large = build_track(24, slug="large", resources_per_topic=3)
    with django_assert_num_queries(queries):
        assert len(entries(get_feed(client, FEEDS[feed](large)))) == 30


# Sitemap


def sitemap_urls(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = parse_xml(response.content)
    return {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}


def test_sitemap_lists_static_pages_and_published_tracks_topics_resources_and_tags(client):
    track, topic = track_with_topic("backend")
    Track.objects.filter(pk=track.pk).update(updated_at=datetime(2024, 3, 5, 23, 0, tzinfo=UTC))
    Topic.objects.filter(pk=topic.pk).update(updated_at=datetime(2024, 4, 6, tzinfo=UTC))
    resource = dated(ResourceFactory(topics=[topic], tags=["django"]), days=0, updated_days=40)
    draft_track, draft_topic = track_with_topic("draft", track_published=False, topic_published=False)
    draft_resource = ResourceFactory(is_published=False, tags=["only-on-drafts"])

    urls = sitemap_urls(client)

    for page in ("/", "/tracks/", "/resources/", "/tags/", "/tags/django/"):
        assert urls[f"{ORIGIN}{page}"] is None
    assert urls[f"{ORIGIN}/tracks/backend/"] == "2024-03-05"
    assert urls[f"{ORIGIN}{topic.get_absolute_url()}"] == "2024-04-06"
    assert urls[f"{ORIGIN}/resources/{resource.pk}/"] == "2024-02-10"
    for draft in (draft_track, draft_topic, draft_resource):
        assert f"{ORIGIN}{draft.get_absolute_url()}" not in urls
    assert f"{ORIGIN}/tags/only-on-drafts/" not in urls
    assert len(urls) == 8


SITEMAP_QUERIES = 10  # the same for 2 topics and for 24 (each section: its count, then its page of rows)


def test_sitemap_queries_do_not_grow_with_the_data(client, django_assert_num_queries):
    build_track(2, slug="small", resources_per_topic=1)
    with django_assert_num_queries(SITEMAP_QUERIES):
        count_small = len(sitemap_urls(client))
    build_track(24, slug="large", resources_per_topic=3)
    with django_assert_num_queries(SITEMAP_QUERIES):
        assert len(sitemap_urls(client)) > count_small + 24 * 4


# robots.txt


def robots_rules(text):
    """(allow, pattern) pairs of the `User-agent: *` group, as RFC 9309 reads them."""
    rules = []
    for line in text.splitlines():
        field, _, value = line.partition(":")
        if field.strip().lower() in ("allow", "disallow") and value.strip():
            rules.append((field.strip().lower() == "allow", value.strip()))
    return rules


def robots_allow(rules, path):
    """The longest matching pattern decides; on a tie Allow wins; `*` matches any run of characters."""
    best = (-1, True)
    for allow, pattern in rules:
        regex = "".join(".*" if char == "*" else re.escape(char) for char in pattern.rstrip("$"))
        if re.match(regex + ("$" if pattern.endswith("$") else ""), path):
            best = max(best, (len(pattern), allow))
    return best[1]


def test_robots_txt_is_plain_text_with_the_absolute_sitemap_url(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    secure = client.get("/robots.txt", secure=True, headers={"host": "localhost"}).content.decode()
    assert "Sitemap: https://localhost/sitemap.xml" in secure.splitlines()


def test_robots_txt_refuses_a_post(client):
    assert client.post("/robots.txt").status_code == 405


def test_robots_txt_keeps_crawlers_out_of_accounts_learner_pages_actions_and_search(client, track):
    rules = robots_rules(client.get("/robots.txt").content.decode())
    topic = track.steps.first().topic
    resource = topic.resources.first()
    private = [
        "/admin/",
        "/accounts/login/",
        reverse("learning:dashboard"),
        reverse("learning:bookmarks"),
        reverse("learning:track_reset", args=[track.slug]),
        reverse("learning:track_follow", args=[track.slug]),
        reverse("learning:topic_status", args=[topic.slug]),
        reverse("learning:topic_done_next", args=[topic.slug]),
        reverse("learning:milestone_done", args=[1]),
        reverse("learning:bookmark", args=[resource.pk]),
        reverse("learning:rate", args=[resource.pk]),
        reverse("learning:rating_delete", args=[resource.pk]),
        "/search/?q=django",
    ]
    public = [
        "/",
        "/tracks/",
        track.get_absolute_url(),
        topic.get_absolute_url(),
        "/resources/",
        resource.get_absolute_url(),
        "/tags/",
        "/tags/docs/",
        SITE_FEED,
        f"/tracks/{track.slug}/feed/",
        "/sitemap.xml",
        "/static/css/site.css",
    ]

    assert [path for path in private if robots_allow(rules, path)] == []
    assert [path for path in public if not robots_allow(rules, path)] == []


# Canonical and OpenGraph meta


class HeadParser(HTMLParser):
    """The <link> and <meta> tags of a page, and its links' text by href."""

    def __init__(self):
        super().__init__()
        self.links, self.meta, self.anchors, self._href = [], {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link":
            self.links.append(attrs)
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "a":
            self._href = attrs.get("href")
            self.anchors.setdefault(self._href, "")

    def handle_data(self, data):
        if self._href is not None:
            self.anchors[self._href] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None

    def rel(self, rel):
        return [link for link in self.links if link.get("rel") == rel]


def parse_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


def page_objects(track):
    topic = track.steps.first().topic
    return {"track": track, "topic": topic, "resource": topic.resources.first()}


@pytest.mark.parametrize("page", ["track", "topic", "resource"])
def test_object_page_has_canonical_and_opengraph_without_query_string(client, track, page):
    obj = page_objects(track)[page]
    head = parse_page(client, f"{obj.get_absolute_url()}?reviews=2&utm_source=x")

    canonical = f"{ORIGIN}{obj.get_absolute_url()}"
    assert [link["href"] for link in head.rel("canonical")] == [canonical]
    assert head.meta["og:url"] == canonical
    assert head.meta["og:type"] == "article"
    assert head.meta["og:site_name"] == "Roadmap"
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["og:title"] == {"track": f"{track.title} roadmap"}.get(page, obj.title)
    assert head.meta["og:description"] == head.meta["description"]


@pytest.mark.parametrize("page", ["track", "topic", "resource"])
def test_object_page_escapes_an_html_special_title_in_its_meta(client, track, page):
    obj = page_objects(track)[page]
    type(obj).objects.filter(pk=obj.pk).update(title=SPECIAL)
    if page == "resource":
        Resource.objects.filter(pk=obj.pk).update(description=SPECIAL)
    else:
        type(obj).objects.filter(pk=obj.pk).update(summary=SPECIAL)
    response = client.get(obj.get_absolute_url())
    head = HeadParser()
    head.feed(response.content.decode())

    assert b"<b>" not in response.content
    assert head.meta["og:title"] == (f"{SPECIAL} roadmap" if page == "track" else SPECIAL)
    assert head.meta["og:description"] == SPECIAL


@pytest.mark.parametrize("url", ["/", "/tracks/", "/resources/?kind=docs", "/tags/"])
def test_every_page_has_a_canonical_and_advertises_the_site_feed(client, url):
    head = parse_page(client, url)

    assert [link["href"] for link in head.rel("canonical")] == [f"{ORIGIN}{url.split('?')[0]}"]
    feeds = [(link["type"], link["href"]) for link in head.rel("alternate")]
    assert ("application/atom+xml", SITE_FEED) in feeds
    assert head.meta["og:type"] == "website"


def test_track_page_advertises_and_links_its_feed(client, track):
    head = parse_page(client, track.get_absolute_url())
    track_feed = f"/tracks/{track.slug}/feed/"

    feeds = [(link["type"], link["href"]) for link in head.rel("alternate")]
    assert feeds == [("application/atom+xml", SITE_FEED), ("application/atom+xml", track_feed)]
    assert head.anchors[track_feed] == "Atom feed"


def test_unpublished_track_page_does_not_offer_its_missing_feed(curator_client):
    track, _ = track_with_topic("draft", track_published=False)
    head = parse_page(curator_client, track.get_absolute_url())

    assert f"/tracks/{track.slug}/feed/" not in [link["href"] for link in head.rel("alternate")]
    assert f"/tracks/{track.slug}/feed/" not in head.anchors


def test_resource_list_links_the_site_feed(client):
    assert parse_page(client, "/resources/").anchors[SITE_FEED] == "Atom feed"
