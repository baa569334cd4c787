"""bench/render.py (`make render-times`): pages are timed in turn, round after round, and judged on budgets."""

import pytest

from bench import demo, render
from tests.bench.sizes import SMALL

PAGES = {
    "home", "home_learner", "track_visitor", "track_learner", "topic", "topic_learner", "resource",
    "resources", "search", "dashboard", "milestone", "milestone_learner",
}  # fmt: skip


def test_every_call_is_warmed_up_then_timed_once_per_round_in_turn():
    order = []
    calls = {name: (lambda name=name: order.append(name)) for name in ("home", "dashboard", "checkoff")}

    figures = render.time_interleaved(calls, rounds=3, warm_up=2)

    warm = ["home", "home", "dashboard", "dashboard", "checkoff", "checkoff"]
    assert order == warm + ["home", "dashboard", "checkoff"] * 3
    assert set(figures) == set(calls)
    for row in figures.values():
        assert row["rounds"] == 3
        assert 0 <= row["median_ms"] <= row["p90_ms"]


def test_the_learners_track_page_has_its_own_budget_and_a_median_over_it_fails():
    assert render.budget("track_learner") == 15
    assert render.budget("dashboard") == render.budget("search") == 10
    table = render.format_table(
        {
            "dashboard": {"median_ms": 10.0, "p90_ms": 12.0, "bytes": 2048},
            "search": {"median_ms": 10.1, "p90_ms": 11.0, "bytes": 1024},
            "checkoff": {"median_ms": 3.0, "p90_ms": 4.0},
        }
    )
    lines = table.splitlines()
    assert lines[1].split() == ["dashboard", "10.0", "12.0", "10", "2", "ok"]
    assert lines[2].split() == ["search", "10.1", "11.0", "10", "1", "OVER"]
    assert lines[3].split() == ["checkoff", "3.0", "4.0", "10", "-", "ok"]


def test_a_percentile_is_the_nearest_rank():
    samples = [5.0, 1.0, 4.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert render.percentile(samples, 0.9) == 9.0
    assert render.percentile(samples, 0.5) == 5.0
    assert render.percentile([3.0], 0.9) == 3.0


@pytest.mark.django_db
def test_every_page_kind_and_a_check_off_answer_on_the_demo_data():
    demo.seed(SMALL)

    figures = render.measure_pages(rounds=2, warm_up=1)

    assert set(figures) == {*PAGES, "checkoff"}
    for name, row in figures.items():
        assert row["rounds"] == 2, name
        assert row["median_ms"] > 0, name
        assert row["path"].startswith("/"), name
    assert all(figures[name]["bytes"] > 1000 for name in PAGES)
