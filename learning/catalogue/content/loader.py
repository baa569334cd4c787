"""Writing a validated catalogue into the database: an idempotent upsert inside one transaction."""

from collections import Counter
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from learning.catalogue.content.reader import Catalogue, StageEntry, TrackEntry, read_catalogue
from learning.catalogue.models import Milestone, Resource, Stage, Step, Topic, TopicResource, Track
from learning.catalogue.positions import park


class LoadReport:
    """How many rows of each kind were created, updated or left as they were."""

    def __init__(self):
        self.counts: Counter[tuple[str, str]] = Counter()

    def note(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def lines(self) -> list[str]:
        kinds = dict.fromkeys(kind for kind, _ in self.counts)
        return [
            f"{kind}: {self.counts[(kind, 'created')]} created, {self.counts[(kind, 'updated')]} updated, "
            f"{self.counts[(kind, 'unchanged')]} unchanged"
            for kind in kinds
        ]


def load_directory(directory: Path) -> LoadReport:
    """Reads and validates every file first; then writes all of it, or nothing."""
    return load_catalogue(read_catalogue(directory))


@transaction.atomic
def load_catalogue(catalogue: Catalogue) -> LoadReport:
    report = LoadReport()
    topics = {}
    for values in catalogue.topics:
        topics[values["slug"]] = _upsert(Topic, {"slug": values["slug"]}, values, report, "topics")
    missing = {slug for slug in _referenced_topics(catalogue) if slug not in topics}
    topics.update({topic.slug: topic for topic in Topic.objects.filter(slug__in=missing)})
    for values in catalogue.resources:
        resource = _upsert(Resource, {"url": values["url"]}, values, report, "resources")
        _set_related(resource.topics, [topics[slug] for slug in values["topics"]])
    for values in catalogue.topics:
        _order_resources(topics[values["slug"]], values, report)
    for entry in catalogue.tracks:
        _load_track(entry, topics, report)
    return report


def _load_track(entry: TrackEntry, topics: dict, report: LoadReport) -> None:
    track = _upsert(Track, {"slug": entry.values["slug"]}, entry.values, report, "tracks")
    track.stages.exclude(slug__in=[stage.values["slug"] for stage in entry.stages]).delete()
    wanted = {stage.values["slug"]: position for position, stage in enumerate(entry.stages)}
    park(track.stages.exclude(_in_place({"slug": slug, "position": pos} for slug, pos in wanted.items())))
    stages = []
    for stage_entry in entry.stages:
        values = {**stage_entry.values, "position": wanted[stage_entry.values["slug"]]}
        stages.append(_upsert(Stage, {"track": track, "slug": values["slug"]}, values, report, "stages"))

    placements = {
        topics[step["topic"]].pk: (stage, position, step["is_optional"])
        for stage, stage_entry in zip(stages, entry.stages, strict=True)
        for position, step in enumerate(stage_entry.steps)
    }
    track.steps.exclude(topic_id__in=placements).delete()
    park(
        track.steps.exclude(
            _in_place(
                {"topic_id": pk, "stage": stage, "position": pos}
                for pk, (stage, pos, _) in placements.items()
            )
        )
    )
    for topic_id, (stage, position, optional) in placements.items():
        values = {"stage": stage, "position": position, "is_optional": optional}
        _upsert(Step, {"track": track, "topic_id": topic_id}, values, report, "steps")

    for stage, stage_entry in zip(stages, entry.stages, strict=True):
        _load_milestones(stage, stage_entry, topics, report)


def _load_milestones(stage: Stage, entry: StageEntry, topics: dict, report: LoadReport) -> None:
    stage.milestones.exclude(slug__in=[m["slug"] for m in entry.milestones]).delete()
    wanted = {milestone["slug"]: position for position, milestone in enumerate(entry.milestones)}
    park(stage.milestones.exclude(_in_place({"slug": slug, "position": pos} for slug, pos in wanted.items())))
    for values in entry.milestones:
        values = {**values, "position": wanted[values["slug"]]}
        milestone = _upsert(Milestone, {"stage": stage, "slug": values["slug"]}, values, report, "milestones")
        _set_related(milestone.topics, [topics[slug] for slug in values["topics"]])


def _order_resources(topic: Topic, values: dict, report: LoadReport) -> None:
    """The topic's resources in the file's order (`resources`), then any it doesn't list in the order they
    had (a resource just added goes last), and its Start here: exactly the one the file names, if any."""
    links = list(TopicResource.objects.filter(topic=topic).select_related("resource").order_by("position"))
    listed = {url: index for index, url in enumerate(values["resource_order"])}
    wanted = sorted(
        links, key=lambda link: listed.get(link.resource.url, len(listed))
    )  # stable: the rest keep
    moving = [link for position, link in enumerate(wanted) if link.position != position]
    start_here = values["start_here"]
    flags = [link for link in links if link.is_start_here != (link.resource.url == start_here)]
    if not (moving or flags):
        report.note("topic orders", "unchanged")
        return
    park(TopicResource.objects.filter(pk__in=[link.pk for link in moving]))
    for position, link in enumerate(wanted):
        if link in moving:
            TopicResource.objects.filter(pk=link.pk).update(position=position)
    # The one giving Start here up first, so one-per-topic holds at every statement.
    for link in sorted(flags, key=lambda link: not link.is_start_here):
        TopicResource.objects.filter(pk=link.pk).update(is_start_here=not link.is_start_here)
    report.note("topic orders", "updated")


def _in_place(placements) -> Q:
    """Rows already where they are wanted: each placement is a lookup; none at all matches nothing."""
    condition = Q(pk__in=[])
    for lookup in placements:
        condition |= Q(**lookup)
    return condition


def _upsert(model, lookup: dict, values: dict, report: LoadReport, kind: str):
    """Creates or updates one row from the entry's values; saves only when something changed."""
    instance = model.objects.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    model_fields = {f.name for f in model._meta.get_fields()} - {"tags", "topics"}
    fields = {name: value for name, value in values.items() if name in model_fields}
    changed = created or any(_differs(instance, name, value) for name, value in fields.items())
    for name, value in fields.items():
        setattr(instance, name, value)
    if changed:
        instance.save()
    if "tags" in values and sorted(instance.tags.names()) != sorted(values["tags"]):
        instance.tags.set(values["tags"])
        changed = True
    report.note(kind, "created" if created else "updated" if changed else "unchanged")
    return instance


def _differs(instance, name: str, value) -> bool:
    field = instance._meta.get_field(name)
    if field.is_relation:
        return getattr(instance, field.attname) != value.pk
    return getattr(instance, name) != value


def _set_related(manager, objects: list) -> None:
    if {obj.pk for obj in manager.all()} != {obj.pk for obj in objects}:
        manager.set(objects)


def _referenced_topics(catalogue: Catalogue) -> set[str]:
    slugs = {slug for resource in catalogue.resources for slug in resource["topics"]}
    for track in catalogue.tracks:
        for stage in track.stages:
            slugs |= {step["topic"] for step in stage.steps}
            slugs |= {slug for milestone in stage.milestones for slug in milestone["topics"]}
    return slugs
