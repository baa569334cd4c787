"""Reading a learner's progress: fetched once as a set, then applied to any track in memory.

Progress on a shared topic counts in every track that contains it. A track's progress is its done topics
and milestones over all of them, skipped topics left out; its next step is the first step that is neither
done nor skipped (next_open_step: the dashboard's, the track's and "Done — next topic" all use it).
"""

from dataclasses import dataclass, field

from learning.progress.models import TopicProgress
from plumbing.sql import Read

DONE = TopicProgress.Status.DONE
SKIPPED = TopicProgress.Status.SKIPPED
LEARNING = TopicProgress.Status.LEARNING
STATUSES = frozenset(TopicProgress.Status.values)


@dataclass(frozen=True)
class LearnerState:
    """Everything a learner has checked off: topic id → status, and the completed milestone ids."""

    statuses: dict = field(default_factory=dict)
    milestones_done: frozenset = frozenset()

    def status_of(self, topic_id) -> str | None:
        return self.statuses.get(topic_id)


MILESTONE_DONE = "milestone"  # no topic status is spelt so: marks the milestone rows of learner_state's query
FOLLOWED = "followed"  # nor so: marks the followed tracks' rows of learner_record's query


def learner_state(user, *, milestones: bool = True) -> LearnerState:
    """One query for a learner, none for a visitor, whatever the number of check-offs: their statuses and,
    unless `milestones=False` (a page that shows none, whose state then has none done), the milestones they
    built, read together (UNION ALL: one round trip instead of two). Hand-written (plumbing.sql)."""
    if not user.is_authenticated:
        return LearnerState()
    return learner_state_read(user, milestones=milestones).run()


def learner_state_read(user, *, milestones: bool = True) -> Read:
    rows = [STATUS_ROWS, BUILT_ROWS] if milestones else [STATUS_ROWS]
    return Read(" UNION ALL ".join(rows), {"user": user.pk}, lambda rows: record_from(rows).state)


@dataclass(frozen=True)
class LearnerRecord:
    """A learner's state and the tracks they follow (the dashboard's and the public profile's)."""

    state: LearnerState = field(default_factory=LearnerState)
    followed: frozenset = frozenset()  # the ids of the tracks they follow
    marked: dict = field(default_factory=dict)  # other rows read with them: kind -> ids


# The learner's statuses, built milestones and followed tracks as (kind, id, NULL, NULL) rows, the kind a
# status, MILESTONE_DONE or FOLLOWED (tests/learning/test_hand_written_sql.py checks the texts agree): the
# shape of the dashboard's other rows, read with these in one query.
STATUS_ROWS = "SELECT status, topic_id, NULL, NULL FROM learning_topicprogress WHERE user_id = %(user)s"
BUILT_ROWS = (
    "SELECT 'milestone', milestone_id, NULL, NULL FROM learning_milestonecompletion WHERE user_id = %(user)s"
)
FOLLOWED_ROWS = "SELECT 'followed', track_id, NULL, NULL FROM learning_trackfollow WHERE user_id = %(user)s"
LEARNER_RECORD_ROWS = " UNION ALL ".join([STATUS_ROWS, BUILT_ROWS, FOLLOWED_ROWS])
RECORD_KINDS = STATUSES | {MILESTONE_DONE, FOLLOWED}


def learner_record(user) -> LearnerRecord:
    """The learner's statuses, built milestones and followed tracks: one query (UNION ALL of the three),
    whatever their number. Hand-written (plumbing.sql)."""
    return learner_record_read(user).run()


def learner_record_read(user) -> Read:
    return Read(LEARNER_RECORD_ROWS, {"user": user.pk}, record_from)


def record_from(rows) -> LearnerRecord:
    """The LearnerRecord in LEARNER_RECORD_ROWS' rows; rows of other kinds are someone else's."""
    return read_rows((pk, kind) for kind, pk, *_ in rows if kind in RECORD_KINDS)


def read_rows(rows) -> LearnerRecord:
    """Rows of (id, kind): a topic's status, a built milestone or a followed track, told apart by the kind;
    any other kind (topic_reads') is kept by kind in `marked`."""
    topics: dict = {}
    built, followed = set(), set()
    marked: dict[str, set] = {}
    for pk, kind in rows:
        if kind == MILESTONE_DONE:
            built.add(pk)
        elif kind == FOLLOWED:
            followed.add(pk)
        elif kind in STATUSES:
            topics[pk] = kind
        else:
            marked.setdefault(kind, set()).add(pk)
    return LearnerRecord(LearnerState(topics, frozenset(built)), frozenset(followed), marked)


@dataclass(frozen=True)
class TrackProgress:
    """A learner's progress on one track. Topics and milestones are counted apart, everywhere they are shown
    ("12 of 33 topics · 1 of 4 milestones · 2 skipped"); skipped topics leave the topics' total."""

    topics_done: int = 0
    topics_total: int = 0  # the track's topics less the skipped ones
    topics_skipped: int = 0
    milestones_done: int = 0
    milestones_total: int = 0
    next_step: object = None  # the Step to continue with, or None when everything is done or skipped
    started: bool = False

    @property
    def done(self) -> int:
        """Topics and milestones done: what the progress bar fills with."""
        return self.topics_done + self.milestones_done

    @property
    def total(self) -> int:
        return self.topics_total + self.milestones_total

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def summary(self) -> str:
        """The one way progress is said: "12 of 33 topics · 1 of 4 milestones · 2 skipped"."""
        parts = [f"{self.topics_done} of {self.topics_total} topic{'' if self.topics_total == 1 else 's'}"]
        if self.milestones_total:
            plural = "" if self.milestones_total == 1 else "s"
            parts.append(f"{self.milestones_done} of {self.milestones_total} milestone{plural}")
        if self.topics_skipped:
            parts.append(f"{self.topics_skipped} skipped")
        return " · ".join(parts)


def next_open_step(steps, state: LearnerState, *, after_topic_id=None):
    """The first of `steps` (in track order) that is neither done nor skipped, or None.

    With `after_topic_id`, only the steps after that topic's step count: moving on from a topic never sends
    a learner back to one they passed over. A topic that isn't among the steps leaves them all.
    """
    if after_topic_id is not None:
        index = next((i for i, step in enumerate(steps) if step.topic_id == after_topic_id), None)
        if index is not None:
            steps = steps[index + 1 :]
    return next((step for step in steps if state.status_of(step.topic_id) not in (DONE, SKIPPED)), None)


def track_progress(steps, milestones, state: LearnerState) -> TrackProgress:
    """`steps` in track order (stage position, then step position); `milestones` of the same track."""
    of = state.statuses.get  # status_of, once per step: the dashboard runs this over every track
    statuses = [of(step.topic_id) for step in steps]
    skipped = statuses.count(SKIPPED)
    milestones_done = sum(1 for milestone in milestones if milestone.pk in state.milestones_done)
    started = bool(milestones_done) or any(status is not None for status in statuses)
    # next_open_step's rule over the statuses just read: the first step neither done nor skipped.
    open_steps = (step for step, status in zip(steps, statuses, strict=True) if status not in (DONE, SKIPPED))
    return TrackProgress(
        topics_done=statuses.count(DONE),
        topics_total=len(steps) - skipped,
        topics_skipped=skipped,
        milestones_done=milestones_done,
        milestones_total=len(milestones),
        next_step=next(open_steps, None),
        started=started,
    )
