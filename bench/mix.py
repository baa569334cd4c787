"""The `mix` scenario of `make bench`: many learners and visitors at once, over the catalogue's long tail.

bench/prepare.py (`python -m bench.prepare mix`) logs in a few hundred demo learners and prints what the
scenario needs as JSON (`MixData`); bench/run.py writes it as a Lua data file (`lua_data`) that bench/mix.lua
loads in every wrk thread. Each request is one action drawn by `WEIGHTS`:

- learners (60): their track page, a topic (half of the time one of their track's, with `?track=`), their
  dashboard, a resource, a filtered list of resources;
- check-offs (10): a learner marks a topic they haven't started as done from a track's page (the track
  page's form: `track` and the topic's select `status-<slug>`, the CSRF token in its cookie and in
  X-CSRFToken, Origin and Referer as a browser sends them), and once the redirect comes back, GETs that
  track's page with the message cookie the redirect set, as a browser following it does: two requests;
- visitors (30): home, the track list, a track, a topic, a resource, a list of resources, a search.

Topics, resources, lists, searches and tracks are drawn from a long tail (`⌊(n + 1)^u⌋` for a uniform u,
i.e. P(k) ∝ 1/k: the first few are hot, most are seldom asked for), so the page cache sees what a real site
gives it: a warm head and many misses.

Nothing here imports Django: the runner uses it, and prepare.py fills it from the database.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

# Per action, out of 100; a check-off is two requests (the POST and the track page after it).
WEIGHTS: dict[str, int] = {
    "learner_track": 20,
    "learner_topic": 18,
    "learner_dashboard": 10,
    "learner_resource": 8,
    "learner_resources": 4,
    "checkoff": 10,
    "visitor_home": 6,
    "visitor_tracks": 2,
    "visitor_track": 4,
    "visitor_topic": 8,
    "visitor_resource": 6,
    "visitor_resources": 2,
    "visitor_search": 2,
}
# What a learner's page shows and a visitor's doesn't (the header's logout button).
LEARNER_MARK = "Log out"
DEFAULT_LEARNERS = 300
CHECKOFFS_PER_LEARNER = 50  # topics not started that a learner may check off, at most


def weight_groups(weights: Mapping[str, int] = WEIGHTS) -> dict[str, int]:
    """The weights summed by who acts: learners, check-offs, visitors."""
    groups = {"learners": 0, "checkoffs": 0, "visitors": 0}
    for action, weight in weights.items():
        group = "checkoffs" if action == "checkoff" else action.split("_")[0] + "s"
        groups[group] += weight
    return groups


@dataclass(frozen=True)
class MixLearner:
    """A logged-in demo learner: their session, their CSRF token, their track and what they may check off."""

    session_key: str
    csrf_token: str
    track: int  # index into MixData.tracks
    # (track, topic) indices: topics they haven't started, in order; none for a learner who started them all,
    # who then never checks off
    checkoffs: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class MixData:
    """What mix.lua draws from; lists of the long tail come hottest first. Indices count from 0."""

    session_cookie: str
    csrf_cookie: str
    messages_cookie: str
    done_label: str  # what a track page's select sends for "done"
    tracks: tuple[str, ...]  # slugs
    track_topics: tuple[tuple[int, ...], ...]  # each track's topics, in step order
    topics: tuple[str, ...]  # slugs
    resources: tuple[int, ...]  # primary keys
    resource_lists: tuple[str, ...]  # paths with their query strings
    searches: tuple[str, ...]  # paths of searches: /search/?q=…
    learners: tuple[MixLearner, ...]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> "MixData":
        learners = tuple(
            MixLearner(
                session_key=learner["session_key"],
                csrf_token=learner["csrf_token"],
                track=int(learner["track"]),
                checkoffs=tuple((int(track), int(topic)) for track, topic in learner["checkoffs"]),
            )
            for learner in data["learners"]
        )
        return cls(
            session_cookie=data["session_cookie"],
            csrf_cookie=data["csrf_cookie"],
            messages_cookie=data["messages_cookie"],
            done_label=data["done_label"],
            tracks=tuple(data["tracks"]),
            track_topics=tuple(tuple(int(topic) for topic in topics) for topics in data["track_topics"]),
            topics=tuple(data["topics"]),
            resources=tuple(int(pk) for pk in data["resources"]),
            resource_lists=tuple(data["resource_lists"]),
            searches=tuple(data["searches"]),
            learners=learners,
        )

    def problems(self) -> list[str]:
        """What would make the scenario draw from nothing or point outside a list."""
        found = [
            f"no {name}"
            for name in ("tracks", "topics", "resources", "resource_lists", "searches", "learners")
            if not getattr(self, name)
        ]
        if len(self.track_topics) != len(self.tracks):
            found.append(f"{len(self.track_topics)} lists of track topics for {len(self.tracks)} tracks")
        if any(not 0 <= topic < len(self.topics) for topics in self.track_topics for topic in topics):
            found.append("a track's topic is not in the topics")
        for number, learner in enumerate(self.learners):
            if not 0 <= learner.track < len(self.tracks) or not self.track_topics[learner.track]:
                found.append(f"learner {number} has no track with topics")
            if any(
                not 0 <= track < len(self.tracks) or topic not in self.track_topics[track]
                for track, topic in learner.checkoffs
            ):
                found.append(f"learner {number} would check off a topic outside its track")
        if self.learners and not any(learner.checkoffs for learner in self.learners):
            found.append("no learner has anything left to check off")
        return found


# ---------- The Lua data file ----------

_LUA_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\0": "\\0"}


def lua_string(text: str) -> str:
    """A Lua string literal of `text`: UTF-8 kept as it is; quotes, backslashes, newlines escaped."""
    return '"' + re.sub(r'[\\"\n\r\0]', lambda match: _LUA_ESCAPES[match.group()], text) + '"'


def lua_value(value) -> str:
    """A Lua literal for plain data: strings, ints, floats, booleans, lists/tuples (1-based) and dicts."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return lua_string(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        items = (f"[{lua_value(key)}] = {lua_value(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, Sequence):
        return "{" + ", ".join(lua_value(item) for item in value) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def _numbers(values: Iterable[int]) -> str:
    """Numbers as one space-separated string, which mix.lua splits: a long list costs one constant."""
    return " ".join(str(value) for value in values)


def lua_data(data: MixData, weights: Mapping[str, int] = WEIGHTS) -> str:
    """The Lua chunk mix.lua loads with dofile(): `return {…}`, every index counting from 1 as Lua's do.

    Long lists of numbers (resources, each track's topics, each learner's check-offs as "track:topic") are
    strings that mix.lua splits once per thread, so the chunk stays far below LuaJIT's constant limits.
    """
    if unknown := set(weights) - set(WEIGHTS):
        raise ValueError(f"unknown actions in the weights: {sorted(unknown)}")
    learners = [
        [
            learner.session_key,
            learner.csrf_token,
            learner.track + 1,
            " ".join(f"{track + 1}:{topic + 1}" for track, topic in learner.checkoffs),
        ]
        for learner in data.learners
    ]
    chunk = {
        "session_cookie": data.session_cookie,
        "csrf_cookie": data.csrf_cookie,
        "messages_cookie": data.messages_cookie,
        "learner_mark": LEARNER_MARK,
        "done_label": data.done_label,
        "weights": [[action, weight] for action, weight in weights.items() if weight > 0],
        "tracks": list(data.tracks),
        "track_topics": [_numbers(topic + 1 for topic in topics) for topics in data.track_topics],
        "topics": list(data.topics),
        "resources": _numbers(data.resources),
        "resource_lists": list(data.resource_lists),
        "searches": list(data.searches),
        "learners": learners,
    }
    lines = ["-- Generated by bench/run.py from bench/prepare.py's output, for bench/mix.lua. Do not edit."]
    lines += ["return {"] + [f"  {key} = {lua_value(value)}," for key, value in chunk.items()] + ["}"]
    return "\n".join(lines) + "\n"


# ---------- Reading the results ----------


def summed_counts(counts: Iterable[Mapping]) -> dict:
    """mix.lua's counters of several runs added up, nested as they come ({"sent": {...}, ...})."""
    total: dict = {}
    for one in counts:
        for key, value in one.items():
            if isinstance(value, Mapping):
                total[key] = summed_counts([total.get(key, {}), value])
            else:
                total[key] = total.get(key, 0) + value
    return total
