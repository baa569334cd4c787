"""Demo data small enough for a test: three tracks, forty topics, six learners."""

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
