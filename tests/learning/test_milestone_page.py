"""A milestone's own page (/milestones/<pk>/): its brief, acceptance checklist, stretch goals and topics, the
"I built it" control that comes back to it, drafts kept from visitors, and a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import ChecklistItem, MilestoneCompletion
from tests.conftest import logged_in
from tests.factories import (
    MilestoneFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def build_milestone(items: int, topics: int, *, published=True):
    track = TrackFactory(slug=f"api-{items}", title="Python & Django", is_published=published)
    stage = StageFactory(track=track, slug="basics", title="Basics")
    milestone = MilestoneFactory(
        stage=stage,
        title="Build a bookshelf API",
        difficulty="beginner",
        hours=15,
        description="A JSON API.\n\n| Method | Path | Success | Errors |\n|---|---|---|---|\n"
        "| GET | /books/{id} | 200 | 404 |\n\n<script>alert(1)</script>\n",
        stretch=["Paginate GET /books", "Add <b>ETags</b>"],
    )
    for position in range(items):
        ChecklistItem.objects.create(milestone=milestone, position=position, text=f"Item {position} holds")
    for index in range(topics):
        topic = TopicFactory(title=f"Topic {index:02}", hours=index + 1)
        StepFactory(stage=stage, topic=topic)
        milestone.topics.add(topic)
    return milestone


def test_the_page_shows_the_specification(client):
    milestone = build_milestone(3, 2)
    response = client.get(f"/milestones/{milestone.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    track = milestone.track
    assert f'<a href="{track.get_absolute_url()}">Python &amp; Django</a>' in html
    assert f'<a href="{track.get_absolute_url()}#stage-basics">Basics</a>' in html
    assert "<h1>Build a bookshelf API</h1>" in html
    assert "Beginner" in html
    assert "about 15 hours" in html
    assert "<table>" in html  # the brief's Markdown table
    assert "<script>alert" not in html  # sanitised as topic bodies are
    assert "Acceptance checklist" in html
    assert (
        '<ol class="checklist"><li>Item 0 holds</li><li>Item 1 holds</li><li>Item 2 holds</li></ol>' in html
    )
    assert "Stretch goals" in html
    assert "Add &lt;b&gt;ETags&lt;/b&gt;" in html
    assert "Topics it exercises" in html
    for topic in milestone.topics.all():
        assert f'href="{topic.get_absolute_url()}?track={track.slug}"' in html
    assert "Log in</a> to mark this milestone as built" in html


def test_the_url_is_named_and_the_track_page_links_every_milestone(client):
    milestone = build_milestone(1, 1)
    assert reverse("learning:milestone_detail", args=[milestone.pk]) == f"/milestones/{milestone.pk}/"
    html = client.get(milestone.track.get_absolute_url()).content.decode()
    assert f'<a href="/milestones/{milestone.pk}/">Build a bookshelf API</a>' in html


def test_i_built_it_from_the_page_comes_back_to_it(client, learner):
    milestone = build_milestone(2, 1)
    client.force_login(learner)
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert "I built it ✓" in page
    assert f'name="next" value="/milestones/{milestone.pk}/#milestone-{milestone.pk}"' in page
    response = client.post(
        reverse("learning:milestone_done", args=[milestone.pk]),
        {"done": "1", "next": f"/milestones/{milestone.pk}/#milestone-{milestone.pk}"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/milestones/{milestone.pk}/#milestone-{milestone.pk}"
    assert MilestoneCompletion.objects.filter(user=learner, milestone=milestone).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Mark as not built yet" in page
    assert "Built: “Build a bookshelf API”. Well done." in page
    assert "You built it." in page


def test_another_learners_mark_does_not_show(client, learner, django_user_model):
    milestone = build_milestone(1, 1)
    other = django_user_model.objects.create_user("other", "other@example.com", "x")
    MilestoneCompletion.objects.create(user=other, milestone=milestone)
    client.force_login(learner)
    page = client.get(milestone.get_absolute_url()).content.decode()
    assert "I built it ✓" in page
    assert "Not built yet." in page


def test_a_milestone_of_a_draft_track_is_staff_only_and_unknown_is_404(client, curator):
    milestone = build_milestone(1, 1, published=False)
    assert client.get(milestone.get_absolute_url()).status_code == 404
    assert client.get("/milestones/999999/").status_code == 404
    client.force_login(curator)
    response = client.get(milestone.get_absolute_url())
    assert response.status_code == 200
    assert "only staff can see it" in response.content.decode()


def test_the_sitemap_lists_published_milestones(client):
    shown = build_milestone(1, 1)
    hidden = build_milestone(2, 1, published=False)
    xml = client.get("/sitemap.xml").content.decode()
    assert f"/milestones/{shown.pk}/</loc>" in xml
    assert f"/milestones/{hidden.pk}/</loc>" not in xml


# Cold (nothing cached): the milestone with its track and stage, its checklist, its topics; the rest is what
# every page costs (session, user, and for staff their permissions). "Learner projects": +1 for a visitor
# (how many), +2 for a learner without any to see (how many; whether they built it and their own project,
# read together); with projects, see tests/learning/test_projects.py.
QUERIES = {"visitor": 4, "learner": 7}


@pytest.mark.usefixtures("rendered_every_time")
@pytest.mark.parametrize("who", QUERIES)
def test_queries_do_not_grow_with_the_checklist(client, learner, cold_get, who):
    if who == "learner":
        client.force_login(learner)
    small = build_milestone(2, 1)
    client.get(small.get_absolute_url())  # warm up what lives for the whole process
    cold_get(client, small.get_absolute_url(), QUERIES[who])
    large = build_milestone(10, 8)
    MilestoneCompletion.objects.create(user=learner, milestone=large)
    cold_get(client, large.get_absolute_url(), QUERIES[who])


@pytest.mark.usefixtures("rendered_every_time")
def test_the_page_is_rendered_once_per_catalogue_version_and_a_learners_mark_is_their_own(client, learner):
    milestone = build_milestone(3, 2)
    url = milestone.get_absolute_url()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as visitor:
        again = client.get(url)
    assert len(visitor) == 0  # the catalogue's part comes from the memo
    builder, other = logged_in(learner), logged_in(UserFactory())
    MilestoneCompletion.objects.create(user=learner, milestone=milestone)
    assert "Mark as not built yet" in builder.get(url).content.decode()
    assert "I built it ✓" in other.get(url).content.decode()
    assert "Item 2 holds" in again.content.decode()
    # A curated change shows on the next request.
    ChecklistItem.objects.create(milestone=milestone, position=3, text="Item 3 holds")
    assert "Item 3 holds" in client.get(url).content.decode()
