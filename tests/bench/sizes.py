"""Demo data small enough for many test runs: 3 tracks (the largest 3 stages × 6 steps), 40 topics, 6 learners."""

from bench.demo import DemoSizes

SMALL = DemoSizes(
    tracks=3,
    topics=40,
    resources=120,
    largest_track_stages=3,
    largest_track_steps_per_stage=6,
    learners=6,
    progress=150,
    ratings=60,
    bookmarks=30,
)
