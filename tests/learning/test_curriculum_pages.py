"""Curriculum 2.0 on the pages and in the admin: hours on the track and topic pages, a track's "What
changed", and the milestone's admin with its ordered acceptance checklist."""

import pytest
from django.urls import reverse

from learning.models import ChecklistItem, Milestone, TrackChange
from tests.factories import MilestoneFactory, StageFactory, StepFactory, TopicFactory, TrackFactory
from tests.learning.test_admin import inline

pytestmark = pytest.mark.django_db


@pytest.fixture
def track():
    track = TrackFactory(slug="api", title="APIs")
    basics = StageFactory(track=track, slug="basics", title="Basics", position=0)
    web = StageFactory(track=track, slug="web", title="The web", position=1)
    StepFactory(stage=basics, topic=TopicFactory(slug="http", title="HTTP", hours=6), position=0)
    StepFactory(stage=basics, topic=TopicFactory(slug="sql", title="SQL", hours=10), position=1)
    StepFactory(stage=basics, topic=TopicFactory(slug="git", hours=4), position=2, is_optional=True)
    StepFactory(stage=web, topic=TopicFactory(slug="rest", hours=None), position=0)  # not estimated yet
    MilestoneFactory(stage=basics, slug="cli", title="A CLI", hours=8, difficulty="beginner")
    return track


def test_each_stage_shows_its_hours_and_the_track_its_total(client, track):
    html = client.get(track.get_absolute_url()).content.decode()
    assert (
        '<p class="roadmap-stage__hours">About 24 hours + 4 h optional</p>' in html
    )  # 6 + 10 + the milestone 8
    assert "roadmap-stage__hours" not in html.split('id="stage-web"')[1]  # nothing estimated there
    assert "· about 24 hours" in html  # the track's head
    assert "· about 6 h</span>" in html  # a step's topic
    assert "Beginner · about 8 h" in html  # the milestone


def test_a_topic_page_shows_its_hours(client, track):
    html = client.get("/topics/sql/").content.decode()
    assert "About 10 hours to learn, with practice." in html
    assert "hours to learn" not in client.get("/topics/rest/").content.decode()


def test_what_changed_shows_on_the_track_page_newest_first(client, track):
    assert "What changed" not in client.get(track.get_absolute_url()).content.decode()
    TrackChange.objects.create(track=track, position=0, date="2026-12-02", change="A CLI milestone.")
    TrackChange.objects.create(track=track, position=1, date="2026-11-01", change="First version.")
    html = client.get(track.get_absolute_url()).content.decode()
    assert '<summary><h2 class="track-changes__heading">What changed</h2></summary>' in html
    newer, older = html.index("A CLI milestone."), html.index("First version.")
    assert newer < older
    assert '<time datetime="2026-12-02">2 Dec 2026</time>' in html


def milestone_form(milestone, checklist, **changes):
    fields = {
        "stage": milestone.stage_id, "title": milestone.title, "slug": milestone.slug,
        "difficulty": milestone.difficulty, "hours": milestone.hours or "", "description": milestone.description,
        "stretch": "\n".join(milestone.stretch), "position": milestone.position, **changes,
    }  # fmt: skip
    return {**fields, **inline("checklist", checklist, initial=milestone.checklist.count()), "_save": "Save"}


def test_a_curator_writes_a_milestones_specification_in_the_admin(curator_client, track):
    milestone = Milestone.objects.get(slug="cli")
    url = reverse("admin:learning_milestone_change", args=[milestone.pk])
    page = curator_client.get(url)
    assert page.status_code == 200
    assert 'id="checklist-group"' in page.content.decode()
    rows = [
        {"position": 0, "text": "`cli add` adds an item"},
        {"position": 1, "text": "`cli list` lists them"},
    ]
    data = milestone_form(milestone, rows, stretch="Sync over HTTP\r\n\r\nColour output\r\n", hours="9")
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    milestone.refresh_from_db()
    assert milestone.stretch == ["Sync over HTTP", "Colour output"]
    assert milestone.hours == 9
    assert list(milestone.checklist.values_list("text", flat=True)) == [
        "`cli add` adds an item",
        "`cli list` lists them",
    ]
    # Swapped in one save: the positions are unique per milestone, and the rows move through parking.
    items = list(milestone.checklist.order_by("position"))
    swapped = [{"id": items[0].pk, "position": 1, "text": items[0].text},
               {"id": items[1].pk, "position": 0, "text": items[1].text}]  # fmt: skip
    response = curator_client.post(url, milestone_form(milestone, swapped))
    assert response.status_code == 302
    assert list(milestone.checklist.values_list("text", flat=True)) == [
        "`cli list` lists them",
        "`cli add` adds an item",
    ]


@pytest.mark.parametrize(
    ("changes", "rows", "error"),
    [
        ({}, [{"position": 0, "text": "x" * 301}], "Ensure this value has at most 300 characters"),
        (
            {},
            [{"position": 0, "text": "a"}, {"position": 0, "text": "b"}],
            "Another row already has position 0.",
        ),
        ({"hours": "0"}, [], "Ensure this value is greater than or equal to 1."),
        ({"difficulty": "expert"}, [], "Select a valid choice."),
        ({"slug": "other"}, [], "“other” is already a milestone of this track."),
    ],
    ids=[
        "item too long",
        "two items at one position",
        "zero hours",
        "unknown difficulty",
        "slug taken in the track",
    ],
)
def test_a_bad_milestone_form_is_refused_and_nothing_is_stored(curator_client, track, changes, rows, error):
    milestone = Milestone.objects.get(slug="cli")
    MilestoneFactory(stage=StageFactory(track=track, slug="later", position=5), slug="other")
    url = reverse("admin:learning_milestone_change", args=[milestone.pk])
    response = curator_client.post(url, milestone_form(milestone, rows, **changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ChecklistItem.objects.exists()
    milestone.refresh_from_db()
    assert (milestone.hours, milestone.difficulty, milestone.slug) == (8, "beginner", "cli")


def test_the_track_admin_edits_what_changed_inline(curator_client, track):
    url = reverse("admin:learning_track_change", args=[track.pk])
    assert 'id="changes-group"' in curator_client.get(url).content.decode()
    data = {
        "title": track.title, "slug": track.slug, "summary": track.summary, "position": track.position,
        "is_published": "on", "tags": "",
        **inline("stages", [{"id": s.pk, "track": track.pk, "position": s.position, "title": s.title,
                             "slug": s.slug} for s in track.stages.order_by("position")],
                 initial=track.stages.count()),
        **inline("changes", [{"position": 0, "date": "2026-12-02", "change": "Hours on every stage."}]),
        "_save": "Save",
    }  # fmt: skip
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert list(track.changes.values_list("change", flat=True)) == ["Hours on every stage."]
