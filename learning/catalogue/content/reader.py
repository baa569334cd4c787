"""Reading a content folder into plain entries, checking everything before the database is touched."""

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import yaml

from learning.catalogue.content import yaml_io
from learning.catalogue.content.schema import (
    CHANGE_KEYS,
    MILESTONE_KEYS,
    RESOURCE_KEYS,
    STAGE_KEYS,
    STEP_KEYS,
    TOPIC_KEYS,
    TRACK_KEYS,
    Problems,
    check_model_fields,
    read_entry,
)
from learning.catalogue.links import UnsupportedURL, normalize_url
from learning.catalogue.models import (
    ChecklistItem,
    Milestone,
    ReadyCheck,
    Resource,
    Stage,
    Topic,
    TopicResource,
    Track,
    TrackChange,
)

TOPICS_FILE = "topics.yaml"
RESOURCES_FILE = "resources.yaml"
TRACKS_DIR = "tracks"


@dataclass
class StageEntry:
    values: dict
    steps: list[dict] = field(default_factory=list)
    milestones: list[dict] = field(default_factory=list)


@dataclass
class TrackEntry:
    values: dict
    stages: list[StageEntry] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    file: str = ""


@dataclass
class Catalogue:
    topics: list[dict] = field(default_factory=list)
    resources: list[dict] = field(default_factory=list)
    tracks: list[TrackEntry] = field(default_factory=list)


def read_catalogue(directory: Path) -> Catalogue:
    """Parses and validates every content file in `directory`; raises ContentInvalid listing all problems."""
    directory = Path(directory)
    problems = Problems()
    topics_path = directory / TOPICS_FILE
    resources_path = directory / RESOURCES_FILE
    track_paths = sorted((directory / TRACKS_DIR).glob("*.yaml"))
    if not (topics_path.exists() or resources_path.exists() or track_paths):
        problems.add(
            str(directory), "folder", f"no {TOPICS_FILE}, {RESOURCES_FILE} or {TRACKS_DIR}/*.yaml here"
        )
        problems.raise_if_any()

    catalogue = Catalogue()
    if topics_path.exists():
        catalogue.topics = _read_topics(topics_path, directory, problems)
    topic_slugs = {topic["slug"] for topic in catalogue.topics}
    topic_slugs |= set(Topic.objects.exclude(slug__in=topic_slugs).values_list("slug", flat=True))
    if resources_path.exists():
        catalogue.resources = _read_resources(resources_path, directory, topic_slugs, problems)
    _check_resource_orders(catalogue, _name(topics_path, directory), problems)
    for path in track_paths:
        track = _read_track(path, directory, topic_slugs, problems)
        if track is not None:
            catalogue.tracks.append(track)
    problems.raise_if_any()
    return catalogue


def _load_list(path: Path, directory: Path, problems: Problems) -> list:
    name = _name(path, directory)
    data = _load(path, name, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(name, "file", "must be a list of entries")
        return []
    return data


def _load(path: Path, name: str, problems: Problems):
    try:
        return yaml_io.read(path)
    except yaml.YAMLError as error:
        problems.add(name, "file", f"is not valid YAML: {error}")
    except UnicodeDecodeError:
        problems.add(name, "file", "is not UTF-8 text")
    return None


def _name(path: Path, directory: Path) -> str:
    return str(path.relative_to(directory)) if path.is_relative_to(directory) else str(path)


def _read_topics(path: Path, directory: Path, problems: Problems) -> list[dict]:
    entries = _read_entries(
        path, directory, problems, kind="topic", model=Topic, keys=TOPIC_KEYS, identity="slug"
    )
    name = _name(path, directory)
    listed = {values["slug"] for _, values in entries}
    for label, values in entries:
        for old in values["replaces"]:
            if not _is_slug(old):
                problems.add(name, label, f"replaces: {old!r} is not a topic slug")
            elif old in listed:
                problems.add(
                    name,
                    label,
                    f"replaces: {old!r} is still a topic in this file; remove its entry (its learners' "
                    "progress moves to the topics that replace it)",
                )
        _check_no_repeats(values["replaces"], problems, name, label)
        _check_texts(values, {"ready_when": ReadyCheck}, problems, name, label)
    return [values for _, values in entries]


def _read_resources(path: Path, directory: Path, topic_slugs: set, problems: Problems) -> list[dict]:
    def normalise(values):
        values["url"] = normalize_url(values["url"])

    entries = _read_entries(
        path,
        directory,
        problems,
        kind="resource",
        model=Resource,
        keys=RESOURCE_KEYS,
        identity="url",
        prepare=normalise,
    )
    name = _name(path, directory)
    listed = {values["url"] for _, values in entries}
    claimed: dict[str, str] = {}
    for label, values in entries:
        _check_topic_slugs(values["topics"], topic_slugs, problems, name, label)
        replaces = []
        for old in _normalised(values["replaces"], "replaces", problems, name, label):
            if old in listed:
                problems.add(name, label, f"replaces: {old!r} is still a resource in this file; remove it")
            elif old in claimed:
                problems.add(name, label, f"replaces: {old!r} is already replaced by {claimed[old]!r}")
            claimed[old] = values["url"]
            replaces.append(old)
        values["replaces"] = replaces
        _check_no_repeats(replaces, problems, name, label)
    return [values for _, values in entries]


def _normalised(urls, key: str, problems: Problems, name: str, label: str):
    """The URLs normalised as resources' own are; one that can't be is a problem under `key`, and skipped."""
    for url in urls:
        try:
            yield normalize_url(url)
        except UnsupportedURL as error:
            problems.add(name, label, f"{key}: {url!r}: {error}")


def _check_resource_orders(catalogue: Catalogue, name: str, problems: Problems) -> None:
    """A topic's `resources` (its curated order) and `start_here` name, by URL, resources that teach it
    (in resources.yaml, or in the database when that file doesn't list them), each once; `start_here` is
    one of `resources`. URLs are normalised as resources' own are."""
    teaching: dict[str, set[str]] = {}
    for resource in catalogue.resources:
        for slug in resource["topics"]:
            teaching.setdefault(slug, set()).add(resource["url"])
    in_files = {resource["url"] for resource in catalogue.resources}
    stored = TopicResource.objects.exclude(resource__url__in=in_files).values_list(
        "topic__slug", "resource__url"
    )
    for slug, url in stored:
        teaching.setdefault(slug, set()).add(url)
    for index, topic in enumerate(catalogue.topics, start=1):
        label = _label("topic", index, topic, "slug")
        order, seen = [], set()
        for url in _normalised(topic["resource_order"], "resources", problems, name, label):
            if url in seen:
                problems.add(name, label, f"resources: {url!r} is listed twice")
            elif url not in teaching.get(topic["slug"], set()):
                problems.add(
                    name,
                    label,
                    f"resources: {url!r} is no resource of this topic (its entry in resources.yaml must name "
                    f"{topic['slug']!r} under topics)",
                )
            seen.add(url)
            order.append(url)
        topic["resource_order"] = order
        if topic["start_here"]:
            try:
                start = normalize_url(topic["start_here"])
            except UnsupportedURL as error:
                problems.add(name, label, f"start_here: {error}")
                continue
            if start not in seen:
                problems.add(name, label, f"start_here: {start!r} must be one of the topic's resources")
            topic["start_here"] = start


def _read_entries(
    path, directory, problems, *, kind, model, keys, identity, prepare=None
) -> list[tuple[str, dict]]:
    """The valid entries of a list file with their labels; a repeated identity (slug, URL) is refused."""
    name = _name(path, directory)
    entries, seen = [], set()
    for index, raw in enumerate(_load_list(path, directory, problems), start=1):
        label = _label(kind, index, raw, identity)
        values = read_entry(raw, keys, problems, name, label)
        if values is None or not check_model_fields(model, values, keys, problems, name, label):
            continue
        if prepare is not None:
            prepare(values)
        if values[identity] in seen:
            problems.add(name, label, f"duplicate {identity} {values[identity]!r}")
            continue
        seen.add(values[identity])
        entries.append((label, values))
    return entries


def _read_track(path: Path, directory: Path, topic_slugs: set, problems: Problems) -> TrackEntry | None:
    name = _name(path, directory)
    raw = _load(path, name, problems)
    if raw is None:
        return None
    label = _label("track", None, raw, "slug")
    values = read_entry(raw, TRACK_KEYS, problems, name, label)
    if values is None or not check_model_fields(Track, values, TRACK_KEYS, problems, name, label):
        return None
    if values["slug"] != path.stem:
        problems.add(name, label, f"slug {values['slug']!r} must match the file name {path.stem!r}")
    track = TrackEntry(values={k: v for k, v in values.items() if k not in ("stages", "changes")}, file=name)
    track.changes = _read_changes(values["changes"], problems, name, label)
    stage_slugs, track_topics, milestone_slugs = set(), set(), set()
    for index, raw_stage in enumerate(values["stages"], start=1):
        stage_label = _label("stage", index, raw_stage, "slug")
        stage = _read_stage(raw_stage, problems, name, stage_label)
        if stage is None:
            continue
        if stage.values["slug"] in stage_slugs:
            problems.add(name, stage_label, f"duplicate stage slug {stage.values['slug']!r}")
        stage_slugs.add(stage.values["slug"])
        for step_index, step in enumerate(stage.steps, start=1):
            step_label = f"{stage_label}, step {step_index}"
            _check_topic_slugs([step["topic"]], topic_slugs, problems, name, step_label)
            if step["topic"] in track_topics:
                problems.add(name, step_label, f"topic {step['topic']!r} appears twice in this track")
            track_topics.add(step["topic"])
        for milestone in stage.milestones:
            milestone_label = f"{stage_label}, milestone {milestone['slug']!r}"
            _check_topic_slugs(milestone["topics"], topic_slugs, problems, name, milestone_label)
            if milestone["slug"] in milestone_slugs:
                message = f"duplicate milestone slug {milestone['slug']!r} in this track"
                problems.add(name, milestone_label, message)
            milestone_slugs.add(milestone["slug"])
        track.stages.append(stage)
    _check_milestone_replaces(track, milestone_slugs, problems, name)
    return track


def _read_changes(raw_changes: list, problems: Problems, name: str, label: str) -> list[dict]:
    """The track's "What changed" entries: a date (YYYY-MM-DD) and one sentence each, newest first."""
    changes: list[dict] = []
    for index, raw in enumerate(raw_changes, start=1):
        change_label = f"{label}, change #{index}"
        if isinstance(raw, dict) and isinstance(raw.get("date"), datetime.date):
            raw = {**raw, "date": raw["date"].isoformat()}  # written unquoted, YAML reads a date
        values = read_entry(raw, CHANGE_KEYS, problems, name, change_label)
        if values is None:
            continue
        try:
            datetime.date.fromisoformat(values["date"])
        except ValueError:
            problems.add(name, change_label, f"date: {values['date']!r} is not a date written YYYY-MM-DD")
            continue
        if not check_model_fields(TrackChange, values, CHANGE_KEYS, problems, name, change_label):
            continue
        if changes and values["date"] > changes[-1]["date"]:
            problems.add(name, change_label, "changes: list the newest first")
        changes.append(values)
    return changes


def _check_milestone_replaces(track: TrackEntry, present: set, problems: Problems, name: str) -> None:
    """A milestone replaces old slugs of the same track that the file no longer names, each at most once."""
    claimed: dict[str, str] = {}
    for stage in track.stages:
        for milestone in stage.milestones:
            label = f"milestone {milestone['slug']!r}"
            for old in milestone["replaces"]:
                if not _is_slug(old):
                    problems.add(name, label, f"replaces: {old!r} is not a milestone slug")
                elif old in present:
                    problems.add(name, label, f"replaces: {old!r} is still a milestone of this track")
                elif old in claimed:
                    problems.add(name, label, f"replaces: {old!r} is already replaced by {claimed[old]!r}")
                claimed[old] = milestone["slug"]


def _check_no_repeats(items: list, problems: Problems, name: str, label: str) -> None:
    repeated = sorted({item for item in items if items.count(item) > 1})
    if repeated:
        problems.add(name, label, f"replaces: {', '.join(map(repr, repeated))} listed twice")


def _is_slug(text: str) -> bool:
    return bool(text) and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)


def _read_stage(raw, problems: Problems, name: str, label: str) -> StageEntry | None:
    values = read_entry(raw, STAGE_KEYS, problems, name, label)
    if values is None or not check_model_fields(Stage, values, STAGE_KEYS, problems, name, label):
        return None
    stage = StageEntry(values={k: v for k, v in values.items() if k not in ("steps", "milestones")})
    for index, raw_step in enumerate(values["steps"], start=1):
        step = read_entry(raw_step, STEP_KEYS, problems, name, f"{label}, step {index}")
        if step is not None:
            stage.steps.append(step)
    for index, raw_milestone in enumerate(values["milestones"], start=1):
        milestone_label = f"{label}, {_label('milestone', index, raw_milestone, 'slug')}"
        milestone = read_entry(raw_milestone, MILESTONE_KEYS, problems, name, milestone_label)
        if milestone is None or not check_model_fields(
            Milestone, milestone, MILESTONE_KEYS, problems, name, milestone_label
        ):
            continue
        if not _check_texts(milestone, MILESTONE_TEXTS, problems, name, milestone_label):
            continue
        stage.milestones.append(milestone)
    return stage


# A milestone's lists of one-line texts, and the model whose `text` holds each item (stretch goals are kept
# in a JSON field, at the same length).
MILESTONE_TEXTS = {"checklist": ChecklistItem, "stretch": ChecklistItem}


def _check_texts(entry: dict, lists: dict, problems: Problems, name: str, label: str) -> bool:
    """The entry's lists of texts (checklist items, stretch goals, ready checks) hold non-empty texts that
    fit the `text` of their model (`lists`: key → model)."""
    before = len(problems.errors)
    for key, model in lists.items():
        limit = cast(int, model._meta.get_field("text").max_length)
        for index, text in enumerate(entry[key], start=1):
            if not text.strip():
                problems.add(name, label, f"{key} #{index}: is empty")
            elif len(text) > limit:
                problems.add(name, label, f"{key} #{index}: at most {limit} characters (it has {len(text)})")
    return len(problems.errors) == before


def _check_topic_slugs(slugs, known: set, problems: Problems, name: str, label: str) -> None:
    for slug in slugs:
        if slug not in known:
            problems.add(name, label, f"unknown topic {slug!r}")


def _label(kind: str, index: int | None, raw, key: str) -> str:
    identity = raw.get(key) if isinstance(raw, dict) else None
    position = f" #{index}" if index is not None else ""
    return f"{kind}{position} {identity!r}" if identity else f"{kind}{position}"
