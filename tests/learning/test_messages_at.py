"""After an action, its confirmation is on the page the redirect returns to, inside the section the
redirect's anchor names (where the browser scrolls), and not again at the top; a message without an anchor,
or whose section the page doesn't have, shows at the top of the page."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from plumbing.actions import anchor_of, say
from tests.factories import (
    BookmarkFactory,
    MilestoneFactory,
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class SectionText(HTMLParser):
    """The text inside the element with id `element_id`, and inside its role="status" descendants."""

    def __init__(self, element_id):
        super().__init__()
        self.element_id = element_id
        self.depth = 0  # open elements inside the section, the section itself included
        self.status_depths: list[int] = []
        self.found = False
        self.text: list[str] = []
        self.status_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        attributes = dict(attrs)
        if self.depth:
            self.depth += 1
        elif attributes.get("id") == self.element_id:
            assert not self.found, f"two elements with id {self.element_id}"
            self.found = True
            self.depth = 1
        if self.depth and attributes.get("role") == "status":
            self.status_depths.append(self.depth)

    def handle_endtag(self, tag):
        if tag in VOID or not self.depth:
            return
        if self.status_depths and self.status_depths[-1] == self.depth:
            self.status_depths.pop()
        self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self.status_depths:
                self.status_text.append(data)


def section(html: str, element_id: str) -> SectionText:
    parser = SectionText(element_id)
    parser.feed(html)
    parser.close()
    assert parser.found, f"no element with id {element_id!r}"
    return parser


def top_messages(html: str) -> str:
    """The text of the top-of-page message list (id="messages"), empty when the page has none."""
    return "".join(section(html, "messages").status_text) if 'id="messages"' in html else ""


def said(client, url, data, *, anchor, message):
    """Posts the action, follows its redirect and asserts the message is said in the section `anchor` only.

    `anchor` is the fragment the learner lands on: the redirect's own, or (with none) the form action's,
    which the browser keeps through the redirect.
    """
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    landed, _ = response.redirect_chain[-1]
    fragment = urlsplit(landed).fragment or urlsplit(url).fragment
    assert fragment == anchor
    html = response.content.decode()
    assert message in "".join(section(html, anchor).status_text)
    assert message not in top_messages(html)
    assert html.count(escape(message)) == 1
    return response


def said_at_the_top(client, url, data, *, message):
    response = client.post(url, data, follow=True)
    html = response.content.decode()
    assert message in top_messages(html)
    assert html.count(escape(message)) == 1
    return response


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def walk():
    """A track of three topics in one stage, with a milestone."""
    track = TrackFactory(slug="walk", title="Walk")
    stage = StageFactory(track=track, slug="one", position=0)
    topics = [TopicFactory(slug=f"step-{index}", title=f"Step {index}") for index in range(3)]
    for index, topic in enumerate(topics):
        StepFactory(stage=stage, topic=topic, position=index)
    milestone = MilestoneFactory(stage=stage, title="Build a thing")
    return {"track": track, "topics": topics, "milestone": milestone}


# ---------- On the resource page ----------


def test_rating_says_thanks_inside_the_rate_section(learner_client):
    resource = ResourceFactory()
    url = reverse("learning:rate", args=[resource.pk]) + "#rate"  # the form's action
    said(
        learner_client,
        url,
        {"stars": "4", "review": "Clear."},
        anchor="rate",
        message="Thanks: your rating is saved.",
    )


def test_deleting_a_rating_says_so_inside_the_rate_section(learner_client, learner):
    resource = RatingFactory(user=learner).resource
    url = reverse("learning:rating_delete", args=[resource.pk]) + "#rate"
    said(learner_client, url, {}, anchor="rate", message="Your rating was removed.")


def test_reporting_a_review_says_thanks_inside_that_review(learner_client):
    review = RatingFactory(review="Buy cheap watches", user=UserFactory())
    RatingFactory(resource=review.resource, review="Another review")
    page = review.resource.get_absolute_url()
    said(
        learner_client,
        reverse("learning:flag_review", args=[review.pk]),
        {"reason": "spam", "note": "", "next": f"{page}#review-{review.pk}"},
        anchor=f"review-{review.pk}",
        message="Thanks — a moderator will look at it.",
    )


# ---------- On the topic page ----------


def test_a_status_on_the_topic_page_is_said_inside_the_status_section(learner_client, walk):
    topic = walk["topics"][0]
    said(
        learner_client,
        reverse("learning:topic_status", args=[topic.slug]),
        {"status": "learning"},
        anchor="topic-status",
        message="You're learning “Step 0”.",
    )


def test_a_suggestion_is_thanked_inside_the_suggest_section(learner_client, walk):
    topic = walk["topics"][0]
    said(
        learner_client,
        reverse("learning:suggest_resource", args=[topic.slug]),
        {
            "url": "https://developer.mozilla.org/en-US/docs/Web/HTTP/Overview",
            "title": "An overview of HTTP",
            "kind": "docs",
            "reason": "The clearest short introduction.",
            "next": f"{topic.get_absolute_url()}#suggest",
        },
        anchor="suggest",
        message="Thanks — a curator will review it.",
    )


def test_done_next_says_done_at_the_top_of_the_next_topic(learner_client, walk):
    first, second, _ = walk["topics"]
    response = said_at_the_top(
        learner_client,
        reverse("learning:topic_done_next", args=[first.slug]),
        {"track": "walk"},
        message="“Step 0” is done.",
    )
    assert response.redirect_chain[-1][0] == f"{second.get_absolute_url()}?track=walk"


def test_done_next_on_the_last_step_says_so_at_its_node_on_the_track(learner_client, walk):
    last = walk["topics"][-1]
    said(
        learner_client,
        reverse("learning:topic_done_next", args=[last.slug]),
        {"track": "walk"},
        anchor=f"node-{last.slug}",
        message="“Step 2” is done. Nothing left after it in Walk.",
    )


# ---------- On the track page ----------


def test_a_status_on_the_track_is_said_inside_the_topic_s_node(learner_client, walk):
    topic = walk["topics"][1]
    said(
        learner_client,
        reverse("learning:topic_status", args=[topic.slug]),
        {"status": "done", "track": "walk", "next": f"/tracks/walk/#node-{topic.slug}"},
        anchor=f"node-{topic.slug}",
        message="“Step 1” is done.",
    )


@pytest.mark.parametrize(
    ("done", "message"), [("1", "Built: “Build a thing”. Well done."), ("0", "marked as not built yet")]
)
def test_a_milestone_is_said_inside_the_milestone(learner_client, walk, done, message):
    milestone = walk["milestone"]
    said(
        learner_client,
        reverse("learning:milestone_done", args=[milestone.pk]),
        {"done": done, "next": f"/tracks/walk/#milestone-{milestone.pk}"},
        anchor=f"milestone-{milestone.pk}",
        message=message,
    )


def test_following_and_resetting_open_the_track_at_its_top_and_say_so_there(learner_client, walk):
    follow = reverse("learning:track_follow", args=["walk"])
    said_at_the_top(
        learner_client, follow, {"action": "follow", "next": "/tracks/walk/"}, message="You follow Walk"
    )
    said_at_the_top(
        learner_client, follow, {"action": "unfollow", "next": "/tracks/walk/"}, message="no longer follow"
    )
    said_at_the_top(
        learner_client,
        reverse("learning:track_reset", args=["walk"]),
        {},
        message="Your progress on Walk was reset.",
    )


def test_a_weekly_goal_is_said_inside_the_goal_section(learner_client, walk):
    # The learner's progress, follow button and goal are included per request into the track's shared
    # HTML (an "include" slot): a message said there is still placed there, and not again at the top.
    said(
        learner_client,
        reverse("learning:track_goal", args=["walk"]),
        {"hours_per_week": "5"},
        anchor="weekly-goal",
        message="Your weekly goal: 5 hours a week.",
    )


# ---------- Bookmarks ----------


def test_a_note_is_said_saved_inside_its_bookmark(learner_client, learner):
    bookmark = BookmarkFactory(user=learner, resource=ResourceFactory(title="Pro Git"))
    BookmarkFactory(user=learner)
    said(
        learner_client,
        reverse("learning:bookmark_note", args=[bookmark.pk]),
        {"note": "Chapter 2", "next": f"/me/bookmarks/#bookmark-item-{bookmark.pk}"},
        anchor=f"bookmark-item-{bookmark.pk}",
        message="Saved your note on “Pro Git”.",
    )


# ---------- The mechanism ----------


def test_a_message_whose_section_the_page_lacks_falls_back_to_the_top(learner_client, walk):
    """Marked done from the track of a topic that then isn't on it: no node, so the top says it."""
    topic = walk["topics"][0]
    other = TopicFactory(slug="elsewhere", title="Elsewhere")
    response = learner_client.post(
        reverse("learning:topic_status", args=[other.slug]),
        {"status": "done", "next": f"/tracks/walk/#node-{topic.slug}"},
        follow=True,
    )
    html = response.content.decode()
    assert "“Elsewhere” is done." in top_messages(html)
    assert "“Elsewhere” is done." not in "".join(section(html, f"node-{topic.slug}").text)


def test_say_ties_a_message_to_its_anchor_and_keeps_the_level(learner_client):
    request = learner_client.get("/").wsgi_request
    say(request, "Here", at="rate")
    say(request, "Top")
    here, top = list(get_messages(request))
    assert (anchor_of(here), here.level_tag, str(here)) == ("rate", "success", "Here")
    assert (anchor_of(top), top.level_tag) == ("", "success")
