"""Deterministic synthetic data for benchmarks: a demo catalogue and learners who use it (`seed_demo`).

At scale 1: 10 tracks, 500 topics, 5,000 resources, 1,000 learners, 100,000 topic progress rows, 50,000
ratings and 30,000 bookmarks. Scale N multiplies the learners and their rows by N; the catalogue keeps its
size. The same sizes always give the same data: every random choice comes from `random.Random` seeded with
a fixed value, and every timestamp is a fixed offset before `HISTORY_END`.

Demo rows are recognisable, so a re-run replaces them and leaves everything else alone: tracks and topics
have slugs starting with "demo-", resources have URLs under https://demo.example/, and users have
addresses @demo.example.

Building is pure (plain data from the sizes); inserting bypasses model instances: COPY on PostgreSQL,
executemany elsewhere.

The modules, in the order they build on each other: sizes (names, sizes, --scale), spread (seeded randomness,
spreading totals), words, catalogue and learners (plain data), rows (writing rows), seeding (deleting and
inserting, in one transaction). They take the site's models from `learning.models`. Names starting with an
underscore are shared between these modules only.
"""

from bench.demo.catalogue import Catalogue, build_catalogue
from bench.demo.learners import LearnerSpec, build_learners
from bench.demo.rows import insert_rows
from bench.demo.seeding import SeedReport, delete_demo_data, demo_users, seed
from bench.demo.sizes import (
    DEMO_PASSWORD,
    EMAIL_DOMAIN,
    HEAVY_LEARNER_EMAIL,
    LARGEST_TRACK_SLUG,
    SLUG_PREFIX,
    URL_PREFIX,
    DemoError,
    DemoSizes,
    parse_scale,
    sizes_for_scale,
)
from bench.demo.spread import apportion

__all__ = [
    "DEMO_PASSWORD",
    "EMAIL_DOMAIN",
    "HEAVY_LEARNER_EMAIL",
    "LARGEST_TRACK_SLUG",
    "SLUG_PREFIX",
    "URL_PREFIX",
    "Catalogue",
    "DemoError",
    "DemoSizes",
    "LearnerSpec",
    "SeedReport",
    "apportion",
    "build_catalogue",
    "build_learners",
    "delete_demo_data",
    "demo_users",
    "insert_rows",
    "parse_scale",
    "seed",
    "sizes_for_scale",
]
