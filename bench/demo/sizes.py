"""The demo's fixed names and history, and its sizes: how many rows of each kind, from a --scale value."""

import math
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta

SLUG_PREFIX = "demo-"
URL_PREFIX = "https://demo.example/"
EMAIL_DOMAIN = "demo.example"
LARGEST_TRACK_SLUG = "demo-track-01"
HEAVY_LEARNER_EMAIL = f"heavy@{EMAIL_DOMAIN}"
HEAVY_LEARNER_USERNAME = "demo-heavy"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - the published password of throwaway demo accounts
PASSWORD_SALT = "demoexampleseed"  # noqa: S105 - fixed, so the same sizes give the very same rows

SEED = 20260101
# Every demo timestamp lies before this instant: the catalogue about a year earlier, learners after it.
HISTORY_END = datetime(2026, 1, 1, tzinfo=UTC)
CATALOGUE_START = HISTORY_END - timedelta(days=400)


class DemoError(ValueError):
    """Sizes or a scale that cannot give the promised demo data; nothing was stored."""


# --- Sizes --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSizes:
    """How many rows to create. The defaults are scale 1; tests pass smaller catalogues directly."""

    tracks: int = 10
    topics: int = 500
    resources: int = 5_000
    largest_track_stages: int = 10
    largest_track_steps_per_stage: int = 10
    learners: int = 1_000
    progress: int = 100_000
    ratings: int = 50_000
    bookmarks: int = 30_000

    @classmethod
    def for_scale(cls, scale: float) -> "DemoSizes":
        """Scale 1's catalogue, with the learners and each of their row counts multiplied by `scale`."""
        base = cls()
        return replace(
            base,
            learners=round(base.learners * scale),
            progress=round(base.progress * scale),
            ratings=round(base.ratings * scale),
            bookmarks=round(base.bookmarks * scale),
        )

    @property
    def largest_track_steps(self) -> int:
        return self.largest_track_stages * self.largest_track_steps_per_stage

    @property
    def shared_topics(self) -> int:
        """Topics placed in a second track (about 10%)."""
        return self.topics // 10 if self.tracks > 1 else 0

    def check(self) -> None:
        """Raises DemoError when these sizes cannot give the data they promise."""
        problems = [*self._catalogue_problems(), *self._learner_problems()]
        if problems:
            raise DemoError("; ".join(problems))

    def _catalogue_problems(self) -> list[str]:
        if any(getattr(self, f.name) < 0 for f in fields(self)):
            return ["sizes cannot be negative"]
        if self.tracks < 2 or self.largest_track_stages < 1 or self.largest_track_steps_per_stage < 1:
            return ["the catalogue needs at least 2 tracks and a non-empty largest track"]
        others = (self.topics + self.shared_topics - self.largest_track_steps) / (self.tracks - 1)
        if not 1 <= others <= self.largest_track_steps / 1.25:
            return [f"{self.topics} topics do not fit {self.tracks} tracks whose largest has "
                    f"{self.largest_track_steps} steps"]  # fmt: skip
        if self.resources < self.topics:
            return ["every topic needs at least one resource"]
        return []

    def _learner_problems(self) -> list[str]:
        if self.learners < 1:
            return [f"{self.learners} learners: at least 1 is needed"]
        problems = []
        if self.progress < self.largest_track_steps:
            problems.append(
                f"{self.progress} progress rows are fewer than the {self.largest_track_steps} topics of "
                f"{LARGEST_TRACK_SLUG} the heavy learner works through"
            )
        for name, total, per_learner in (
            ("progress rows", self.progress, self.topics),
            ("ratings", self.ratings, self.resources),
            ("bookmarks", self.bookmarks, self.resources),
        ):
            if total > self.learners * per_learner:
                problems.append(f"{total} {name} do not fit {self.learners} learners")
        return problems


def parse_scale(value) -> float:
    """The --scale value as a positive finite number, or DemoError."""
    try:
        scale = float(value)
    except (TypeError, ValueError):
        raise DemoError(f"--scale must be a positive number, not {value!r}") from None
    if not math.isfinite(scale) or scale <= 0:
        raise DemoError(f"--scale must be a positive number, not {value!r}")
    return scale


def sizes_for_scale(value) -> DemoSizes:
    """The sizes for a --scale value, checked: DemoError for garbage, 0, negatives or a too small scale."""
    scale = parse_scale(value)
    sizes = DemoSizes.for_scale(scale)
    try:
        sizes.check()
    except DemoError as error:
        raise DemoError(f"--scale {value} is too small: {error}") from None
    return sizes
