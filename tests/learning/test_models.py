import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from learning.models import ChecklistItem, Milestone, Resource, Step, Topic, TrackChange
from tests.factories import (
    MilestoneFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
)

pytestmark = pytest.mark.django_db


def assert_refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_track_slug_is_unique():
    TrackFactory(slug="python-django")
    assert_refused(lambda: TrackFactory(slug="python-django"))


def test_topic_slug_is_unique():
    TopicFactory(slug="git-github")
    assert_refused(lambda: TopicFactory(slug="git-github"))


def test_stage_slug_and_position_are_unique_per_track():
    stage = StageFactory(slug="basics", position=0)
    assert_refused(lambda: StageFactory(track=stage.track, slug="basics", position=1))
    assert_refused(lambda: StageFactory(track=stage.track, slug="other", position=0))
    StageFactory(slug="basics", position=0)  # another track may reuse both


def test_topic_appears_once_per_track_even_across_stages():
    step = StepFactory()
    other_stage = StageFactory(track=step.stage.track)
    assert_refused(lambda: StepFactory(stage=other_stage, topic=step.topic))
    StepFactory(topic=step.topic)  # another track may use the same topic: topics are shared


def test_step_position_is_unique_per_stage():
    step = StepFactory(position=3)
    assert_refused(lambda: StepFactory(stage=step.stage, position=3))


def test_step_takes_its_track_from_its_stage_and_follows_a_moved_stage():
    step = StepFactory()
    assert step.track_id == step.stage.track_id
    new_track = TrackFactory()
    stage = step.stage
    stage.track = new_track
    stage.save()
    step.refresh_from_db()
    assert step.track_id == new_track.pk


def test_step_clean_names_the_duplicate_topic():
    step = StepFactory()
    duplicate = Step(stage=StageFactory(track=step.stage.track), topic=step.topic, position=0)
    with pytest.raises(ValidationError, match="already a step of this track"):
        duplicate.full_clean()


def test_milestone_slug_unique_per_track_and_position_per_stage():
    milestone = MilestoneFactory(slug="crud-app", position=0)
    assert milestone.track_id == milestone.stage.track_id
    assert_refused(lambda: MilestoneFactory(stage=milestone.stage, slug="crud-app", position=1))
    assert_refused(lambda: MilestoneFactory(stage=milestone.stage, slug="other", position=0))
    later = StageFactory(track=milestone.stage.track)
    assert_refused(lambda: MilestoneFactory(stage=later, slug="crud-app", position=0))
    with pytest.raises(ValidationError, match="already a milestone of this track"):
        Milestone(stage=later, slug="crud-app", title="Again", position=0).full_clean()
    MilestoneFactory(slug="crud-app")  # another track's: fine


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Topic, "hours", 0),
        (Milestone, "hours", 0),
        (Milestone, "difficulty", "expert"),
        (Resource, "kind", "walkthrough"),
    ],
)
def test_curriculum_check_constraints_refuse_what_bypasses_save(model, field, value):
    row = {Topic: TopicFactory, Milestone: MilestoneFactory, Resource: ResourceFactory}[model]()
    assert_refused(lambda: model.objects.filter(pk=row.pk).update(**{field: value}))


def test_hours_are_whole_hours_from_one():
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Topic(slug="x", title="X", summary="x", hours=0).full_clean()
    Topic(slug="x", title="X", summary="x", hours=12).full_clean()
    assert ResourceFactory(kind="tutorial").is_hands_on


def test_checklist_items_and_track_changes_have_one_row_per_position():
    milestone = MilestoneFactory()
    ChecklistItem.objects.create(milestone=milestone, position=0, text="GET /books answers 200")
    assert_refused(lambda: ChecklistItem.objects.create(milestone=milestone, position=0, text="again"))
    track = milestone.stage.track
    TrackChange.objects.create(track=track, position=0, date="2026-12-02", change="First.")
    assert_refused(lambda: TrackChange.objects.create(track=track, position=0, date="2026-12-02", change="x"))
    with pytest.raises(ValidationError, match="list of texts"):
        Milestone(stage=milestone.stage, slug="s", title="S", stretch="not a list").full_clean()


def test_resource_url_is_stored_normalised_and_unique():
    resource = ResourceFactory(url="https://Example.com/guide?utm_source=newsletter")
    assert resource.url == "https://example.com/guide"
    assert_refused(lambda: ResourceFactory(url="https://example.com/guide?utm_campaign=x"))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "not a url"])
def test_resource_refuses_non_http_urls(url):
    with pytest.raises(ValidationError):
        Resource(url=url, title="x", kind="docs").full_clean()
    with pytest.raises(ValueError, match="http"):
        ResourceFactory(url=url)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "blog"),
        ("cost", "cheap"),
        ("level", "expert"),
        ("url", "ftp://example.com/"),
        ("estimated_minutes", 0),
    ],
)
def test_resource_check_constraints_refuse_what_bypasses_save(field, value):
    resource = ResourceFactory()
    assert_refused(lambda: Resource.objects.filter(pk=resource.pk).update(**{field: value}))


def test_curated_text_is_stored_with_unix_newlines():
    topic = TopicFactory(summary="One line.", body="### What\r\n\r\n- a\r\n- b\r")
    topic.refresh_from_db()
    assert topic.body == "### What\n\n- a\n- b\n"


def test_absolute_urls():
    assert TrackFactory(slug="go-gin-echo").get_absolute_url() == "/tracks/go-gin-echo/"
    assert TopicFactory(slug="dns").get_absolute_url() == "/topics/dns/"
    resource = ResourceFactory()
    assert resource.get_absolute_url() == f"/resources/{resource.pk}/"


def test_visible_to_hides_unpublished_from_everyone_but_staff(learner, curator):
    TopicFactory(slug="draft", is_published=False)
    TopicFactory(slug="live")
    assert list(Topic.objects.visible_to(None).values_list("slug", flat=True)) == ["live"]
    assert list(Topic.objects.visible_to(learner).values_list("slug", flat=True)) == ["live"]
    assert set(Topic.objects.visible_to(curator).values_list("slug", flat=True)) == {"draft", "live"}
