"""Writing the catalogue back into content files, in the canonical form the loader reads."""

from pathlib import Path

from django.db.models import Prefetch

from learning.catalogue.content import yaml_io
from learning.catalogue.content.reader import RESOURCES_FILE, TOPICS_FILE, TRACKS_DIR
from learning.catalogue.content.schema import (
    CHANGE_KEYS,
    MILESTONE_KEYS,
    RESOURCE_KEYS,
    STAGE_KEYS,
    STEP_KEYS,
    TOPIC_KEYS,
    TRACK_KEYS,
)
from learning.catalogue.models import (
    ChecklistItem,
    Milestone,
    ReadyCheck,
    Resource,
    Stage,
    Step,
    Topic,
    TopicResource,
    Track,
    TrackChange,
)


def export_directory(directory: Path) -> dict[str, int]:
    """Writes topics, resources and one file per track; removes track files of tracks that are gone."""
    directory = Path(directory)
    # taggit's TaggableManager prefetches, but the django-stubs plugin only knows Django's own relations.
    links = TopicResource.objects.select_related("resource").order_by("position")
    topics = Topic.objects.order_by("slug").prefetch_related(  # type: ignore[misc]  # taggit, as below
        "tags",
        Prefetch("resource_links", queryset=links),
        Prefetch("ready_checks", queryset=ReadyCheck.objects.order_by("position")),
    )
    yaml_io.write(directory / TOPICS_FILE, [_entry(topic, TOPIC_KEYS) for topic in topics])
    resources = Resource.objects.order_by("url").prefetch_related(  # type: ignore[misc]  # taggit, as above
        "tags", Prefetch("topics", queryset=Topic.objects.order_by("slug"))
    )
    yaml_io.write(directory / RESOURCES_FILE, [_entry(resource, RESOURCE_KEYS) for resource in resources])
    tracks_dir = directory / TRACKS_DIR
    written = set()
    for track in _tracks().order_by("slug"):
        path = tracks_dir / track_file_name(track)
        yaml_io.write(path, _track_entry(track))
        written.add(path)
    for stale in set(tracks_dir.glob("*.yaml")) - written:
        stale.unlink()
    return {"topics": len(topics), "resources": len(resources), "tracks": len(written)}


def track_file_name(track: Track) -> str:
    """The track's file name inside `tracks/`."""
    return f"{track.slug}.yaml"


def export_track(pk: int) -> tuple[str, str]:
    """One track's file name and text, exactly as `export_directory` writes it. Raises Track.DoesNotExist."""
    track = _tracks().get(pk=pk)
    return track_file_name(track), yaml_io.dump(_track_entry(track))


def _tracks():
    """Tracks with everything their file holds, in file order, prefetched in a fixed number of queries."""
    return Track.objects.prefetch_related(  # type: ignore[misc]  # taggit's "tags", unknown to the plugin
        "tags",
        Prefetch("changes", queryset=TrackChange.objects.order_by("position")),
        Prefetch("stages", queryset=Stage.objects.order_by("position")),
        Prefetch("stages__steps", queryset=Step.objects.select_related("topic").order_by("position")),
        Prefetch("stages__milestones", queryset=Milestone.objects.order_by("position")),
        Prefetch("stages__milestones__topics", queryset=Topic.objects.order_by("slug")),
        Prefetch("stages__milestones__checklist", queryset=ChecklistItem.objects.order_by("position")),
    )


def _track_entry(track: Track) -> dict:
    stages = [
        _entry(
            stage,
            STAGE_KEYS,
            steps=[_entry(step, STEP_KEYS, topic=step.topic.slug) for step in stage.steps.all()],
            milestones=[_entry(milestone, MILESTONE_KEYS) for milestone in stage.milestones.all()],
        )
        for stage in track.stages.all()
    ]
    changes = [_entry(change, CHANGE_KEYS, date=change.date.isoformat()) for change in track.changes.all()]
    return _entry(track, TRACK_KEYS, stages=stages, changes=changes)


def _entry(instance, keys, **given) -> dict:
    """The instance's values under their file keys, in file order, leaving out optional defaults."""
    entry = {}
    for key in keys:
        value = given[key.attr] if key.attr in given else _value(instance, key.attr)
        if not key.is_default(value):
            entry[key.name] = value
    return entry


def _value(instance, attr: str):
    if attr == "tags":
        return sorted(tag.name for tag in instance.tags.all())
    if attr == "topics":
        return [topic.slug for topic in instance.topics.all()]
    if attr == "checklist":
        return [item.text for item in instance.checklist.all()]
    if attr == "ready_when":
        return [check.text for check in instance.ready_checks.all()]
    if attr == "resource_order":
        return [link.resource.url for link in instance.resource_links.all()]
    if attr == "start_here":
        return next((link.resource.url for link in instance.resource_links.all() if link.is_start_here), "")
    return getattr(instance, attr)
