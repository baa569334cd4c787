"""Search through /search/ on both databases: what it finds, in what order, and what it refuses."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from learning.catalogue import spelling
from learning.catalogue.highlight import excerpt, highlight
from learning.catalogue.search import DOCUMENT_BY_KEY, DOCUMENTS, QUERY_MAX_LENGTH, Query, matches
from tests.factories import ResourceFactory, TopicFactory, TrackFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text and trigram search run on PostgreSQL only"
)
SEARCH = reverse("learning:search")


def hit_titles(response, kind):
    """The titles of one group's hits, in the order shown (marks removed)."""
    group = next(group for group in response.context["groups"] if group.document.key == kind)
    return [hit.item.title for hit in group.hits]


def search(client, q, **params):
    return client.get(SEARCH, {"q": q, **params})


# ---- what the engine finds, and in what order


def test_a_title_match_ranks_above_a_summary_match_above_a_body_match(client):
    TopicFactory(title="Working with queues", summary="Jobs.", body="Nothing about it.")
    TopicFactory(title="Background jobs", summary="Run work later.", body="Use a broker and a queue worker.")
    TopicFactory(title="Brokers", summary="A queue between services.", body="Other words.")
    TopicFactory(title="Unrelated", summary="Nothing.", body="Nothing.")
    response = search(client, "queue")
    assert response.status_code == 200
    assert hit_titles(response, "topic") == ["Working with queues", "Brokers", "Background jobs"]


def test_every_word_must_match(client):
    TopicFactory(title="Docker basics", body="Images and containers.")
    TopicFactory(title="Docker networking", body="Bridges and overlays.")
    response = search(client, "docker containers")
    assert hit_titles(response, "topic") == ["Docker basics"]


def test_tracks_topics_and_resources_are_grouped_and_counted(client):
    TrackFactory(title="Python & Django", summary="Build web apps with Django.")
    TopicFactory(title="Django ORM")
    ResourceFactory(title="Django documentation", description="The official docs.")
    ResourceFactory(title="Flask docs", description="Not the one.")
    response = search(client, "django")
    counts = {group.document.key: group.count for group in response.context["groups"]}
    assert counts == {"track": 1, "topic": 1, "resource": 1}
    assert response.context["total"] == 3
    html = response.content.decode()
    assert "<mark>Django</mark> documentation" in html
    assert "Flask docs" not in html


def test_a_tag_named_by_the_query_finds_items_without_the_words(client):
    ResourceFactory(title="Richardson maturity model", tags=["REST API"])
    ResourceFactory(title="Something else", tags=["graphql"])
    response = search(client, "rest api")
    assert hit_titles(response, "resource") == ["Richardson maturity model"]


def test_unpublished_items_are_found_by_staff_only(client, curator_client):
    TopicFactory(title="Caching drafts", is_published=False)
    TopicFactory(title="Caching")
    assert hit_titles(search(client, "caching"), "topic") == ["Caching"]
    assert sorted(hit_titles(search(curator_client, "caching"), "topic")) == ["Caching", "Caching drafts"]


def test_a_match_deep_in_the_body_is_shown_as_a_marked_excerpt(client):
    body = "## What to learn\n\n" + "Filler words here. " * 30 + "Then **idempotency** keys for retries."
    TopicFactory(title="APIs", summary="Designing them.", body=body)
    html = search(client, "idempotency").content.decode()
    assert "…" in html
    assert "<mark>idempotency</mark> keys for retries." in html


@pytest.mark.parametrize(
    ("typo", "title"), [("postgress", "PostgreSQL"), ("kubernets", "Kubernetes"), ("javascipt", "JavaScript")]
)
def test_typos_still_find_and_suggest_the_spelling_on_both_databases(client, typo, title):
    """PostgreSQL finds them by trigram similarity; SQLite (connection.vendor == "sqlite") finds nothing for
    the words as typed and searches again allowing the catalogue's closest word."""
    TopicFactory(title=title, summary="Something.", body="Nothing that matches.")
    TopicFactory(title="Redis", summary="A key-value store.")
    response = search(client, typo)
    assert hit_titles(response, "topic") == [title]
    html = response.content.decode()
    assert f'Did you mean <a href="/search/?q={title.lower()}">{title.lower()}</a>?' in html
    assert f"<mark>{title}</mark>" in html
    if connection.vendor == "sqlite":
        assert response.context["respelt"]
        assert f"Nothing matches “{typo}” as typed" in html


def test_the_suggestion_link_is_a_plain_get_of_the_corrected_search(client):
    TopicFactory(title="PostgreSQL")
    response = search(client, "postgress indexes", type="topic", page="3")
    assert response.context["did_you_mean"] == "postgresql indexes"
    html = response.content.decode()
    link = re.search(r'<p class="did-you-mean" role="status">Did you mean <a href="([^"]+)">', html)
    assert link, html
    href = link.group(1).replace("&amp;", "&")
    assert href == "/search/?q=postgresql%20indexes&type=topic"  # the type kept, the page dropped
    followed = client.get(href)
    assert followed.status_code == 200
    assert followed.context["query"].text == "postgresql indexes"
    assert "did_you_mean" not in followed.context


def test_a_correctly_spelt_query_gets_no_suggestion_and_the_same_results(client):
    TopicFactory(title="PostgreSQL", summary="A relational database.")
    TopicFactory(title="Postgres indexes", summary="B-trees.")
    TopicFactory(title="Redis")
    topics = DOCUMENT_BY_KEY["topic"]
    for query in ("postgresql", "postgres", "relational database", "indexes"):
        response = search(client, query)
        engine = matches(topics, topics.model.objects.all(), Query.parse(query), set())
        assert hit_titles(response, "topic") == [topic.title for topic in engine]
        assert hit_titles(response, "topic")
        assert "did_you_mean" not in response.context
        assert "Did you mean" not in response.content.decode()


@pytest.mark.parametrize(("notes", "suggested"), [(1, True), (10, True), (11, False)])
def test_the_suggestion_waits_for_a_query_that_finds_few(client, notes, suggested):
    """A word found as typed (here in bodies) in more than FEW_RESULTS places gets no "Did you mean"; its
    results are those of the words as typed either way."""
    TopicFactory(title="Receive webhooks")
    for n in range(notes):
        TopicFactory(title=f"Notes {n}", body="How to recieve a message.")
    response = search(client, "recieve")
    assert response.context["total"] == notes
    assert "Receive webhooks" not in hit_titles(response, "topic")
    assert ("did_you_mean" in response.context) is suggested
    if suggested:
        assert response.context["did_you_mean"] == "receive"


def test_a_hostile_query_is_escaped_in_the_suggestion(client):
    TopicFactory(title="Kubernetes")
    response = search(client, '<script>alert(1)</script> "kubernets"')
    assert response.context["did_you_mean"] == '<script>alert(1)</script> "kubernetes"'
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert (
        'Did you mean <a href="/search/?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E%20%22kubernetes%22">'
        "&lt;script&gt;alert(1)&lt;/script&gt; &quot;kubernetes&quot;</a>?"
    ) in html


@pytest.mark.parametrize("query", ["", "   ", "\t\n"])
def test_an_empty_or_blank_query_suggests_tracks_and_no_spelling(client, query):
    TrackFactory(title="Backend developer")
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert "did_you_mean" not in response.context
    assert "Backend developer" in response.content.decode()


@on_postgresql
def test_words_match_as_prefixes_and_stems_on_postgresql(client):
    TopicFactory(title="Kubernetes", summary="Orchestration.")
    TopicFactory(title="Caches", summary="Keep answers near.")
    assert hit_titles(search(client, "kube"), "topic") == ["Kubernetes"]
    assert hit_titles(search(client, "caching"), "topic") == ["Caches"]


@on_postgresql
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda document: document.key)
def test_postgresql_can_answer_from_the_gin_indexes(document):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        loosened = Query.parse("postgress").allowing({})
        plan = matches(document, document.model.objects.all(), loosened, set()).explain()
        as_typed = matches(document, document.model.objects.all(), Query.parse("postgress"), set()).explain()
    assert f"{document.key}_search_gin" in plan
    assert f"{document.key}_title_trgm" in plan
    # The words as typed ask the full-text index alone: the trigram test is the loosened query's.
    assert f"{document.key}_search_gin" in as_typed
    assert "trgm" not in as_typed


# ---- narrowing, pages, and what an empty search shows


def test_narrowing_to_one_type_paginates_it(client):
    for n in range(25):
        ResourceFactory(title=f"Testing guide {n:02}")
    TopicFactory(title="Testing")
    first = search(client, "testing", type="resource")
    group = next(group for group in first.context["groups"] if group.page)
    assert group.count == 25
    assert len(group.hits) == 20
    html = first.content.decode()
    assert re.search(r'href="\?[^"]*type=topic[^"]*">Topics <span class="count">1</span>', html)
    second = search(client, "testing", type="resource", page=2)
    assert len(next(group for group in second.context["groups"] if group.page).hits) == 5


def test_the_everything_view_links_to_the_rest_of_a_group(client):
    for n in range(7):
        ResourceFactory(title=f"Go tour {n}")
    response = search(client, "tour")
    html = response.content.decode()
    assert len(hit_titles(response, "resource")) == 5
    assert "All 7 resources for “tour” →" in html


def test_an_unknown_type_is_ignored_with_a_notice(client):
    TopicFactory(title="Redis")
    response = search(client, "redis", type="users")
    assert response.status_code == 200
    assert hit_titles(response, "topic") == ["Redis"]
    assert "Ignored the result type “users”" in response.content.decode()


def test_an_empty_search_suggests_tracks_and_tags(client):
    TrackFactory(title="Go & Gin", tags=["go"])
    response = client.get(SEARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Go &amp; Gin" in html
    assert 'href="/tags/go/"' in html
    assert "groups" not in response.context


def test_no_results_says_so_and_suggests_tracks(client):
    TrackFactory(title="Backend developer")
    response = search(client, "cobol mainframe")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing matches “cobol mainframe”" in html
    assert "Backend developer" in html


def test_the_header_search_box_sends_to_the_search_page(client):
    html = client.get("/").content.decode()
    assert f'action="{SEARCH}"' in html
    assert 'role="search"' in html


# ---- hostile input: 200 or 400, escaped, never a 5xx


HOSTILE = {
    "sql": "' OR 1=1 --",
    "percent": "%",
    "underscore": "_",
    "script": "<script>alert(1)</script>",
    "tsquery syntax": "a & | ! :* <-> (b",
    "quotes": '"unbalanced',
    "emoji": "🐍 python",
}


@pytest.mark.parametrize("query", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_queries_answer_and_are_escaped(client, query):
    TopicFactory(title="Python", summary="A language with 100% less braces.")
    response = search(client, query)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    if query.startswith("<script>"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_percent_sign_is_not_a_wildcard(client):
    TopicFactory(title="Percentiles")
    response = search(client, "%")
    assert "groups" not in response.context
    assert "has no letters or digits to look for" in response.content.decode()


def test_a_nul_byte_is_refused_with_a_message(client):
    response = search(client, "redis\x00")
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def test_ten_kilobytes_are_refused_with_a_message(client):
    response = search(client, "<b>" + "x" * 10_000)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Search for at most {QUERY_MAX_LENGTH} characters" in html
    assert "<b>x" not in html
    assert "&lt;b&gt;x" in html
    assert len(html) < 60_000


def test_a_lone_surrogate_in_the_address_answers(client):
    TopicFactory(title="Redis")
    response = client.get(SEARCH + "?q=redis%ED%A0%80")
    assert response.status_code == 200
    assert hit_titles(response, "topic") == [
        "Redis"
    ]  # the broken character is dropped, the word still searched


def test_a_lone_surrogate_reaching_the_engine_is_dropped():
    assert Query.parse("redis\ud800") == Query(text="redis", terms=("redis",))
    assert not list(
        matches(DOCUMENTS[1], DOCUMENTS[1].model.objects.all(), Query.parse("\ud800 redis"), set())
    )


# ---- the query and the marking


def test_a_query_is_cleaned_into_words():
    query = Query.parse("  Django\tREST\x07 framework django  ")
    assert query.text == "Django REST framework django"
    assert query.terms == ("django", "rest", "framework")
    assert not Query.parse("% _ --")
    assert len(Query.parse(" ".join(f"w{n}" for n in range(20))).terms) == 8


def test_highlight_escapes_the_text_and_marks_whole_words_from_their_stem():
    marked = highlight("Caching <b> & cache-control & escaped", ["caching", "amp"])
    assert marked == "<mark>Caching</mark> &lt;b&gt; &amp; <mark>cache</mark>-control &amp; escaped"


def test_an_excerpt_centres_on_the_first_match():
    text = " ".join(["word"] * 100 + ["needle"] + ["word"] * 100)
    cut = excerpt(text, ["needle"], width=60)
    assert cut.startswith("…")
    assert cut.endswith("…")
    assert "needle" in cut
    assert len(cut) <= 62


# ---- the corrections (learning.catalogue.spelling)


def test_the_vocabulary_holds_published_titles_and_tags_only():
    TopicFactory(title="Kubernetes operators", tags=["Orchestration"])
    TopicFactory(title="Secret roadmap draft", is_published=False, tags=["Unreleased"])
    ResourceFactory(title="Postgres internals", tags=["databases"])
    words = spelling.vocabulary().words
    assert {"kubernetes", "operators", "orchestration", "postgres", "internals", "databases"} <= set(words)
    assert not {"secret", "draft", "unreleased"} & set(words)
    assert spelling.corrections(("unreleasd", "secrt")) == {}  # a draft's words are never suggested


def test_a_short_known_or_numeric_word_is_never_corrected():
    words = spelling.Vocabulary.of(["Kubernetes", "Cube tube", "HTTP 2025"])
    assert words.closest("kube") is None  # four letters: "cube" is too near to mean anything
    assert words.closest("kubern") is None  # the start of a word the catalogue has
    assert words.closest("20250") is None
    assert words.closest("kubernets") == "kubernetes"


def test_the_nearest_word_wins_then_the_most_common():
    words = spelling.Vocabulary.of(
        ["PostgreSQL", "Postgres tips", "Postgres again", "Redis", "Rides", "Rides"]
    )
    assert words.closest("postgress") == "postgres"  # one edit, against two for postgresql
    assert words.closest("posgtresql") == "postgresql"  # a swap of two letters is one edit
    assert spelling.Vocabulary.of(["Redis", "Rides", "Rides go"]).closest("ridis") == "rides"
    assert words.closest("mongodb") is None


def test_a_curated_change_rebuilds_the_vocabulary(client):
    assert "did_you_mean" not in search(client, "kubernets").context
    TopicFactory(title="Kubernetes")
    response = search(client, "kubernets")
    assert hit_titles(response, "topic") == ["Kubernetes"]
    assert response.context["did_you_mean"] == "kubernetes"


def test_a_corrected_query_keeps_what_the_user_typed_around_the_words():
    assert spelling.corrected("Pyhton, & Djnago!", {"pyhton": "python", "djnago": "django"}) == (
        "python, & django!"
    )
