"""The demo learners as plain data (what each follows and works on), and the rows of their activity."""

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.demo.catalogue import Catalogue
from bench.demo.sizes import (
    EMAIL_DOMAIN,
    HEAVY_LEARNER_EMAIL,
    HEAVY_LEARNER_USERNAME,
    HISTORY_END,
    DemoSizes,
)
from bench.demo.spread import _at, _rng, _weighted_sample, apportion
from bench.demo.words import BOOKMARK_NOTES, REVIEW_DETAILS, REVIEW_OPENINGS, STAR_WEIGHTS, STARS
from learning.models import TopicProgress

DONE = TopicProgress.Status.DONE.value
LEARNING = TopicProgress.Status.LEARNING.value
SKIPPED = TopicProgress.Status.SKIPPED.value


@dataclass(frozen=True, slots=True)
class LearnerSpec:
    index: int
    username: str
    email: str
    joined_at: datetime
    profile_is_public: bool
    follows: tuple[int, ...]  # track indices, main track first
    topics: list[int]  # the topics with progress, in the order worked on
    statuses: list[str]
    ratings: int
    bookmarks: int

    @property
    def active_seconds(self) -> float:
        """The time between joining and the end of the demo history, less a day of margin."""
        return (HISTORY_END - self.joined_at).total_seconds() - 86_400


class _Paths:
    """What learners who follow the same tracks work through: those tracks' topics in order, each once,
    then a few topics browsed elsewhere. Computed once per combination of followed tracks."""

    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self._splits: dict[tuple[int, ...], tuple[list[int], list[int]]] = {}

    def split(self, follows: tuple[int, ...]) -> tuple[list[int], list[int]]:
        if follows not in self._splits:
            tracks = self.catalogue.track_topics
            ordered = list(dict.fromkeys(topic for track in follows for topic in tracks[track]))
            taken = set(ordered)
            elsewhere = [topic for topic in range(len(self.catalogue.topics)) if topic not in taken]
            self._splits[follows] = (ordered, elsewhere)
        return self._splits[follows]

    def sequence(self, follows, quota: int, rng: random.Random, *, browse: float) -> tuple[list[int], int]:
        """`quota` distinct topics, and how many of them come in the followed tracks' order."""
        ordered, elsewhere = self.split(follows)
        browsed = min(len(elsewhere), round(quota * browse * rng.random()))
        in_order = min(len(ordered), quota - browsed)
        return ordered[:in_order] + rng.sample(elsewhere, quota - in_order), in_order


def build_learners(sizes: DemoSizes, catalogue: Catalogue) -> list[LearnerSpec]:
    """The learners, the heavy one first, with what each works on; the same every time."""
    rng = _rng("learners", sizes.learners)
    activity = [rng.lognormvariate(0, 0.9) for _ in range(sizes.learners)]
    activity[0] = max(activity)  # the heavy learner is the busiest
    quotas = zip(
        _quotas(sizes.progress, activity, len(catalogue.track_topics[0]), sizes.topics),
        _quotas(sizes.ratings, _jitter(activity, rng), 20, sizes.resources),
        _quotas(sizes.bookmarks, _jitter(activity, rng), 10, sizes.resources),
        strict=True,
    )
    paths = _Paths(catalogue)
    popularity = [1 / math.sqrt(track + 1) for track in range(len(catalogue.tracks))]
    return [_learner(index, paths, popularity, *counts) for index, counts in enumerate(quotas)]


def _jitter(weights: Sequence[float], rng: random.Random) -> list[float]:
    """Weights that follow `weights` loosely: busy learners also rate and bookmark more, mostly."""
    return [weight * rng.lognormvariate(0, 0.5) for weight in weights]


def _quotas(total: int, weights: Sequence[float], heavy_minimum: int, cap: int) -> list[int]:
    """Per-learner row counts adding up to `total`, at most `cap` each; the heavy learner (first) gets
    at least `heavy_minimum`."""
    minimums = [min(heavy_minimum, total, cap)] + [0] * (len(weights) - 1)
    extra = apportion(total - minimums[0], weights, [cap - low for low in minimums])
    return [low + more for low, more in zip(minimums, extra, strict=True)]


def _learner(index: int, paths: _Paths, popularity, progress: int, ratings: int, bookmarks: int):
    rng = _rng("learner", index)
    heavy = index == 0
    follows = (0,) if heavy else _weighted_sample(rng, popularity, rng.choices((1, 2, 3), (50, 35, 15))[0])
    topics, in_order = paths.sequence(follows, progress, rng, browse=0 if heavy else 0.2)
    working = 3 if heavy else rng.choice((0, 1, 1, 2, 3))
    return LearnerSpec(
        index=index,
        username=HEAVY_LEARNER_USERNAME if heavy else f"learner-{index:06d}",
        email=HEAVY_LEARNER_EMAIL if heavy else f"learner{index:06d}@{EMAIL_DOMAIN}",
        joined_at=HISTORY_END - timedelta(seconds=rng.randint(30 * 86_400, 365 * 86_400)),
        profile_is_public=heavy or rng.random() < 0.25,
        follows=follows,
        topics=topics,
        statuses=_statuses(rng, len(topics), in_order, working),
        ratings=ratings,
        bookmarks=bookmarks,
    )


def _statuses(rng: random.Random, count: int, in_order: int, working: int) -> list[str]:
    """Mostly done in order, the last few still being learned, some skipped; browsed topics vary more."""
    statuses = []
    for position in range(count):
        draw = rng.random()
        if position >= in_order:
            statuses.append(DONE if draw < 0.6 else LEARNING if draw < 0.9 else SKIPPED)
        elif position >= in_order - working:
            statuses.append(LEARNING)
        else:
            statuses.append(SKIPPED if draw < 0.04 else DONE)
    return statuses


# --- Learner rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ids:
    """Database ids, aligned with the catalogue's lists and the learners."""

    tracks: list[int]
    stages: list[int]
    topics: list[int]
    milestones: list[int]
    resources: list[int]
    users: list[int] = field(default_factory=list)
    ready_checks: dict[int, list[int]] = field(default_factory=dict)  # topic id -> its checks' ids, in order


def _per_learner(learners: list[LearnerSpec], ids: Ids, purpose: str):
    """(learner, user id, the learner's own generator for `purpose`) for each learner."""
    for learner, user_id in zip(learners, ids.users, strict=True):
        yield learner, user_id, _rng(purpose, learner.index)


def follow_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "follows"):
        for track in learner.follows:
            yield user_id, ids.tracks[track], _at(learner.joined_at, rng.uniform(0, 2 * 86_400))


def progress_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "progress"):
        gap = learner.active_seconds / (len(learner.topics) + 1)
        for position, (topic, status) in enumerate(zip(learner.topics, learner.statuses, strict=True)):
            started = _at(learner.joined_at, gap * (position + rng.random()))
            completed = _at(started, gap * rng.uniform(0.1, 0.9)) if status == DONE else None
            updated = completed or _at(started, gap * rng.uniform(0, 0.5))
            yield user_id, ids.topics[topic], status, started, updated, completed


def rating_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "ratings"):
        for resource in _pick_resources(rng, learner, catalogue, learner.ratings):
            created = _at(learner.joined_at, rng.random() * learner.active_seconds)
            hidden = rng.random() < 0.01
            review = f"{rng.choice(REVIEW_OPENINGS)} {rng.choice(REVIEW_DETAILS)}"
            if not hidden and rng.random() >= 0.2:
                review = ""
            stars = rng.choices(STARS, STAR_WEIGHTS)[0]
            moderated = _at(created, 86_400) if hidden else None
            yield user_id, ids.resources[resource], stars, review, hidden, moderated, created, created


def bookmark_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "bookmarks"):
        for resource in _pick_resources(rng, learner, catalogue, learner.bookmarks):
            created = _at(learner.joined_at, rng.random() * learner.active_seconds)
            note = rng.choice(BOOKMARK_NOTES) if rng.random() < 0.1 else ""
            yield user_id, ids.resources[resource], note, created, created


def completion_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "milestones"):
        for milestone in _completed_milestones(learner, catalogue, rng):
            yield (
                user_id,
                ids.milestones[milestone],
                _at(learner.joined_at, rng.random() * learner.active_seconds),
            )


def _pick_resources(rng: random.Random, learner: LearnerSpec, catalogue: Catalogue, count: int) -> list[int]:
    """`count` distinct resources, mostly of the topics the learner worked on."""
    chosen: dict[int, None] = {}
    for _ in range(4 * count if learner.topics else 0):
        if len(chosen) == count:
            break
        chosen[rng.choice(catalogue.topic_resources[rng.choice(learner.topics)])] = None
    while len(chosen) < count:
        chosen[rng.randrange(len(catalogue.resources))] = None
    return list(chosen)


def _completed_milestones(learner: LearnerSpec, catalogue: Catalogue, rng: random.Random) -> list[int]:
    """The heavy learner completed the first half of its track's milestones; the others most milestones
    of their tracks whose topics they are done with."""
    milestones = [milestone for track in learner.follows for milestone in catalogue.track_milestones[track]]
    if learner.index == 0:
        return milestones[: round(len(milestones) / 2)]
    done = {topic for topic, status in zip(learner.topics, learner.statuses, strict=True) if status == DONE}
    return [m for m in milestones if done.issuperset(catalogue.milestones[m].topics) and rng.random() < 0.7]


# --- What keeps learners going: activity, notes, weekly goals and reviews, derived from the rows above ---

NOTE_SHARE = 0.1  # of the topics a learner has progress on, the share they wrote notes on
GOAL_SHARE = 0.5  # of the tracks a learner follows, the share with a weekly goal
REVIEW_DAYS = {1: 3, 2: 7, 3: 21, 4: 60}  # learning.progress.models.REVIEW_INTERVALS


def _progress_times(learners, ids: Ids, catalogue: Catalogue):
    """progress_rows' rows again (the same generator, so the same times): (user, topic id, status, updated,
    completed)."""
    for user_id, topic_id, status, _started, updated, completed in progress_rows(learners, ids, catalogue):
        yield user_id, topic_id, status, updated, completed


def activity_rows(learners, ids: Ids, catalogue: Catalogue):
    """A learning action for each topic status (on the day of its last change) and each milestone built."""
    for user_id, topic_id, status, updated, completed in _progress_times(learners, ids, catalogue):
        at = completed or updated
        yield user_id, status, f"topic:{topic_id}", topic_id, None, at, at.date()
    for user_id, milestone_id, completed in completion_rows(learners, ids, catalogue):
        yield (
            user_id,
            "milestone",
            f"milestone:{milestone_id}",
            None,
            milestone_id,
            completed,
            completed.date(),
        )


def note_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "notes"):
        for topic in learner.topics:
            if rng.random() < NOTE_SHARE:
                written = _at(learner.joined_at, rng.random() * learner.active_seconds)
                text = f"{rng.choice(BOOKMARK_NOTES)}\n\n- {rng.choice(REVIEW_DETAILS)}"
                yield user_id, ids.topics[topic], text, written, written


TICKING_SHARE = 0.3  # of the topics a learner has progress on, the share whose "You're ready when" they used
TICKED_WHILE_LEARNING = 0.5  # of such a topic's checks, the share ticked while still learning it


def tick_rows(learners, ids: Ids, catalogue: Catalogue):
    """The "You're ready when" checks learners ticked, on some of the topics they have progress on: all of a
    done topic's, the first half of one being learned; when they were last at it."""
    rng = _rng("ready-ticks", 0)
    for user_id, topic_id, status, updated, completed in _progress_times(learners, ids, catalogue):
        if status not in (DONE, LEARNING) or rng.random() >= TICKING_SHARE:
            continue
        checks = ids.ready_checks.get(topic_id, [])
        ticked = checks if status == DONE else checks[: int(len(checks) * TICKED_WHILE_LEARNING)]
        for check_id in ticked:
            yield user_id, check_id, completed or updated


def goal_rows(learners, ids: Ids, catalogue: Catalogue):
    for learner, user_id, rng in _per_learner(learners, ids, "goals"):
        for track in learner.follows:
            if rng.random() < GOAL_SHARE:
                set_at = _at(learner.joined_at, rng.uniform(0, 7 * 86_400))
                yield (
                    user_id,
                    ids.tracks[track],
                    rng.choice((3, 5, 8, 10, 15)),
                    rng.randrange(128),
                    set_at,
                    set_at,
                )


def review_rows(learners, ids: Ids, catalogue: Catalogue):
    """A review for each done topic, in a box by how long ago it was done; about a third are due."""
    rng = _rng("reviews", 0)
    for user_id, topic_id, status, _updated, completed in _progress_times(learners, ids, catalogue):
        if status == DONE and completed is not None:
            box = rng.randint(1, 4)
            due = (completed + timedelta(days=REVIEW_DAYS[box] * rng.randint(1, 3))).date()
            yield user_id, topic_id, box, due, None
