"""Learners suggest resources for a topic; curators accept or reject them in the admin's moderation queue."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from learning.community import services
from learning.models import Resource, ResourceSuggestion
from tests.batches import read_together
from tests.factories import (
    CuratorFactory,
    ResourceFactory,
    ResourceSuggestionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:learning_resourcesuggestion_changelist")


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def learner_client(learner):
    return client_of(learner)


@pytest.fixture
def topic(db):
    return TopicFactory(title="HTTP", slug="http")


def suggest_url(topic):
    return reverse("learning:suggest_resource", args=[topic.slug])


def suggestion(**changes):
    return {
        "url": "https://developer.mozilla.org/en-US/docs/Web/HTTP/Overview",
        "title": "An overview of HTTP",
        "kind": "docs",
        "reason": "The clearest short introduction to requests and responses.",
        "next": "/topics/http/#suggest",
        **changes,
    }


def errors_of(response) -> str:
    return " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)


def made_hours_ago(hours, **fields):
    row = ResourceSuggestionFactory(**fields)
    ResourceSuggestion.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return row


def messages_of(response):
    return [str(message) for message in response.wsgi_request._messages]


# ---------- Suggesting ----------


def test_the_topic_page_offers_the_form_to_learners_and_a_login_link_to_visitors(client, learner, topic):
    visitor_html = client.get(topic.get_absolute_url()).content.decode()
    assert "Log in to suggest a resource" in visitor_html
    assert f"?next=/topics/{topic.slug}/%23suggest" in visitor_html
    assert 'name="reason"' not in visitor_html
    client.force_login(learner)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert f'action="{suggest_url(topic)}"' in html
    assert '<div class="suggest-block" id="suggest">' in html  # the message after sending shows in here
    assert '<details class="suggest">' in html
    form = html[html.index('<form class="suggest-form"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    assert '<option value="docs">Official docs</option>' in html
    assert "Log in to suggest a resource" not in html


def test_element_ids_on_the_topic_page_stay_unique_with_the_form(learner_client, topic):
    html = learner_client.get(topic.get_absolute_url()).content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert "id_suggest_kind" in ids  # the filter form has its own id_kind
    assert sorted(ids) == sorted(set(ids))


def test_a_suggestion_is_stored_normalised_and_the_learner_is_thanked(learner_client, learner, topic):
    data = suggestion(url="HTTPS://Developer.Mozilla.org:443/en-US/docs/Web/HTTP/Overview?utm_source=x#top")
    response = learner_client.post(suggest_url(topic), data)
    assert response.status_code == 302
    assert response.url == "/topics/http/#suggest"
    stored = ResourceSuggestion.objects.get()
    assert (stored.user, stored.topic, stored.status) == (learner, topic, "pending")
    assert stored.url == "https://developer.mozilla.org/en-US/docs/Web/HTTP/Overview"
    assert (stored.title, stored.kind) == ("An overview of HTTP", "docs")
    assert "Thanks — a curator will review it" in messages_of(response)[0]


def test_a_link_without_a_scheme_is_taken_as_https(learner_client, topic):
    learner_client.post(suggest_url(topic), suggestion(url="developer.mozilla.org/en-US/docs/Web/HTTP"))
    assert ResourceSuggestion.objects.get().url == "https://developer.mozilla.org/en-US/docs/Web/HTTP"


@pytest.mark.parametrize(
    "control",
    [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
    ],
)
def test_bidirectional_controls_are_dropped_from_a_suggested_link(learner_client, topic, control):
    # U+202E would display https://example.com/‮fdp.exe as ...exe.pdf
    url = f"{control}https://developer.mozilla.org/{control}fdp.exe"
    response = learner_client.post(suggest_url(topic), suggestion(url=url))
    assert response.status_code == 302
    assert ResourceSuggestion.objects.get().url == "https://developer.mozilla.org/fdp.exe"


def test_text_is_trimmed_and_line_endings_do_not_count_twice(learner_client, topic):
    reason = ("a" * 99 + "\r\n") * 10  # 1,000 characters once the browser's CRLF become LF, minus the last
    response = learner_client.post(suggest_url(topic), suggestion(title="  Spaced \n  title ", reason=reason))
    assert response.status_code == 302
    stored = ResourceSuggestion.objects.get()
    assert stored.title == "Spaced title"
    assert stored.reason == ("a" * 99 + "\n") * 9 + "a" * 99


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("javascript:alert(document.cookie)", "not “javascript:” links"),
        ("ftp://ftp.example.com/file.txt", "not “ftp:” links"),
        ("data:text/html,<script>alert(1)</script>", "not “data:” links"),
        ("mailto:someone@example.com", "not “mailto:” links"),
        ("not a link at all", "That isn't a web address"),
        ("https://", "That isn't a web address"),
        ("https://user:secret@example.com/", "That isn't a web address"),
        ("http://exa mple.com/", "That isn't a web address"),
        ("https://example.com/" + "a" * 500, "Links longer than 500 characters"),
    ],
)
def test_a_link_that_is_not_http_is_refused_with_a_clear_message(learner_client, topic, url, message):
    response = learner_client.post(suggest_url(topic), suggestion(url=url))
    assert response.status_code == 400
    assert message in errors_of(response)
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert response.context["form"]["title"].value() == "An overview of HTTP"  # the form keeps what was typed
    assert not ResourceSuggestion.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "t" * 201}, "Keep it under 200 characters (it has 201)"),
        ({"reason": "r" * 1001}, "Keep it under 1,000 characters (it has 1,001)"),
        ({"title": "   "}, "Give the resource's title."),
        ({"reason": ""}, "Say in a sentence or two why"),
        ({"url": ""}, "Paste the link to the resource."),
        ({"kind": "blog"}, "Choose what kind of resource it is."),
        ({"kind": ""}, "Choose what kind of resource it is."),
    ],
)
def test_missing_overlong_or_unknown_fields_are_refused(learner_client, topic, changes, message):
    response = learner_client.post(suggest_url(topic), suggestion(**changes))
    assert response.status_code == 400
    assert message in errors_of(response)
    assert not ResourceSuggestion.objects.exists()


def test_the_same_link_twice_for_a_topic_is_refused_but_others_may_suggest_it(learner_client, learner, topic):
    first = suggestion(url="https://example.com/guide?utm_campaign=a")
    assert learner_client.post(suggest_url(topic), first).status_code == 302
    again = learner_client.post(suggest_url(topic), suggestion(url="https://EXAMPLE.com/guide#part-2"))
    assert again.status_code == 400
    assert "You already suggested this link for this topic." in errors_of(again)
    assert ResourceSuggestion.objects.count() == 1
    # The same link for another topic, or from another learner, is a different suggestion.
    other_topic = TopicFactory()
    assert learner_client.post(suggest_url(other_topic), first).status_code == 302
    assert client_of(UserFactory()).post(suggest_url(topic), first).status_code == 302
    assert ResourceSuggestion.objects.count() == 3


def test_a_concurrent_twin_caught_by_the_database_becomes_the_duplicate_message(
    learner_client, learner, topic, monkeypatch
):
    def twin_lands_first(user, now):  # another request of the same learner inserts between check and insert
        ResourceSuggestionFactory(user=user, topic=topic, url="https://example.com/guide")

    monkeypatch.setattr(services, "_check_daily_limit", twin_lands_first)
    response = learner_client.post(suggest_url(topic), suggestion(url="https://example.com/guide"))
    assert response.status_code == 400
    assert "You already suggested this link for this topic." in errors_of(response)
    # The simulated twin shared the refused request's transaction, so it was rolled back with it.
    assert not ResourceSuggestion.objects.exists()


def test_a_link_the_topic_already_lists_is_refused_with_a_link_to_it(learner_client, topic):
    listed = ResourceFactory(title="MDN: HTTP overview", url="https://example.com/http", topics=[topic])
    response = learner_client.post(suggest_url(topic), suggestion(url="https://EXAMPLE.com/http?fbclid=1"))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'Already listed: <a href="{listed.get_absolute_url()}">MDN: HTTP overview</a>' in html
    assert "Already listed: “MDN: HTTP overview”." in errors_of(response)
    assert not ResourceSuggestion.objects.exists()


def test_a_link_listed_under_another_topic_may_be_suggested_for_this_one(learner_client, learner, topic):
    ResourceFactory(url="https://example.com/http", topics=[TopicFactory()])
    response = learner_client.post(
        suggest_url(topic), suggestion(url="https://example.com/http"), follow=True
    )
    assert response.redirect_chain == [("/topics/http/#suggest", 302)]
    assert "Thanks — a curator will review it" in response.content.decode()
    stored = ResourceSuggestion.objects.get()
    assert (stored.user, stored.topic, stored.url, stored.status) == (
        learner,
        topic,
        "https://example.com/http",
        "pending",
    )


def test_the_daily_limit_answers_429_and_says_when_to_come_back(learner_client, learner, topic, settings):
    settings.SUGGESTIONS_PER_DAY = 3
    made_hours_ago(30, user=learner)  # older than a day: does not count
    made_hours_ago(20, user=learner)  # the oldest that counts: frees a place in 4 hours
    made_hours_ago(2, user=learner)
    made_hours_ago(1, user=learner)
    made_hours_ago(1)  # another learner's
    response = learner_client.post(suggest_url(topic), suggestion())
    assert response.status_code == 429
    message = errors_of(response)
    assert "You made 3 suggestions in the last 24 hours" in message
    assert "You can suggest again in 3\xa0hours, 59\xa0minutes" in message
    assert 4 * 3600 - 60 <= int(response["Retry-After"]) <= 4 * 3600
    assert "You made 3 suggestions" in response.content.decode()
    assert ResourceSuggestion.objects.filter(user=learner).count() == 4


def test_under_the_limit_a_suggestion_is_taken(learner_client, learner, topic, settings):
    settings.SUGGESTIONS_PER_DAY = 3
    made_hours_ago(25, user=learner)
    made_hours_ago(25, user=learner)
    made_hours_ago(1, user=learner)
    made_hours_ago(1, user=learner)
    taken = learner_client.post(suggest_url(topic), suggestion(), follow=True)
    assert "Thanks — a curator will review it" in taken.content.decode()
    assert ResourceSuggestion.objects.filter(user=learner, topic=topic).count() == 1
    assert learner_client.post(suggest_url(topic), suggestion(url="https://example.com/x")).status_code == 429
    assert ResourceSuggestion.objects.filter(user=learner).count() == 5


def test_a_refusal_re_shows_the_form_on_its_own_page(learner_client, topic):
    response = learner_client.post(suggest_url(topic), suggestion(url="ftp://x.example/"))
    html = response.content.decode()
    assert "<h1>Suggest a resource</h1>" in html
    assert 'value="An overview of HTTP"' in html
    assert 'aria-invalid="true"' in html
    assert "The clearest short introduction" in html


def test_the_suggest_page_shows_an_empty_form_to_a_learner(learner_client, topic):
    response = learner_client.get(suggest_url(topic))
    assert response.status_code == 200
    assert not response.context["form"].is_bound


def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(client, topic):
    response = client.post(suggest_url(topic), suggestion())
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=/topics/http/%23suggest" in response.url
    assert client.get(suggest_url(topic)).url.startswith(reverse("account_login"))
    assert not ResourceSuggestion.objects.exists()


def test_unpublished_or_missing_topics_answer_404(learner_client, db):
    hidden = TopicFactory(is_published=False)
    assert learner_client.post(suggest_url(hidden), suggestion()).status_code == 404
    assert learner_client.post("/topics/no-such-topic/suggest/", suggestion()).status_code == 404
    assert not ResourceSuggestion.objects.exists()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/"])
def test_next_never_leaves_the_site(learner_client, topic, next_url):
    response = learner_client.post(suggest_url(topic), suggestion(next=next_url))
    assert response.url == topic.get_absolute_url()


def test_user_text_is_escaped_everywhere_it_shows(learner_client, learner, curator_client, topic):
    learner_client.post(suggest_url(topic), suggestion(title="<b>bold</b>", reason="<script>x()</script>"))
    for html in (
        learner_client.get(reverse("learning:dashboard")).content.decode(),
        curator_client.get(QUEUE).content.decode(),
    ):
        assert "<b>bold</b>" not in html
        assert "&lt;b&gt;bold&lt;/b&gt;" in html
        assert "<script>x()</script>" not in html


# ---------- The learner's dashboard ----------


def test_the_dashboard_shows_each_of_my_suggestions_and_its_state(learner_client, learner):
    resource = ResourceFactory(title="Accepted into the catalogue")
    ResourceSuggestionFactory(user=learner, title="Waiting one")
    ResourceSuggestionFactory(user=learner, title="Taken one", status="accepted", resource=resource)
    ResourceSuggestionFactory(
        user=learner,
        title="Refused one",
        status="rejected",
        rejection_reason="We already list the same course.",
    )
    ResourceSuggestionFactory(title="A guide by someone else suggestion")
    response = learner_client.get(reverse("learning:dashboard"))
    html = response.content.decode()
    assert [s.title for s in response.context["suggestions"].shown] == [
        "Refused one",
        "Taken one",
        "Waiting one",
    ]
    assert "Someone else" not in html
    assert "Pending review" in html
    assert f'Now listed: <a href="{resource.get_absolute_url()}">Accepted into the catalogue</a>' in html
    assert "Not added: We already list the same course." in html


def test_the_dashboard_has_no_suggestions_section_without_suggestions(learner_client):
    ResourceSuggestionFactory()  # another learner's
    assert "Your suggestions" not in learner_client.get(reverse("learning:dashboard")).content.decode()


def test_the_dashboard_lists_the_twenty_newest_and_says_so(learner_client, learner):
    for _ in range(21):
        ResourceSuggestionFactory(user=learner)
    response = learner_client.get(reverse("learning:dashboard"))
    assert len(response.context["suggestions"].shown) == 20
    assert "The 20 most recent." in response.content.decode()


# With nothing cached; the same with 2 suggestions and with 27 (among them the reviews due, the next due date
# and the weekly goals: see tests/learning/test_activity.py; +1: the newest feedback on the learner's projects).
DASHBOARD_QUERIES = 4 + read_together(6)  # +1: the suggestions, read after the dashboard's six reads


def test_dashboard_queries_do_not_grow_with_suggestions(learner_client, learner, cold_get):
    def add(count):
        for index in range(count):
            status = ["pending", "accepted", "rejected"][index % 3]
            ResourceSuggestionFactory(
                user=learner,
                status=status,
                resource=ResourceFactory() if status == "accepted" else None,
                rejection_reason="No." if status == "rejected" else "",
            )

    add(2)
    url = reverse("learning:dashboard")
    cold_get(learner_client, url, DASHBOARD_QUERIES)
    add(25)
    response = cold_get(learner_client, url, DASHBOARD_QUERIES)
    assert len(response.context["suggestions"].shown) == 20


def test_the_dashboard_reads_suggestions_only_for_a_learner_who_made_some(learner_client, learner, cold_get):
    url = reverse("learning:dashboard")
    learner_client.get(url)
    # Their count comes with the dashboard's tallies: none, and the list isn't read.
    cold_get(learner_client, url, DASHBOARD_QUERIES - 1)
    ResourceSuggestionFactory(user=learner, title="A guide to pagination")
    assert "A guide to pagination" in cold_get(learner_client, url, DASHBOARD_QUERIES).content.decode()
    other = UserFactory()
    ResourceSuggestionFactory(user=other, title="A guide by someone else")
    page = cold_get(client_of(other), url, DASHBOARD_QUERIES).content.decode()
    assert "A guide by someone else" in page
    assert "A guide to pagination" not in page


# ---------- The moderation queue ----------


def act(client, action, suggestions, **data):
    """Runs an admin action on the suggestions, as the changelist's action bar posts it."""
    selected = [suggestion.pk for suggestion in suggestions]
    return client.post(QUEUE, {"action": action, "_selected_action": selected, "index": 0, **data})


def test_the_queue_lists_pending_first_with_handle_and_reason_never_the_email(curator_client):
    learner = UserFactory(username="ada-l", email="ada@private.example")
    decided = ResourceSuggestionFactory(title="Decided", status="rejected", rejection_reason="No.")
    ResourceSuggestion.objects.filter(pk=decided.pk).update(created_at=timezone.now() - timedelta(days=3))
    older = ResourceSuggestionFactory(
        user=learner, title="Older pending", reason="Great exercises on caching."
    )
    ResourceSuggestion.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    newer = ResourceSuggestionFactory(title="Newer pending")
    response = curator_client.get(QUEUE)
    assert response.status_code == 200
    assert [s.pk for s in response.context["cl"].result_list] == [older.pk, newer.pk, decided.pk]
    html = response.content.decode()
    assert "ada-l" in html
    assert "ada@private.example" not in html
    assert "Great exercises on caching." in html


def test_the_queue_filters_by_status_and_topic_and_searches(curator_client):
    topic = TopicFactory(title="Caching")
    cached = ResourceSuggestionFactory(topic=topic, title="Redis in action")
    rejected = ResourceSuggestionFactory(title="Old blog", status="rejected", rejection_reason="Outdated.")
    pending = ResourceSuggestionFactory(title="Other pending")

    def listed(params):
        return {s.pk for s in curator_client.get(QUEUE, params).context["cl"].result_list}

    assert listed({"status__exact": "rejected"}) == {rejected.pk}
    assert listed({"topic__id__exact": topic.pk}) == {cached.pk}
    assert listed({"q": "redis"}) == {cached.pk}
    assert listed({"q": pending.user.username}) == {pending.pk}


def test_accepting_creates_a_published_resource_on_the_topic(curator_client, curator, learner):
    topic = TopicFactory()
    pending = ResourceSuggestionFactory(
        user=learner, topic=topic, url="https://example.org/new", kind="video"
    )
    response = act(curator_client, "accept", [pending])
    assert response.status_code == 302
    resource = Resource.objects.get(url="https://example.org/new")
    assert (resource.title, resource.kind, resource.is_published) == (pending.title, "video", True)
    assert list(resource.topics.all()) == [topic]
    pending.refresh_from_db()
    assert (pending.status, pending.resource, pending.reviewed_by) == ("accepted", resource, curator)
    assert pending.reviewed_at is not None
    assert "1 new resource(s) published" in messages_of(response)[0]
    assert LogEntry.objects.filter(object_id=str(pending.pk), change_message__startswith="Accepted").exists()
    assert LogEntry.objects.filter(object_id=str(resource.pk), action_flag=1).exists()
    # The learner sees it on the topic page and on their dashboard.
    assert resource in Client().get(topic.get_absolute_url()).context["topic"].ranked_resources
    assert (
        f'href="{resource.get_absolute_url()}"'
        in client_of(learner).get(reverse("learning:dashboard")).content.decode()
    )


def test_accepting_a_link_already_in_the_catalogue_attaches_that_resource(curator_client):
    other_topic, topic = TopicFactory(), TopicFactory()
    existing = ResourceFactory(url="https://example.org/known", title="Known resource", topics=[other_topic])
    pending = ResourceSuggestionFactory(topic=topic, url="https://example.org/known?utm_medium=x")
    assert "Known resource" in curator_client.get(QUEUE).content.decode()  # the queue says it exists
    response = act(curator_client, "accept", [pending])
    assert "1 existing resource(s) attached" in messages_of(response)[0]
    assert Resource.objects.count() == 1
    assert set(existing.topics.all()) == {other_topic, topic}
    pending.refresh_from_db()
    assert (pending.status, pending.resource) == ("accepted", existing)


def test_decided_suggestions_are_skipped_untouched(curator_client):
    earlier_curator = CuratorFactory()
    rejected = ResourceSuggestionFactory(
        status="rejected", rejection_reason="Off topic.", reviewed_by=earlier_curator
    )
    pending = ResourceSuggestionFactory()
    response = act(curator_client, "accept", [rejected, pending])
    assert any("Skipped 1 already decided" in message for message in messages_of(response))
    rejected.refresh_from_db()
    assert (rejected.status, rejected.rejection_reason, rejected.reviewed_by, rejected.resource) == (
        "rejected",
        "Off topic.",
        earlier_curator,
        None,
    )
    assert Resource.objects.count() == 1  # only the pending one's
    response = act(curator_client, "reject", [rejected])
    assert response.status_code == 302  # nothing to ask a reason for
    rejected.refresh_from_db()
    assert rejected.rejection_reason == "Off topic."


def test_rejecting_asks_for_a_reason_first(curator_client):
    pending = ResourceSuggestionFactory(title="Listicle")
    page = act(curator_client, "reject", [pending])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Reason, shown to the learner" in html
    assert "Listicle" in html
    pending.refresh_from_db()
    assert pending.status == "pending"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_rejecting_without_a_usable_reason_changes_nothing(curator_client, reason):
    pending = ResourceSuggestionFactory()
    data = {"action": "reject", "_selected_action": [pending.pk], "apply": "yes", "rejection_reason": reason}
    response = curator_client.post(QUEUE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["rejection_reason"]
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason, pending.reviewed_at) == ("pending", "", None)


def test_rejecting_with_a_reason_records_it_for_the_learner(curator_client, curator, learner):
    pending = ResourceSuggestionFactory(user=learner)
    data = {"action": "reject", "_selected_action": [pending.pk], "apply": "yes"}
    response = curator_client.post(
        QUEUE, {**data, "rejection_reason": "  We list the official docs already. "}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason, pending.reviewed_by) == (
        "rejected",
        "We list the official docs already.",
        curator,
    )
    assert LogEntry.objects.filter(object_id=str(pending.pk), change_message__startswith="Rejected").exists()
    assert (
        "Not added: We list the official docs already."
        in client_of(learner).get(reverse("learning:dashboard")).content.decode()
    )


def test_the_queue_is_read_only_outside_the_actions(curator_client):
    pending = ResourceSuggestionFactory()
    change = reverse("admin:learning_resourcesuggestion_change", args=[pending.pk])
    assert curator_client.get(change).status_code == 200
    curator_client.post(change, {"status": "accepted", "title": "Edited"})
    pending.refresh_from_db()
    assert (pending.status, pending.title) != ("accepted", "Edited")
    assert curator_client.get(reverse("admin:learning_resourcesuggestion_add")).status_code == 403


def test_a_curator_accepts_and_rejects(curator_client):
    first, second = ResourceSuggestionFactory(), ResourceSuggestionFactory()
    act(curator_client, "accept", [first])
    data = {
        "action": "reject",
        "_selected_action": [second.pk],
        "apply": "yes",
        "rejection_reason": "Paywalled.",
    }
    curator_client.post(QUEUE, data)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("accepted", "rejected")


def test_without_the_add_resource_permission_a_new_link_is_not_accepted(curator_client):
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.add(
        *Group.objects.get(name="Curator").permissions.filter(codename__endswith="resourcesuggestion")
    )
    client = client_of(moderator)
    pending = ResourceSuggestionFactory()
    response = act(client, "accept", [pending])
    assert "needs the “add resource” permission" in " ".join(messages_of(response))
    pending.refresh_from_db()
    assert pending.status == "pending"
    assert not Resource.objects.exists()


def test_staff_without_the_change_permission_cannot_decide():
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Group.objects.get(name="Curator").permissions.filter(codename="view_resourcesuggestion")
    )
    client = client_of(viewer)
    pending = ResourceSuggestionFactory()
    assert client.get(QUEUE).status_code == 200
    act(client, "accept", [pending])
    client.post(
        QUEUE,
        {"action": "reject", "_selected_action": [pending.pk], "apply": "yes", "rejection_reason": "No"},
    )
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_learner_cannot_reach_the_queue(learner_client):
    pending = ResourceSuggestionFactory()
    response = learner_client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    act(learner_client, "accept", [pending])
    pending.refresh_from_db()
    assert pending.status == "pending"


@pytest.mark.usefixtures("rendered_every_time")
def test_a_blank_forms_fields_are_rendered_once_per_process_and_per_daily_limit():
    from learning.templatetags.community_forms import _blank_suggestion_fields, blank_suggestion_fields

    _blank_suggestion_fields.cache_clear()
    client = client_of(UserFactory())
    first, second = TopicFactory(), TopicFactory()
    for topic in (first, second):
        page = client.get(topic.get_absolute_url()).content.decode()
        assert f'action="/topics/{topic.slug}/suggest/"' in page
        assert 'name="url"' in page
    assert _blank_suggestion_fields.cache_info().misses == 1
    assert "Up to 2 a day" in blank_suggestion_fields(2)  # kept per daily limit
    assert "Up to 7 a day" in blank_suggestion_fields(7)
