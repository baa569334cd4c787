import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from learning.models import Resource, Step, Topic
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


def test_milestone_slug_and_position_unique_per_stage():
    milestone = MilestoneFactory(slug="crud-app", position=0)
    assert_refused(lambda: MilestoneFactory(stage=milestone.stage, slug="crud-app", position=1))
    assert_refused(lambda: MilestoneFactory(stage=milestone.stage, slug="other", position=0))


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
