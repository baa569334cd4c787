"""The shape of the content files, declared once and used by both the reader and the exporter.

Each entity is a list of `Key`s in file order. The reader checks an entry's keys and types against it and
then lets the model's own field validation judge the values; the exporter writes keys in the same order
and leaves out the optional ones that hold their default, so that export → load → export is stable.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from learning.catalogue.models import Cost, Difficulty, Kind, Level, Stack


@dataclass(frozen=True)
class Key:
    name: str  # as written in the file
    attr: str  # the model field (or entry attribute) it fills
    type: type = str  # str, int, bool or list (a list of strings)
    required: bool = False
    default: Any = ""

    def is_default(self, value) -> bool:
        return not self.required and value == self.default


TOPIC_KEYS = (
    Key("slug", "slug", required=True),
    Key("title", "title", required=True),
    Key("summary", "summary", required=True),
    Key("hours", "hours", int, default=None),
    Key("tags", "tags", list, default=[]),
    Key("published", "is_published", bool, default=True),
    # Old topic slugs this one takes over: their learners' progress moves here, their URL redirects here.
    Key("replaces", "replaces", list, default=[]),
    # The curator's order of the topic's resources (URLs of resources naming the topic), and the one to
    # open first. Not fields of the topic: the loader writes them to TopicResource.
    Key("start_here", "start_here"),
    Key("resources", "resource_order", list, default=[]),
    Key("body", "body"),
    # The "You're ready when" self-checks learners tick, in order (ReadyCheck rows, not a field of the topic).
    Key("ready_when", "ready_when", list, default=[]),
)
RESOURCE_KEYS = (
    Key("url", "url", required=True),
    Key("title", "title", required=True),
    Key("kind", "kind", required=True),
    Key("cost", "cost", required=True),
    Key("level", "level", required=True),
    # Left out for a stack-independent resource.
    Key("stack", "stack"),
    Key("minutes", "estimated_minutes", int, default=None),
    Key("author", "author"),
    Key("topics", "topics", list, default=[]),
    Key("tags", "tags", list, default=[]),
    Key("published", "is_published", bool, default=True),
    # Old URLs this resource takes over: renamed in place, or merged (bookmarks and ratings move here).
    Key("replaces", "replaces", list, default=[]),
    Key("description", "description"),
)
TRACK_KEYS = (
    Key("slug", "slug", required=True),
    Key("title", "title", required=True),
    Key("summary", "summary", required=True),
    Key("position", "position", int, required=True),
    Key("stack", "stack"),
    Key("tags", "tags", list, default=[]),
    Key("published", "is_published", bool, default=True),
    Key("body", "body"),
    # The public "What changed" list, newest first.
    Key("changes", "changes", list, default=[]),
    Key("stages", "stages", list, default=[]),
)
CHANGE_KEYS = (
    Key("date", "date", required=True),
    Key("change", "change", required=True),
)
STAGE_KEYS = (
    Key("slug", "slug", required=True),
    Key("title", "title", required=True),
    Key("duration", "duration"),
    Key("summary", "summary"),
    Key("steps", "steps", list, default=[]),
    Key("milestones", "milestones", list, default=[]),
)
STEP_KEYS = (
    Key("topic", "topic", required=True),
    Key("optional", "is_optional", bool, default=False),
)
MILESTONE_KEYS = (
    Key("slug", "slug", required=True),
    Key("title", "title", required=True),
    Key("difficulty", "difficulty"),
    Key("hours", "hours", int, default=None),
    # Old milestone slugs of the same track: learners' "built" marks move here.
    Key("replaces", "replaces", list, default=[]),
    Key("topics", "topics", list, default=[]),
    Key("description", "description"),
    Key("checklist", "checklist", list, default=[]),
    Key("stretch", "stretch", list, default=[]),
)

# Keys whose values must come from a fixed list; the message names the allowed values.
# A stack-independent resource or track leaves `stack` out, so "" is not offered.
CHOICES = {
    "kind": Kind.values,
    "cost": Cost.values,
    "level": Level.values,
    "stack": [value for value in Stack.values if value],
    "difficulty": Difficulty.values,
}
# Lists of mappings rather than of strings.
NESTED = {"stages", "steps", "milestones", "changes"}


@dataclass(frozen=True)
class ContentError:
    file: str
    entry: str
    message: str

    def __str__(self):
        return f"{self.file}: {self.entry}: {self.message}"


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class Problems:
    """Collects every problem in a file set, so a curator sees them all at once."""

    errors: list[ContentError] = field(default_factory=list)

    def add(self, file: str, entry: str, message: str) -> None:
        self.errors.append(ContentError(file, entry, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentInvalid(self.errors)


def _type_ok(key: Key, value) -> bool:
    if key.type is list:
        if key.name in NESTED:
            return isinstance(value, list) and all(isinstance(item, dict) for item in value)
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    if key.type is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if key.type is str:
        return isinstance(value, str)
    return isinstance(value, key.type)


_TYPE_NAMES = {str: "text", int: "a whole number", bool: "true or false"}


def _type_name(key: Key) -> str:
    if key.type is list:
        return "a list of mappings" if key.name in NESTED else "a list of names"
    return _TYPE_NAMES[key.type]


def read_entry(raw, keys, problems: Problems, file: str, entry: str) -> dict | None:
    """The entry's values by attribute name, defaults filled in; None (and problems noted) if malformed."""
    if not isinstance(raw, dict):
        problems.add(file, entry, "must be a mapping of keys to values")
        return None
    known = {key.name for key in keys}
    before = len(problems.errors)
    for name in raw:
        if name not in known:
            problems.add(file, entry, f"unknown key {name!r} (allowed: {', '.join(sorted(known))})")
    values = {}
    for key in keys:
        if key.name not in raw or raw[key.name] is None:
            if key.required:
                problems.add(file, entry, f"missing required key {key.name!r}")
            values[key.attr] = list(key.default) if isinstance(key.default, list) else key.default
            continue
        value = raw[key.name]
        if not _type_ok(key, value):
            problems.add(file, entry, f"{key.name}: must be {_type_name(key)}, not {value!r}")
            continue
        allowed = CHOICES.get(key.name)
        if allowed is not None and value not in allowed:
            problems.add(file, entry, f"{key.name}: {value!r} is not one of {', '.join(allowed)}")
            continue
        values[key.attr] = value
    return values if len(problems.errors) == before else None


def check_model_fields(model, values: dict, keys, problems: Problems, file: str, entry: str) -> bool:
    """Runs the model's field validation (lengths, slugs, URLs, ranges) on the scalar values."""
    own_fields = {f.name for f in model._meta.get_fields()}
    scalar = {key.attr for key in keys if key.type is not list and key.attr in own_fields}
    instance = model(**{attr: values[attr] for attr in scalar})
    names = {key.attr: key.name for key in keys}
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False, exclude=_relations(model))
    except ValidationError as error:
        for attr, messages in error.message_dict.items():
            for message in messages:
                problems.add(file, entry, f"{names.get(attr, attr)}: {message}")
        return False
    return True


def _relations(model) -> list[str]:
    return [f.name for f in model._meta.get_fields() if f.is_relation]
