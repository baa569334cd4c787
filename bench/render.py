"""How long each page takes to render in-process, page cache off: `make render-times` (bench.render).

Fills a fresh PostgreSQL database with seed_demo (scale 1 by default), then, in a child process configured
as production with PAGE_CACHE=false, requests every page kind through Django's whole stack (middleware,
sessions, views, templates; no network, no gunicorn) with the test client, every page once per round, and
prints the median and the 90th percentile of the wall time of each. Every request is a miss: nothing is
served from the page cache. The learner is the heavy demo learner, who has progress on every topic of the
largest track.

The budgets are the targets the pages are built to: the learner's track page within 15 ms, every other page
and a check-off within 10 ms (medians on this 2-core machine). The command exits 1 when a median is over.
`--reuse` skips the seeding and measures the database as it is.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

LEARNER_TRACK_BUDGET_MS = 15.0
PAGE_BUDGET_MS = 10.0
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/roadmap_render"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"


def percentile(samples: list[float], share: float) -> float:
    """The sample below which `share` of the samples lie (nearest rank)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))
    return ordered[rank]


def time_interleaved(calls: dict[str, Callable[[], object]], *, rounds: int, warm_up: int) -> dict[str, dict]:
    """Each call `warm_up` times unmeasured, then `rounds` rounds of every call once, in turn: milliseconds
    per call. Taken in turn, a slower spell of the machine (they last minutes here) falls on every page alike
    rather than on the pages measured during it."""
    for call in calls.values():
        for _ in range(warm_up):
            call()
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - started) * 1000)
    return {
        name: {"median_ms": statistics.median(taken), "p90_ms": percentile(taken, 0.9), "rounds": rounds}
        for name, taken in samples.items()
    }


def budget(name: str) -> float:
    return LEARNER_TRACK_BUDGET_MS if name == "track_learner" else PAGE_BUDGET_MS


def measure_pages(*, rounds: int, warm_up: int) -> dict[str, dict]:
    """Every page kind, measured in this process (Django must be set up). Returns figures by name."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from bench.demo import HEAVY_LEARNER_EMAIL, LARGEST_TRACK_SLUG
    from learning.models import Milestone, Resource, Topic

    learner = get_user_model().objects.get(email=HEAVY_LEARNER_EMAIL)
    track = f"/tracks/{LARGEST_TRACK_SLUG}/"
    topic = (
        Topic.objects.published()
        .filter(steps__track__slug=LARGEST_TRACK_SLUG)
        .annotate(n=Count("resources"))
        .order_by("-n", "slug")
        .first()
    )
    assert topic is not None, f"the demo track {LARGEST_TRACK_SLUG} has no topic"  # noqa: S101
    resource = Resource.objects.published().filter(topics=topic).order_by("pk").first()
    # The milestone with the most learners' projects: a page of them, with their feedback, for a learner.
    milestone = Milestone.objects.annotate(n=Count("submissions")).order_by("-n", "pk").first()
    assert milestone is not None, "the demo data has no milestone"  # noqa: S101
    visitor, member = Client(), Client()
    member.force_login(learner)
    pages = {
        "home": (visitor, "/"),
        "home_learner": (member, "/"),
        "track_visitor": (visitor, track),
        "track_learner": (member, track),
        "topic": (visitor, f"/topics/{topic.slug}/"),
        "topic_learner": (member, f"/topics/{topic.slug}/?track={LARGEST_TRACK_SLUG}"),
        "resource": (visitor, resource.get_absolute_url() if resource else "/resources/"),
        "resources": (visitor, "/resources/?kind=video&level=beginner"),
        "search": (visitor, "/search/?q=python"),
        "dashboard": (member, "/me/"),
        "milestone": (visitor, milestone.get_absolute_url()),
        "milestone_learner": (member, milestone.get_absolute_url()),
    }
    calls: dict[str, Callable[[], object]] = {}
    for name, (client, path) in pages.items():

        def get(client=client, path=path):
            response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
            return response

        calls[name] = get
    statuses = iter(["done", "learning"] * (rounds + warm_up))
    status_url = f"/topics/{topic.slug}/status/"

    def check_off():
        response = member.post(status_url, {"status": next(statuses), "next": track})
        if response.status_code != 302:
            raise SystemExit(f"a check-off answered {response.status_code}")

    calls["checkoff"] = check_off
    figures = time_interleaved(calls, rounds=rounds, warm_up=warm_up)
    for name, (client, path) in pages.items():
        figures[name] |= {"path": path, "bytes": len(client.get(path).content)}
    figures["checkoff"]["path"] = status_url
    return figures


def format_table(figures: dict[str, dict]) -> str:
    lines = [f"{'page':<18} {'median ms':>10} {'p90 ms':>8} {'budget':>7} {'KB':>6}  result"]
    for name, row in figures.items():
        verdict = "ok" if row["median_ms"] <= budget(name) else "OVER"
        size = f"{row['bytes'] / 1024:.0f}" if "bytes" in row else "-"
        figures_ms = f"{row['median_ms']:>10.1f} {row['p90_ms']:>8.1f} {budget(name):>7.0f}"
        lines.append(f"{name:<18} {figures_ms} {size:>6}  {verdict}")
    return "\n".join(lines)


def child(args: argparse.Namespace) -> int:
    """The measuring process: Django configured from the environment the parent gave it."""
    import django

    django.setup()
    figures = measure_pages(rounds=args.rounds, warm_up=args.warm_up)
    print(json.dumps(figures))
    return 0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.render", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="1", help="seed_demo's --scale (default 1)")
    parser.add_argument("--rounds", type=int, default=40, help="measured requests per page (40)")
    parser.add_argument("--warm-up", type=int, default=5, help="unmeasured requests first (5)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and seeded afresh")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis database, flushed")
    parser.add_argument("--reuse", action="store_true", help="measure the database as it is")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here too")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return child(args)
    from bench.run import BenchError, child_environment, prepare_database, python, say

    workdir = Path(tempfile.mkdtemp(prefix="roadmap-render-"))
    env = child_environment(
        database_url=args.database_url, redis_url=args.redis_url, static_root=workdir / "static"
    ) | {"PAGE_CACHE": "false", "ALLOWED_HOSTS": "testserver", "LOG_LEVEL": "WARNING"}
    try:
        if args.reuse:
            python(["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
        else:
            prepare_database(args, env)
        say(f"Rendering every page in {args.rounds} rounds in-process, page cache off")
        output = python(
            ["-m", "bench.render", "--child", "--rounds", str(args.rounds), "--warm-up", str(args.warm_up)],
            env | {"DJANGO_SETTINGS_MODULE": "bench.settings"},
            capture=True,
        )
    except BenchError as error:
        print(f"render: {error}", file=sys.stderr)
        return 1
    figures = json.loads(output.strip().splitlines()[-1])
    print(format_table(figures))
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(row["median_ms"] <= budget(name) for name, row in figures.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
