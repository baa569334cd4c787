"""Writing a validated catalogue into the database: an idempotent upsert inside one transaction."""

from collections import Counter
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from learning.catalogue.content import replacements
from learning.catalogue.content.reader import Catalogue, TrackEntry, read_catalogue
from learning.catalogue.content.schema import ContentError, ContentInvalid
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
from learning.catalogue.positions import park


class LoadReport:
    """How many rows of each kind were created, updated or left as they were."""

    def __init__(self):
        self.counts: Counter[tuple[str, str]] = Counter()

    def note(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def lines(self) -> list[str]:
        kinds = dict.fromkeys(kind for kind, _ in self.counts)
        return [f"{kind}: {self._outcomes(kind)}" for kind in kinds]

    def _outcomes(self, kind: str) -> str:
        outcomes = dict.fromkeys(outcome for counted, outcome in self.counts if counted == kind)
        if set(outcomes) <= set(self.UPSERT):
            outcomes = dict.fromkeys(self.UPSERT)
        return ", ".join(f"{self.counts[(kind, outcome)]} {outcome}" for outcome in outcomes)

    UPSERT = ("created", "updated", "unchanged")


def load_directory(directory: Path) -> LoadReport:
    """Reads and validates every file first; then writes all of it, or nothing."""
    return load_catalogue(read_catalogue(directory))


@transaction.atomic
def load_catalogue(catalogue: Catalogue) -> LoadReport:
    report = LoadReport()
    topics = {}
    for values in catalogue.topics:
        topics[values["slug"]] = _upsert(Topic, {"slug": values["slug"]}, values, report, "topics")
    replaced_topics = _carry_topics(catalogue, topics, report)
    missing = {slug for slug in _referenced_topics(catalogue) if slug not in topics}
    topics.update({topic.slug: topic for topic in Topic.objects.filter(slug__in=missing)})
    for values in catalogue.resources:
        _take_over_urls(values, report)
        resource = _upsert(Resource, {"url": values["url"]}, values, report, "resources")
        _set_related(resource.topics, [topics[slug] for slug in values["topics"]])
    for values in catalogue.topics:
        topic = topics[values["slug"]]
        _order_resources(topic, values, report)
        _set_list(
            topic.ready_checks, ReadyCheck, "topic", topic, values["ready_when"], report, "ready checks"
        )
    for entry in catalogue.tracks:
        _load_track(entry, topics, report)
    # An old topic goes once no step or milestone holds it (a track the files don't describe may still).
    for old in replaced_topics:
        if not (old.steps.exists() or old.milestones.exists()):
            old.delete()
            report.note("replaced topics", "deleted")
    return report


def _carry_topics(catalogue: Catalogue, topics: dict, report: LoadReport) -> list[Topic]:
    """Learners' progress on each topic a `replaces` names moves to every topic naming it (a rename, a
    merge, a split); returns the old topics still stored, for deletion once the tracks no longer use them."""
    successors: dict[str, list[Topic]] = {}
    for values in catalogue.topics:
        for old_slug in values["replaces"]:
            successors.setdefault(old_slug, []).append(topics[values["slug"]])
    olds = list(Topic.objects.filter(slug__in=successors).order_by("slug"))
    for old in olds:
        replacements.topic_replaced.send(sender=Topic, old=old, new=successors[old.slug])
        report.note("replaced topics", "carried")
    return olds


def _take_over_urls(values: dict, report: LoadReport) -> None:
    """A resource's old URLs (`replaces`): the stored resource with an old URL is renamed in place, or,
    when the new URL is stored too, its bookmarks and ratings move to that one and it is deleted."""
    for old_url in values["replaces"]:
        old = Resource.objects.filter(url=old_url).first()
        if old is None:
            continue
        current = Resource.objects.filter(url=values["url"]).first()
        if current is None:
            old.url = values["url"]
            old.save()
            report.note("replaced resources", "renamed")
            continue
        replacements.resource_replaced.send(sender=Resource, old=old, new=current)
        old.delete()
        report.note("replaced resources", "merged")


def _load_track(entry: TrackEntry, topics: dict, report: LoadReport) -> None:
    track = _upsert(Track, {"slug": entry.values["slug"]}, entry.values, report, "tracks")
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

    _load_milestones(track, entry, stages, topics, report)
    # Stages go last: their steps and milestones that stay in the track have moved out of them by now.
    track.stages.exclude(slug__in=[stage.values["slug"] for stage in entry.stages]).delete()
    _load_changes(track, entry, report)


def _load_milestones(track: Track, entry: TrackEntry, stages: list, topics: dict, report: LoadReport) -> None:
    """The track's milestones, by slug (unique in the track): old slugs a milestone `replaces` are renamed
    to it or merged into it; a milestone learners marked built may only go when another replaces it."""
    wanted = {
        milestone["slug"]: (stage, position, milestone)
        for stage, stage_entry in zip(stages, entry.stages, strict=True)
        for position, milestone in enumerate(stage_entry.milestones)
    }
    for slug, (_, _, values) in wanted.items():
        for old_slug in values["replaces"]:
            old = track.milestones.filter(slug=old_slug).first()
            if old is None:
                continue
            current = track.milestones.filter(slug=slug).first()
            if current is None:
                Milestone.objects.filter(pk=old.pk).update(slug=slug)
                report.note("replaced milestones", "renamed")
                continue
            replacements.milestone_replaced.send(sender=Milestone, old=old, new=current)
            old.delete()
            report.note("replaced milestones", "merged")
    gone = track.milestones.exclude(slug__in=wanted)
    built = sorted(set(gone.filter(completions__isnull=False).order_by().values_list("slug", flat=True)))
    if built:
        raise ContentInvalid(
            [
                ContentError(
                    entry.file,
                    f"milestone {slug!r}",
                    "learners marked it built: it may only leave the track when another milestone of the "
                    "track names it in `replaces`",
                )
                for slug in built
            ]
        )
    gone.delete()
    park(
        track.milestones.exclude(
            _in_place(
                {"slug": slug, "stage": stage, "position": pos} for slug, (stage, pos, _) in wanted.items()
            )
        )
    )
    for slug, (stage, position, values) in wanted.items():
        values = {**values, "stage": stage, "position": position}
        milestone = _upsert(Milestone, {"track": track, "slug": slug}, values, report, "milestones")
        _set_related(milestone.topics, [topics[topic] for topic in values["topics"]])
        texts = values["checklist"]
        _set_list(milestone.checklist, ChecklistItem, "milestone", milestone, texts, report, "checklists")


def _load_changes(track: Track, entry: TrackEntry, report: LoadReport) -> None:
    stored = [(change.date.isoformat(), change.change) for change in track.changes.order_by("position")]
    wanted = [(change["date"], change["change"]) for change in entry.changes]
    if stored == wanted:
        return
    track.changes.all().delete()
    TrackChange.objects.bulk_create(
        TrackChange(track=track, date=date, change=text, position=position)
        for position, (date, text) in enumerate(wanted)
    )
    report.note("track changes", "updated")


def _set_list(
    manager, model, parent_field: str, parent, texts: list[str], report: LoadReport, kind: str
) -> None:
    """Replaces a parent's ordered text rows (checklist items, ready checks) when they differ from `texts`."""
    if [row.text for row in manager.order_by("position")] == texts:
        return
    manager.all().delete()
    model.objects.bulk_create(
        model(**{parent_field: parent, "position": position, "text": text})
        for position, text in enumerate(texts)
    )
    report.note(kind, "updated")


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
    model_fields = {f.name for f in model._meta.concrete_fields}
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
