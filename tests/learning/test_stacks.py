"""Resources and tracks carry a stack: a topic page lists its track's stack first, stack-independent
resources lead without one, and /resources/, tag pages, the admin and the content files know the field."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from learning.models import Resource, Stack, TopicResource, Track, TrackFollow
from tests.factories import (
    RatingFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db
RESOURCES = reverse("learning:resource_list")

# A stack-independent topic's resources in the curators' order: stacks mixed in, as REST APIs had them.
CURATED = [
    ("Spring REST", Stack.JAVA),
    ("Flask REST", Stack.PYTHON),
    ("HTTP semantics", Stack.INDEPENDENT),
    ("Gin REST", Stack.GO),
    ("Django REST", Stack.PYTHON),
    ("REST dissertation", Stack.INDEPENDENT),
]
INDEPENDENT_FIRST = [
    "HTTP semantics",
    "REST dissertation",
    "Spring REST",
    "Flask REST",
    "Gin REST",
    "Django REST",
]
PYTHON_FIRST = ["Flask REST", "Django REST", "HTTP semantics", "REST dissertation", "Spring REST", "Gin REST"]


def track_with(topic, *, slug, stack):
    track = TrackFactory(slug=slug, stack=stack)
    StepFactory(stage=StageFactory(track=track), topic=topic)
    return track


@pytest.fixture
def rest():
    topic = TopicFactory(title="REST APIs", slug="rest-apis")
    for title, stack in CURATED:
        ResourceFactory(title=title, stack=stack, topics=[topic])
    return topic


@pytest.fixture
def python_track(rest):
    return track_with(rest, slug="python-django", stack=Stack.PYTHON)


@pytest.fixture
def general_track(rest):
    return track_with(rest, slug="backend-developer", stack=Stack.INDEPENDENT)


def listed(client, topic, **params):
    response = client.get(topic.get_absolute_url(), params)
    assert response.status_code == 200
    return [resource.title for resource in response.context["topic"].ranked_resources]


def resource(title):
    return Resource.objects.get(title=title)


def rate(title, *stars):
    for value in stars:
        RatingFactory(resource=resource(title), stars=value)


def start_here(topic, title):
    TopicResource.objects.filter(topic=topic, resource=resource(title)).update(is_start_here=True)


# ---------- the order of a topic page


def test_a_stack_independent_topic_without_context_lists_independent_resources_first(client, rest):
    assert listed(client, rest) == INDEPENDENT_FIRST


def test_a_topic_opened_from_a_stacks_track_lists_that_stack_then_independent_then_others(
    client, rest, python_track
):
    assert listed(client, rest, track=python_track.slug) == PYTHON_FIRST


def test_a_topic_opened_from_a_general_track_lists_independent_resources_first(client, rest, general_track):
    assert listed(client, rest, track=general_track.slug) == INDEPENDENT_FIRST


def test_the_learners_followed_track_gives_its_stack_without_the_parameter(
    client, learner, rest, python_track
):
    TrackFollow.objects.create(user=learner, track=python_track)
    client.force_login(learner)
    assert listed(client, rest) == PYTHON_FIRST
    assert listed(client, rest, track="no-such-track") == PYTHON_FIRST  # a bad ?track= falls back to it


@pytest.mark.parametrize("track", ["no-such-track", "go", "../../admin", "x" * 300, "python-django\x00"])
def test_a_bad_track_parameter_falls_back_to_no_context(client, rest, python_track, track):
    TrackFactory(slug="go", stack=Stack.GO)  # a track that doesn't contain the topic
    assert listed(client, rest, track=track) == INDEPENDENT_FIRST


def test_ratings_reorder_within_a_group_but_not_across_groups(client, rest, python_track):
    rate("REST dissertation", *([5] * 20))  # the second independent one overtakes the first
    rate("Gin REST", *([5] * 30))  # the best rated of all, but still a stack resource
    assert listed(client, rest) == [
        "REST dissertation",
        "HTTP semantics",
        "Gin REST",
        "Spring REST",
        "Flask REST",
        "Django REST",
    ]
    rate("Django REST", *([5] * 20))
    assert listed(client, rest, track=python_track.slug) == [
        "Django REST",
        "Flask REST",
        "REST dissertation",
        "HTTP semantics",
        "Gin REST",
        "Spring REST",
    ]


def test_an_independent_start_here_stays_first_in_every_context(client, rest, python_track):
    start_here(rest, "REST dissertation")
    assert listed(client, rest)[0] == "REST dissertation"
    assert listed(client, rest, track=python_track.slug) == [
        "REST dissertation",
        "Flask REST",
        "Django REST",
        "HTTP semantics",
        "Spring REST",
        "Gin REST",
    ]


def test_a_stack_start_here_leads_its_own_stack_and_no_context_but_not_another_stacks_track(
    client, rest, python_track
):
    start_here(rest, "Spring REST")
    java_track = track_with(rest, slug="java-spring-boot", stack=Stack.JAVA)
    # The curators' pick leads where no stack is asked for, and on its own stack's track.
    assert listed(client, rest)[:3] == ["Spring REST", "HTTP semantics", "REST dissertation"]
    assert listed(client, rest, track=java_track.slug)[:3] == [
        "Spring REST",
        "HTTP semantics",
        "REST dissertation",
    ]
    # A Java tutorial is no place for a Python learner to start: it goes with the other stacks'.
    assert listed(client, rest, track=python_track.slug) == PYTHON_FIRST
    html = client.get(rest.get_absolute_url(), {"track": python_track.slug}).content.decode()
    assert html.count("badge--start-here") == 1  # still marked, where it now stands


def test_a_chosen_sort_is_not_grouped_by_stack(client, rest, python_track):
    newest_first = [title for title, _ in reversed(CURATED)]
    assert listed(client, rest, track=python_track.slug, sort="newest") == newest_first


def test_the_page_says_each_resources_stack(client, rest, python_track):
    html = client.get(rest.get_absolute_url(), {"track": python_track.slug}).content.decode()
    assert html.count("badge--stack") == 4  # the independent two carry no label
    assert '<span class="visually-hidden">Specific to </span>Python</span>' in html
    assert '<span class="visually-hidden">Specific to </span>Java</span>' in html
    assert "with Python resources first" in html


def test_the_markdown_checklist_ranks_with_the_tracks_stack(client, rest, python_track, general_track):
    def top_three(track):
        document = client.get(reverse("learning:track_export", args=[track.slug])).content.decode()
        return [
            line.split("](")[0].removeprefix("    - [")
            for line in document.splitlines()
            if line.startswith("    - ")
        ]

    assert top_three(python_track) == PYTHON_FIRST[:3]
    assert top_three(general_track) == INDEPENDENT_FIRST[:3]


# ---------- the stack filter


def test_the_stack_filter_keeps_one_stack_or_the_independent_ones(client, rest):
    assert {r.title for r in client.get(RESOURCES, {"stack": "python"}).context["page"]} == {
        "Flask REST",
        "Django REST",
    }
    assert {r.title for r in client.get(RESOURCES, {"stack": "independent"}).context["page"]} == {
        "HTTP semantics",
        "REST dissertation",
    }
    assert listed(client, rest, stack="go") == ["Gin REST"]


def test_the_stack_filter_works_on_a_tag_page(client):
    ResourceFactory(title="Tagged Go", stack=Stack.GO, tags=["apis"])
    ResourceFactory(title="Tagged HTTP", tags=["apis"])
    response = client.get(reverse("learning:tag_detail", args=["apis"]), {"stack": "go"})
    assert [r.title for r in response.context["page"]] == ["Tagged Go"]
    assert 'name="stack"' in response.content.decode()


@pytest.mark.parametrize("value", ["cobol", "Python", "", "python\x00", "x" * 500])
def test_a_bad_stack_value_is_ignored_with_a_notice(client, rest, value):
    response = client.get(RESOURCES, {"stack": value})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == len(CURATED)
    if value:
        assert "Ignored filters that aren't valid: stack=" in response.content.decode()


# ---------- the admin


def test_the_resource_admin_filters_by_stack_and_shows_it(curator_client, rest):
    url = reverse("admin:learning_resource_changelist")
    python = curator_client.get(url, {"stack__exact": "python"})
    independent = curator_client.get(url, {"stack__exact": ""})
    assert {r.title for r in python.context["cl"].result_list} == {"Flask REST", "Django REST"}
    assert {r.title for r in independent.context["cl"].result_list} == {"HTTP semantics", "REST dissertation"}
    assert "column-stack" in python.content.decode()


def test_a_curator_sets_a_resources_and_a_tracks_stack(curator_client, rest, python_track):
    flask = resource("Flask REST")
    change = reverse("admin:learning_resource_change", args=[flask.pk])
    form = curator_client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
    data |= {"topics": [rest.pk], "stack": "ruby", "_save": "Save"}
    response = curator_client.post(change, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert resource("Flask REST").stack == Stack.RUBY

    response = curator_client.get(reverse("admin:learning_track_change", args=[python_track.pk]))
    assert 'name="stack"' in response.content.decode()


def test_the_database_refuses_an_unknown_stack(rest, python_track):
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.filter(title="Flask REST").update(stack="cobol")
    with pytest.raises(IntegrityError), transaction.atomic():
        Track.objects.update(stack="Python")
