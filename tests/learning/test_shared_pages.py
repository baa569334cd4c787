"""The topic and resource pages render what everyone sees once per catalogue and stats version (this
process's memo, plumbing.overlay) and lay each request's own bits onto it: a curated change or a rating shows
on the next request, one learner never sees another's status, bookmarks, rating or CSRF token, and staff's
drafts never reach anyone else."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from learning.models import Topic, TopicProgress
from tests.factories import (
    BookmarkFactory,
    CuratorFactory,
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TopicProgressFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rendered_every_time")]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def client_of(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def html_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def walk():
    """A published track of three topics; the middle one has two resources."""
    track = TrackFactory(slug="walk", title="Walk")
    stage = StageFactory(track=track, slug="one", title="One", position=0)
    topics = [TopicFactory(slug=f"step-{index}", title=f"Step {index}") for index in range(3)]
    for index, topic in enumerate(topics):
        StepFactory(stage=stage, topic=topic, position=index)
    first = ResourceFactory(title="First read", topics=[topics[1]])
    second = ResourceFactory(title="Second read", topics=[topics[1]])
    return {"track": track, "topic": topics[1], "resources": [first, second]}


# ---------- A change shows on the next request ----------


def test_a_curated_change_shows_on_the_next_topic_and_resource_page(client, walk):
    topic, resource = walk["topic"], walk["resources"][0]
    assert "First read" in html_of(client, topic.get_absolute_url())
    assert "First read" in html_of(client, resource.get_absolute_url())
    resource.title = "Renamed read"
    resource.save()
    Topic.objects.filter(pk=topic.pk).update(summary="A new summary.")  # a bulk write moves the token too
    page = html_of(client, topic.get_absolute_url())
    assert "Renamed read" in page
    assert "First read" not in page
    assert "A new summary." in page
    assert "Renamed read" in html_of(client, resource.get_absolute_url())


def test_a_rating_shows_on_the_next_topic_and_resource_page(client, walk):
    topic, resource = walk["topic"], walk["resources"][1]
    assert "(1 rating)" not in html_of(client, topic.get_absolute_url())
    html_of(client, resource.get_absolute_url())
    RatingFactory(resource=resource, stars=5, review="Spot on.")
    assert "(1 rating)" in html_of(client, topic.get_absolute_url())
    page = html_of(client, resource.get_absolute_url())
    assert "Spot on." in page
    assert '<span class="count">1</span>' in page


def test_a_page_rendered_again_reads_nothing_of_the_catalogue(client, walk, django_assert_num_queries):
    urls = [walk["topic"].get_absolute_url(), walk["resources"][0].get_absolute_url()]
    for url in urls:
        first = html_of(client, url)
        with django_assert_num_queries(0):
            assert html_of(client, url) == first


# ---------- Each learner's own ----------


def test_one_learner_never_sees_another_learner_s_status_bookmarks_or_rating(walk):
    topic, resource = walk["topic"], walk["resources"][0]
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    TopicProgressFactory(user=ann, topic=topic)
    BookmarkFactory(user=ann, resource=resource)
    review = RatingFactory(user=ann, resource=resource, stars=4, review="Ann's own words.")
    ann_client, bob_client = client_of(ann), client_of(bob)

    ann_topic = html_of(ann_client, topic.get_absolute_url())
    assert "done ✓" in ann_topic
    assert ann_topic.count("★ Bookmarked") == 1
    ann_resource = html_of(ann_client, resource.get_absolute_url())
    assert "Update my rating" in ann_resource
    assert "Ann&#x27;s own words.</textarea>" in ann_resource
    assert f'action="{reverse("learning:flag_review", args=[review.pk])}"' not in ann_resource

    bob_topic = html_of(bob_client, topic.get_absolute_url())
    assert "done ✓" not in bob_topic
    assert "★ Bookmarked" not in bob_topic
    assert bob_topic.count("☆ Bookmark<") == 2
    bob_resource = html_of(bob_client, resource.get_absolute_url())
    assert "Update my rating" not in bob_resource
    assert "Rate this resource" in bob_resource
    assert "Ann&#x27;s own words.</textarea>" not in bob_resource
    assert "Ann&#x27;s own words." in bob_resource  # her review, as everyone sees it
    assert f'action="{reverse("learning:flag_review", args=[review.pk])}"' in bob_resource

    # And the other way round, after Bob's pages: Ann's are still hers.
    assert html_of(ann_client, topic.get_absolute_url()).count("★ Bookmarked") == 1
    assert "Update my rating" in html_of(ann_client, resource.get_absolute_url())


def test_each_learner_s_forms_carry_their_own_csrf_token(walk):
    topic = walk["topic"]
    ann, bob = UserFactory(), UserFactory()
    ann_client = client_of(ann, enforce_csrf_checks=True)
    bob_client = client_of(bob, enforce_csrf_checks=True)
    url = topic.get_absolute_url() + f"?track={walk['track'].slug}"
    html_of(ann_client, url)
    bob_page = html_of(bob_client, url)
    tokens = set(CSRF.findall(bob_page))
    assert len(tokens) == 1  # one token for the whole page, as {% csrf_token %} gives
    status = bob_client.post(reverse("learning:topic_status", args=[topic.slug]), {
        "status": "learning", "csrfmiddlewaretoken": tokens.pop()})  # fmt: skip
    assert status.status_code == 302
    assert TopicProgress.objects.get(topic=topic).user == bob


def test_the_query_string_of_each_request_goes_into_its_own_links(walk):
    topic, resource = walk["topic"], walk["resources"][0]
    learner = client_of(UserFactory())
    for source in ("mail", "feed"):
        page = html_of(learner, f"{topic.get_absolute_url()}?track=walk&from={source}")
        own = f"{topic.get_absolute_url()}?track=walk&amp;from={source}"
        assert f'name="next" value="{own}#topic-status"' in page  # the status form
        assert f'name="next" value="{own}"' in page  # "Done — next topic"
        assert f'name="next" value="{own}#bookmark-{resource.pk}"' in page
    for index in range(12):
        RatingFactory(resource=resource, review=f"Review {index}")
    for source in ("a", "b"):
        page = html_of(learner, f"{resource.get_absolute_url()}?from={source}")
        assert f'href="?from={source}&amp;reviews=2#reviews"' in page


def test_the_next_step_and_the_status_are_each_learner_s(walk):
    topic, track = walk["topic"], walk["track"]
    ann, bob = UserFactory(), UserFactory()
    last = track.steps.last().topic
    TopicProgressFactory(user=ann, topic=last)
    url = topic.get_absolute_url() + "?track=walk"
    ann_page = html_of(client_of(ann), url)
    bob_page = html_of(client_of(bob), url)
    assert "Done — back to the track" in ann_page
    assert "nothing left after this one in Walk" in ann_page
    assert "Done — next topic" in bob_page
    assert "then <strong>Step 2</strong>" in bob_page


# ---------- Staff and drafts ----------


@pytest.mark.parametrize("staff_first", [True, False], ids=["staff first", "visitor first"])
def test_drafts_show_to_staff_and_never_to_anyone_else(client, walk, staff_first):
    topic = walk["topic"]
    draft = ResourceFactory(title="Draft read", topics=[topic], is_published=False)
    hidden_topic = TopicFactory(title="Draft topic", is_published=False)
    curator = client_of(CuratorFactory())
    learner = client_of(UserFactory())
    viewers = [curator, client, learner] if staff_first else [client, learner, curator]
    for viewer in viewers:
        page = html_of(viewer, topic.get_absolute_url())
        resource_page = viewer.get(draft.get_absolute_url())
        topic_page = viewer.get(hidden_topic.get_absolute_url())
        if viewer is curator:
            assert "Draft read" in page
            assert "Unpublished" in page
            assert resource_page.status_code == 200
            assert topic_page.status_code == 200
        else:
            assert "Draft read" not in page
            assert "Unpublished" not in page
            assert resource_page.status_code == 404
            assert topic_page.status_code == 404


def test_messages_are_placed_on_a_page_rendered_from_the_memo(walk):
    topic = walk["topic"]
    learner = client_of(UserFactory())
    html_of(learner, topic.get_absolute_url())  # the shared HTML is made
    response = learner.post(
        reverse("learning:topic_status", args=[topic.slug]), {"status": "learning"}, follow=True
    )
    page = response.content.decode()
    section = page[page.index('id="topic-status"') : page.index("</div>", page.index('id="topic-status"'))]
    assert "You&#x27;re learning “Step 1”." in section or "You're learning “Step 1”." in section
    assert 'id="messages"' not in page  # not again at the top
