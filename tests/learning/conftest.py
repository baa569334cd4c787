import pytest

from learning.models import ReadyCheck
from tests.factories import (
    MilestoneFactory,
    ResourceFactory,
    StageFactory,
    StepFactory,
    TopicFactory,
    TrackFactory,
)


def build_track(n_topics: int, *, slug="backend", resources_per_topic=2):
    """A published track with two stages, n topics spread over them (each with 2 to 4 "You're ready when"
    checks), resources and a milestone each."""
    track = TrackFactory(slug=slug, title="Backend developer", tags=["general"])
    stages = [StageFactory(track=track, slug="basics", title="Basics", duration="months 1–3", position=0),
              StageFactory(track=track, slug="advanced", title="Advanced", position=1)]  # fmt: skip
    for index in range(n_topics):
        topic = TopicFactory(tags=["fundamentals"])
        StepFactory(stage=stages[index % 2], topic=topic, position=index, is_optional=index % 3 == 0)
        for position in range(2 + index % 3):
            ReadyCheck.objects.create(topic=topic, position=position, text=f"You can do thing {position}")
        for _ in range(resources_per_topic):
            ResourceFactory(topics=[topic], tags=["docs"])
    for stage in stages:
        MilestoneFactory(stage=stage).topics.set(stage.steps.values_list("topic", flat=True)[:2])
    return track


@pytest.fixture
def track(db):
    return build_track(4)
