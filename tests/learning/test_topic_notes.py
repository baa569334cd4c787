"""My notes: a learner's private Markdown notes on a topic, edited on the topic page, listed and searched on
/me/notes/, in the Markdown track export and the JSON export; nobody else ever sees them."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning.models import TopicNote
from learning.progress.models import TOPIC_NOTE_MAX_LENGTH
from tests.batches import read_together
from tests.conftest import logged_in
from tests.factories import TopicFactory, TopicNoteFactory, UserFactory
from tests.learning.conftest import build_track

pytestmark = pytest.mark.django_db
NOTES = reverse("learning:notes")
# A learner's topic page of a topic in no track, cold: their session and user; the topic with its tags,
# checks and tracks, its resources with their ratings and bookmarks, their tags and the related topics (seven
# statements read together: learning.catalogue.topic_sql); then the learner's statuses, bookmarks, ticks and
# whether they wrote a note (one query).
TOPIC_PAGE_QUERIES = 3 + read_together(7)


def note_url(topic):
    return reverse("learning:topic_note", args=[topic.slug])


def textarea(html):
    found = re.search(r'<textarea id="my-notes-text"[^>]*>(.*?)</textarea>', html, re.S)
    return found and found.group(1)


@pytest.fixture
def topic():
    return TopicFactory(title="Git & GitHub")


def test_a_learner_writes_a_note_and_finds_it_on_the_topic_page(client, learner, topic):
    client.force_login(learner)
    empty = client.get(topic.get_absolute_url()).content.decode()
    assert "My notes" in empty
    assert textarea(empty) == ""

    response = client.post(note_url(topic), {"text": "Use **`git add -p`**\r\n\r\n- to stage hunks"})
    assert response.status_code == 302
    assert response["Location"] == f"{topic.get_absolute_url()}#my-notes"
    note = TopicNote.objects.get(user=learner, topic=topic)
    assert note.text == "Use **`git add -p`**\n\n- to stage hunks"  # Unix newlines, as stored text is

    page = client.get(response["Location"]).content.decode()
    assert "<strong><code>git add -p</code></strong>" in page
    assert "<li>to stage hunks</li>" in page
    assert textarea(page) == "Use **`git add -p`**\n\n- to stage hunks"
    assert "Saved your notes." in page.split('id="my-notes"')[1]  # said where the learner was


def test_markup_in_a_note_is_sanitised_and_escaped_in_the_form(client, learner, topic):
    client.force_login(learner)
    client.post(note_url(topic), {"text": "<script>alert(1)</script> [x](javascript:alert(2)) </textarea>"})
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert "&lt;/textarea&gt;" in textarea(page)  # the text stays inside the box


def test_saving_again_replaces_the_note_and_emptying_it_deletes_it(client, learner, topic):
    client.force_login(learner)
    client.post(note_url(topic), {"text": "first"})
    client.post(note_url(topic), {"text": "second"})
    assert list(TopicNote.objects.values_list("text", flat=True)) == ["second"]
    response = client.post(note_url(topic), {"text": "   \r\n "}, follow=True)
    assert not TopicNote.objects.exists()
    assert "Your notes on this topic are deleted." in response.content.decode()


def test_a_note_too_long_is_refused_with_a_message_and_nothing_stored(client, learner, topic):
    client.force_login(learner)
    response = client.post(note_url(topic), {"text": "x" * (TOPIC_NOTE_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert f"at most {TOPIC_NOTE_MAX_LENGTH:,}".replace(",", "") in response.content.decode().replace(",", "")
    assert not TopicNote.objects.exists()


def test_the_database_refuses_an_empty_or_overlong_note_and_a_second_one(learner, topic):
    for text in ("", "x" * (TOPIC_NOTE_MAX_LENGTH + 1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            TopicNote.objects.create(user=learner, topic=topic, text=text)
    TopicNote.objects.create(user=learner, topic=topic, text="one")
    with pytest.raises(IntegrityError), transaction.atomic():
        TopicNote.objects.create(user=learner, topic=topic, text="two")


def test_visitors_cannot_write_notes_and_are_invited_to_log_in(client, topic):
    response = client.post(note_url(topic), {"text": "mine"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not TopicNote.objects.exists()
    assert client.get(note_url(topic)).status_code == 405
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "Log in to keep private notes" in page
    assert textarea(page) is None


def test_a_hidden_topic_takes_no_note(client, learner):
    draft = TopicFactory(is_published=False)
    client.force_login(learner)
    assert client.post(note_url(draft), {"text": "x"}).status_code == 404
    assert not TopicNote.objects.exists()


def test_nobody_else_sees_a_learners_note(client, learner, topic):
    TopicNoteFactory(user=learner, topic=topic, text="my secret plan")
    other = logged_in(UserFactory())
    for page in (topic.get_absolute_url(), NOTES):
        assert "my secret plan" not in other.get(page).content.decode()
    assert "my secret plan" not in client.get(topic.get_absolute_url()).content.decode()  # a visitor
    other.post(note_url(topic), {"text": "theirs"})  # writes their own, never the learner's
    assert TopicNote.objects.get(user=learner).text == "my secret plan"


def test_my_notes_lists_the_learners_notes_newest_first_and_searches_them(client, learner):
    git, sql, http = (TopicFactory(title=title) for title in ("Git & GitHub", "SQL", "HTTP"))
    TopicNoteFactory(user=learner, topic=git, text="rebase vs merge")
    TopicNoteFactory(user=learner, topic=sql, text="window functions: OVER (PARTITION BY …)")
    TopicNoteFactory(user=learner, topic=http, text="status codes")
    TopicNoteFactory(topic=git, text="someone else's note on git")
    client.force_login(learner)

    page = client.get(NOTES).content.decode()
    titles = re.findall(r'<h2 class="note-item__title"><a href="[^"]+">([^<]+)</a>', page)
    assert titles == ["HTTP", "SQL", "Git &amp; GitHub"]
    assert "someone else" not in page
    assert "3 notes" in page

    found = client.get(NOTES, {"q": "WINDOW partition"}).content.decode()  # every word, any case
    assert re.findall(r'class="note-item__title"><a href="[^"]+">([^<]+)<', found) == ["SQL"]
    by_title = client.get(NOTES, {"q": "github"}).content.decode()
    assert re.findall(r'class="note-item__title"><a href="[^"]+">([^<]+)<', by_title) == ["Git &amp; GitHub"]
    nothing = client.get(NOTES, {"q": "kubernetes"}).content.decode()
    assert "None of your notes holds “kubernetes”" in nothing
    too_long = client.get(NOTES, {"q": "x" * 201})
    assert too_long.status_code == 200
    assert "Showing every note." in too_long.content.decode()


def test_my_notes_needs_an_account(client):
    response = client.get(NOTES)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


NOTES_PAGE_QUERIES = 4  # the session's user, the count, the page with its topics; the same for 1 and 45 notes


@pytest.mark.usefixtures("rendered_every_time")
def test_my_notes_costs_the_same_queries_for_one_note_and_many(client, learner, cold_get):
    client.force_login(learner)
    TopicNoteFactory(user=learner)
    client.get(NOTES)
    assert "1 note" in cold_get(client, NOTES, NOTES_PAGE_QUERIES).content.decode()
    TopicNoteFactory.create_batch(44, user=learner)
    page = cold_get(client, NOTES, NOTES_PAGE_QUERIES).content.decode()
    assert "45 notes" in page
    assert 'rel="next"' in page
    assert cold_get(client, f"{NOTES}?page=3", NOTES_PAGE_QUERIES).status_code == 200


def test_the_learners_markdown_checklist_carries_their_notes_and_only_theirs(client, learner):
    track = build_track(2)
    topic = track.steps.first().topic
    TopicNoteFactory(user=learner, topic=topic, text="line one\n\n- a point")
    TopicNoteFactory(topic=topic, text="someone else's")
    export = reverse("learning:track_export", args=[track.slug])
    client.force_login(learner)
    document = client.get(export).content.decode()
    assert "    - My notes:\n        > line one\n        >\n        > - a point\n" in document
    assert "someone else's" not in document
    client.logout()
    assert "My notes" not in client.get(export).content.decode()


def test_the_dashboard_counts_the_learners_notes_and_links_them(client, learner):
    TopicNoteFactory.create_batch(3, user=learner)
    TopicNoteFactory()  # someone else's
    client.force_login(learner)
    page = client.get(reverse("learning:dashboard")).content.decode()
    assert re.search(rf'<dt><a href="{NOTES}">Notes</a></dt><dd>3</dd>', page)


@pytest.mark.usefixtures("rendered_every_time")
def test_a_topic_page_reads_the_notes_text_only_when_the_learner_wrote_one(learner, topic, cold_get):
    client = logged_in(learner)
    TopicNoteFactory(user=learner, topic=TopicFactory(), text="on another topic")
    client.get(topic.get_absolute_url())  # the tags' content types, which Django keeps in this process
    without = cold_get(client, topic.get_absolute_url(), TOPIC_PAGE_QUERIES).content.decode()
    assert textarea(without) == ""
    TopicNoteFactory(user=learner, topic=topic, text="mine *here*")
    with_note = cold_get(client, topic.get_absolute_url(), TOPIC_PAGE_QUERIES + 1).content.decode()
    assert textarea(with_note).strip() == "mine *here*"
    assert "<em>here</em>" in with_note
