"""`make bench` (bench/run.py): the pure parts (wrk's JSON line, the report, the table, the static twin, the
checks that keep a login redirect from being measured), report.lua against a tiny local server, and one
end-to-end run at a tiny scale on PostgreSQL."""

import json
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.conf import settings
from django.db import connection

from bench import mix, report
from bench import run as bench
from tests.ops.conftest import needs_redis

needs_wrk = pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make wrk)")

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.31ms    3.10ms  80.02ms   90.00%
    Req/Sec   650.10     40.20   720.00     70.00%
  13002 requests in 10.00s, 372.10MB read
Requests/sec:   1300.12
Transfer/sec:     37.20MB
{"requests": 13002, "duration_s": 10.001, "rps": 1300.070, "p50_ms": 11.876, "p95_ms": 17.004, "p99_ms": 25.449, "errors": {"connect": 0, "read": 1, "write": 0, "timeout": 2, "status": 3}}
"""


def measurement(rps, *, p50=10.0, errors=0, counts=None) -> report.Measurement:
    kinds = dict.fromkeys(report.ERROR_KINDS, 0) | {"status": errors}
    return report.Measurement(
        requests=int(rps * 10),
        duration_s=10.0,
        rps=rps,
        p50_ms=p50,
        p95_ms=p50 * 2,
        p99_ms=p50 * 3,
        errors=kinds,
        counts=counts or {},
    )


FACTS = {
    "session_cookie": "__Host-sessionid",
    "session_key": "k" * 32,
    "csrf_cookie": "__Host-csrftoken",
    "learner_email": "heavy@demo.example",
    "track_slug": "demo-track-01",
    "topic_slug": "demo-topic-007",
    "topic_resources": 12,
}
PAGES = ["home", "track_anon", "track_learner", "topic", "resources", "search", "dashboard", "checkoff"]
FIGURES = {"rps", "p50_ms", "p95_ms", "p99_ms", "errors"}
RATIOS = {"ratio_to_static", "ratio_min", "ratio_max"}
JUDGED = {"target", "verdict", "missed"}
STATIC_EXTRAS = {"rps_min", "rps_max", "measurements"}


# ---------- wrk's output ----------


def test_the_json_line_after_wrks_own_report_is_parsed():
    parsed = bench.parse_wrk_output(WRK_OUTPUT)
    assert parsed.requests == 13002
    assert parsed.rps == pytest.approx(1300.07)
    assert (parsed.p50_ms, parsed.p95_ms, parsed.p99_ms) == (11.876, 17.004, 25.449)
    assert parsed.errors == {"connect": 0, "read": 1, "write": 0, "timeout": 2, "status": 3, "unexpected": 0}
    assert parsed.counts == {}


def test_mix_luas_line_adds_unexpected_answers_and_its_counters():
    line = json.dumps(
        {
            "requests": 40, "duration_s": 1.0, "rps": 40.0, "p50_ms": 5.0, "p95_ms": 9.0, "p99_ms": 12.0,
            "errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0, "status": 1, "unexpected": 2},
            "mix": {"sent": {"checkoff": 4, "followup": 3}, "answered": {"checkoff": 3, "learner": 20}},
        }
    )  # fmt: skip
    parsed = bench.parse_wrk_output("Running 1s test\n" + line + "\n")
    assert parsed.error_count == 3
    assert parsed.counts["sent"] == {"checkoff": 4, "followup": 3}


def test_errors_are_connect_read_write_timeout_and_status_summed():
    assert bench.parse_wrk_output(WRK_OUTPUT).error_count == 6
    assert measurement(100, errors=0).error_count == 0


def test_wrk_output_without_the_json_line_is_an_error():
    with pytest.raises(bench.BenchError, match="no JSON line"):
        bench.parse_wrk_output("Running 10s test @ http://127.0.0.1:8000/\nunable to connect\n")


@pytest.mark.parametrize(
    ("latencies", "probes"),
    [
        ([0.05], 1),  # a worker was free at once
        ([2.0, 0.05], 2),  # the first probe waited behind what wrk left
        ([2.0, 0.4, 0.3, 0.35, 0.3], 5),  # a busy machine: probes stop getting faster
        ([5.0, 3.0, 2.0, 1.0, 0.5, 0.45, 0.5, 0.4], 8),  # still getting faster until the last three
    ],
)
def test_the_idle_wait_ends_at_a_fast_probe_or_once_probes_stop_getting_faster(
    monkeypatch, latencies, probes
):
    clock, sent = [0.0], []
    latency = iter(latencies)

    def get(url, timeout):
        sent.append(url)
        clock[0] += next(latency)

    def sleep(seconds):
        slept.append(seconds)

    slept: list[float] = []
    monkeypatch.setattr(bench, "httpx", type("Probe", (), {"get": staticmethod(get)}))
    clock_type = type(
        "Clock", (), {"monotonic": staticmethod(lambda: clock[0]), "sleep": staticmethod(sleep)}
    )
    monkeypatch.setattr(bench, "time", clock_type)
    bench.wait_until_idle("http://127.0.0.1:9", settle=0.2)
    assert sent == ["http://127.0.0.1:9/healthz"] * probes
    assert slept == [0.2]  # then the requests other workers still serve may finish


def test_the_idle_wait_lets_the_last_requests_finish_for_the_p99_seen_at_most_5_s(monkeypatch):
    settles, slept = [], []
    monkeypatch.setattr(bench, "wait_until_idle", lambda url, settle: settles.append(settle))
    assert bench.settled("http://x", measurement(100.0, p50=20.0)) == measurement(100.0, p50=20.0)
    assert settles == [0.06]  # p99 (3 × p50 in these measurements), in seconds

    monkeypatch.undo()
    monkeypatch.setattr(bench, "httpx", type("Probe", (), {"get": staticmethod(lambda url, timeout: None)}))
    monkeypatch.setattr(bench, "time", type("Clock", (), {"monotonic": lambda: 0.0, "sleep": slept.append}))
    bench.wait_until_idle("http://x", settle=30.0)
    assert slept == [5.0]


# ---------- Rounds, medians and the report ----------


def series(page_rps, static_rps, *, p99=30.0, errors=0, at_64=None) -> report.Series:
    """Rounds of [static, page] with these rps, and a run at 64 connections."""
    rounds = [
        report.Round(static=measurement(static), page=measurement(page, p50=p99 / 3, errors=errors))
        for page, static in zip(page_rps, static_rps, strict=True)
    ]
    return report.Series(rounds=rounds, others={64: at_64 or measurement(90.0)})


@pytest.mark.parametrize(
    ("ratios", "expected"),
    [
        ([0.5], (0.5, 0.5, 0.5)),
        ([0.9, 0.3, 0.6], (0.6, 0.3, 0.9)),  # the middle one, whatever the order
        ([0.2, 0.4, 0.3, 0.9], (0.35, 0.2, 0.9)),  # an even count: the mean of the middle two
        ([0.1234, 0.5678, 0.33333], (0.333, 0.123, 0.568)),  # rounded to 3 places
        ([None, 0.4, 0.6], (0.5, 0.4, 0.6)),  # a round whose static measured nothing has no ratio
        ([None], (None, None, None)),
        ([], (None, None, None)),
    ],
)
def test_the_ratio_is_the_median_of_the_rounds_with_their_range(ratios, expected):
    assert report.median_ratio(ratios) == expected


def test_each_rounds_ratio_is_its_page_over_its_own_static():
    one = report.Round(static=measurement(2000.0), page=measurement(500.0))
    assert one.ratio == 0.25
    assert report.Round(static=measurement(0.0), page=measurement(500.0)).ratio is None


def test_drift_of_the_static_file_between_rounds_does_not_move_the_median_ratio():
    # The machine slows down and speeds up: both measurements of a round move together.
    drifting = series([1400.0, 700.0, 2100.0], [2000.0, 1000.0, 3000.0])
    entry = report.entry(drifting)
    assert (entry["ratio_to_static"], entry["ratio_min"], entry["ratio_max"]) == (0.7, 0.7, 0.7)
    # The median rps itself still drifts: the figures are each the median over the rounds.
    assert entry["rps"] == 1400.0


def test_an_entry_has_the_median_figures_errors_over_every_run_and_each_round():
    entry = report.entry(
        series([100.0, 300.0, 200.0], [1000.0, 1000.0, 1000.0], errors=1, at_64=measurement(150, errors=5))
    )
    assert entry["rps"] == 200.0
    assert (entry["p50_ms"], entry["p95_ms"], entry["p99_ms"]) == (10.0, 20.0, 30.0)
    assert entry["errors"] == 3 + 5
    assert (entry["ratio_to_static"], entry["ratio_min"], entry["ratio_max"]) == (0.2, 0.1, 0.3)
    assert entry["at_64"] == {"rps": 150.0, "p50_ms": 10.0, "p95_ms": 20.0, "p99_ms": 30.0, "errors": 5}
    assert entry["rounds"][0] == {
        "static_rps": 1000.0,
        "rps": 100.0,
        "p99_ms": 30.0,
        "errors": 1,
        "ratio": 0.1,
    }
    assert len(entry["rounds"]) == 3


def test_a_warm_up_is_reported_apart_from_the_medians_and_its_errors_count():
    warmed = series([200.0, 200.0, 200.0], [1000.0] * 3)
    warmed = report.Series(rounds=warmed.rounds, others=warmed.others, warm_up=measurement(50.0, errors=2))
    entry = report.entry(warmed)
    assert entry["rps"] == 200.0  # the rounds' median, not pulled down by the warm-up
    assert entry["ratio_to_static"] == 0.2
    assert entry["errors"] == 2
    assert entry["warm_up"] == {
        "rps": 50.0,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "p99_ms": 30.0,
        "errors": 2,
        "seconds": 10.0,
    }
    assert "warm_up" not in report.entry(series([200.0], [1000.0]))


def test_the_mixs_cold_start_has_its_own_line_in_the_notes():
    cold = series([200.0] * 3, [1000.0] * 3)
    cold = report.Series(rounds=cold.rounds, others=cold.others, warm_up=measurement(100.0))
    run = report.mix_run(cold, 10, 20)
    built = report.build_report(1, {}, {"mix": cold}, {"mix": run}, rounds=3, duration_s=10)
    built["mix"] = {
        "learners": 300,
        "topics": 500,
        "resources": 5000,
        "resource_lists": 61,
        "searches": 65,
        "weight_groups": mix.weight_groups(),
        "runs": {"mix": run},
    }
    notes = report.format_notes(built)
    assert (
        "mix, its first 10 s (cold, before the rounds, not in their medians): 100.0 rps, 0.100 of the static "
        "file's median, p99 30.0 ms, 0 errors." in notes
    )


def test_the_report_has_exactly_the_promised_keys_and_each_pages_median_ratio():
    pages = {name: series([100.0 + i, 300.0, 50.0], [2000.0, 2000.0, 1000.0]) for i, name in enumerate(PAGES)}
    built = report.build_report(10.0, {64: measurement(2500.0)}, pages, workers=5, cpu_count=2)

    assert built["scale"] == 10
    assert set(built) == {"scale", "static", "pages", "verdict", "missed", "workers", "cpu_count"}
    assert set(built["static"]) == FIGURES | STATIC_EXTRAS | JUDGED | {"at_64"}
    assert built["static"]["measurements"] == 3 * len(PAGES)  # every round's static measurement
    assert (built["static"]["rps"], built["static"]["rps_min"], built["static"]["rps_max"]) == (
        2000.0,
        1000.0,
        2000.0,
    )
    assert list(built["pages"]) == PAGES
    for values in built["pages"].values():
        assert set(values) == FIGURES | RATIOS | JUDGED | {"at_64", "rounds"}
        assert set(values["at_64"]) == FIGURES
    assert built["pages"]["home"]["ratio_to_static"] == 0.05  # median of 0.05, 0.15, 0.05
    assert built["pages"]["track_anon"]["ratio_min"] == 0.05  # 101 / 2000 = 0.0505, rounded to 3 places
    json.dumps(built)  # plain JSON


def test_a_fractional_scale_stays_as_given_and_no_static_rps_gives_no_ratio():
    built = report.build_report(0.01, {}, {"home": series([5.0], [0.0])})
    assert built["scale"] == 0.01
    assert built["pages"]["home"]["ratio_to_static"] is None
    assert built["pages"]["home"]["missed"] == ["ratio - < 0.70"]


def test_targets_are_judged_on_the_median_ratio_p99_and_errors():
    pages = {
        "home": series([700.0, 800.0, 650.0], [1000.0] * 3),  # median 0.70: met
        "topic": series([690.0, 800.0, 650.0], [1000.0] * 3),  # median 0.69: missed
        "track_learner": series([500.0] * 3, [1000.0] * 3, p99=61.0),  # p99 over 60 ms
        "mix": series([250.0] * 3, [1000.0] * 3, p99=100.0),  # exactly at both limits: met
        "search": series([10.0] * 3, [1000.0] * 3, errors=1),  # no ratio target, but errors
    }
    built = report.build_report(1, {64: measurement(1000.0)}, pages)
    verdicts = {name: row["verdict"] for name, row in built["pages"].items()}
    assert verdicts == {
        "home": "PASS",
        "topic": "FAIL",
        "track_learner": "FAIL",
        "mix": "PASS",
        "search": "FAIL",
    }
    assert built["missed"] == {
        "topic": ["ratio 0.690 < 0.70"],
        "track_learner": ["p99 61.0 ms > 60 ms"],
        "search": ["3 errors"],
    }
    assert built["verdict"] == "FAIL"
    assert built["pages"]["mix"]["target"] == {"min_ratio": 0.2, "max_p99_ms": 100, "max_errors": 0}
    assert built["pages"]["search"]["target"] == {"min_ratio": None, "max_p99_ms": None, "max_errors": 0}
    assert built["static"]["verdict"] == "PASS"


def test_a_mix_whose_checkoffs_stored_nothing_fails():
    mix_series = series([250.0], [1000.0])
    answered = {"sent": {"checkoff": 5}, "answered": {"checkoff": 5}}
    stored = report.mix_run(mix_series, 100, 100) | answered
    built = report.build_report(1, {}, {"mix": mix_series}, {"mix": stored})
    assert built["pages"]["mix"]["missed"] == ["check-offs stored no rows"]
    assert report.stored_nothing(stored)
    assert not report.stored_nothing(stored | {"progress_rows_added": 1})
    assert not report.stored_nothing({"answered": {}, "progress_rows_added": 0})  # none answered


def test_a_mix_runs_counters_add_up_over_its_runs_warm_up_included():
    def counted(checkoffs):
        return measurement(10.0, counts={"sent": {"checkoff": checkoffs}, "answered": {"checkoff": 1}})

    mixed = report.Series(
        rounds=[report.Round(static=measurement(100.0), page=counted(2))],
        others={64: counted(3)},
        warm_up=counted(1),
    )
    run = report.mix_run(mixed, 10, 14)
    assert run == {
        "sent": {"checkoff": 6},
        "answered": {"checkoff": 3},
        "progress_rows_before": 10,
        "progress_rows_after": 14,
        "progress_rows_added": 4,
    }


def test_the_table_has_a_row_per_target_with_its_median_ratio_range_target_and_verdict():
    built = report.build_report(
        1,
        {64: measurement(2500.0)},
        {
            "home": series([500.0, 600.0], [2000.0, 2000.0], errors=1, at_64=measurement(400.0)),
            "mix": series([500.0], [2000.0], p99=45.0),
        },
    )
    header, static_row, home_row, mix_row = report.format_table(built).splitlines()
    assert header.split() == [
        "name",
        "rps",
        "p50",
        "ms",
        "p99",
        "ms",
        "errors",
        "vs",
        "static",
        "range",
        "rps@64",
        "target",
    ]
    assert static_row.split() == ["static", "2000.0", "10.00", "30.00", "0", "2500.0", "no", "errors", "PASS"]
    assert home_row.split() == [
        "home", "550.0", "10.00", "30.00", "2", "0.275", "0.250-0.300", "400.0", ">=0.70x", "FAIL"
    ]  # fmt: skip
    assert mix_row.split() == [
        "mix",
        "500.0",
        "15.00",
        "45.00",
        "0",
        "0.250",
        "0.250-0.250",
        "90.0",
        ">=0.20x",
        "p99<=100ms",
        "PASS",
    ]


def test_the_notes_say_how_to_read_the_table_and_what_was_missed():
    built = report.build_report(
        1, {}, {"home": series([500.0], [2000.0])}, rounds=1, duration_s=10, workers=5, cpu_count=2
    )
    notes = report.format_notes(built)
    assert "Medians of 1 rounds at 16 connections" in notes
    assert "2000.0-2000.0 rps over 1 rounds" in notes
    assert notes.endswith("Targets: 1 of 2 rows met; missed: home: ratio 0.250 < 0.70")


@pytest.mark.parametrize(("duration", "rounds"), [(1, 5), (5, 5), (8, 4), (10, 3), (30, 3), (60, 3)])
def test_the_default_rounds_give_each_target_about_30_seconds_between_3_and_5_rounds(duration, rounds):
    assert bench.default_rounds(duration) == rounds
    assert bench.parse_args(["--duration", str(duration)]).rounds == rounds


def test_options_rounds_only_and_strict():
    args = bench.parse_args(["--rounds", "4", "--only", "mix, home", "--strict", "--mix-learners", "20"])
    assert (args.rounds, args.only, args.strict, args.mix_learners) == (4, ("mix", "home"), True, 20)
    assert bench.parse_args([]).only is None
    assert (bench.parse_args([]).warm_up, bench.parse_args([]).mix_warm_up) == (2, 40)
    assert bench.parse_args(["--mix-warm-up", "5"]).mix_warm_up == 5
    with pytest.raises(SystemExit):
        bench.parse_args(["--only", "mix,nonsense"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--rounds", "0"])


# ---------- Targets and their checks ----------


@pytest.mark.parametrize("size", [0, 10, 100, 101, 28733, 250_000])
def test_the_static_twin_has_exactly_the_size_asked_for(size):
    twin = bench.static_twin(size)
    assert len(twin) == size
    if size > 200:
        assert twin.startswith(b"<!doctype html>")
        assert twin.endswith(b"</html>\n")


def test_the_targets_are_every_page_with_the_learners_cookies_where_needed():
    targets = {target.name: target for target in bench.page_targets(FACTS)}
    assert list(targets) == PAGES
    assert targets["track_anon"].path == targets["track_learner"].path == "/tracks/demo-track-01/"
    assert "Cookie" not in targets["track_anon"].headers
    cookie = targets["dashboard"].headers["Cookie"]
    assert cookie.startswith("__Host-sessionid=" + "k" * 32 + "; __Host-csrftoken=")
    checkoff = targets["checkoff"]
    token = checkoff.headers["X-CSRFToken"]
    assert len(token) == 32
    assert token.isalnum()
    assert checkoff.headers["Cookie"] == f"__Host-sessionid={'k' * 32}; __Host-csrftoken={token}"
    assert (checkoff.method, checkoff.path, checkoff.status) == (
        "POST",
        "/topics/demo-topic-007/status/",
        302,
    )
    assert checkoff.body == "status=done&next=%2Ftracks%2Fdemo-track-01%2F&track=demo-track-01"
    assert checkoff.location == "/tracks/demo-track-01/"
    assert targets["resources"].path == "/resources/?kind=video&level=beginner"
    assert targets["search"].path == "/search/?q=python"


def test_a_login_redirect_or_a_page_without_the_learners_progress_is_refused():
    targets = {target.name: target for target in bench.page_targets(FACTS)}
    to_login = httpx.Response(
        302, headers={"location": "/accounts/login/?next=/topics/demo-topic-007/status/"}
    )
    assert any("/accounts/login/" in problem for problem in targets["checkoff"].problems(to_login))
    back = httpx.Response(302, headers={"location": "/tracks/demo-track-01/"})
    assert targets["checkoff"].problems(back) == []

    visitors_page = httpx.Response(200, text="<a>Log in</a> Sign up")
    assert len(targets["track_learner"].problems(visitors_page)) == 2
    learners_page = httpx.Response(
        200, text='<li class="is-done"><a href="/topics/demo-topic-001/">Topic (done)</a></li> Log out'
    )
    assert targets["track_learner"].problems(learners_page) == []
    assert targets["home"].problems(httpx.Response(500, text="oops")) == ["answered 500, expected 200"]


def test_a_static_file_of_the_wrong_size_is_refused():
    target = bench.static_target(10)
    assert target.problems(httpx.Response(200, content=b"x" * 10)) == []
    assert target.problems(httpx.Response(200, content=b"x" * 11)) == ["body is 11 bytes, expected 10"]


def test_children_get_the_production_configuration_and_nothing_else_of_the_callers(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///caller.sqlite3")
    monkeypatch.setenv("WEB_CONCURRENCY", "17")
    monkeypatch.setenv("EMAIL_URL", "smtp://caller")
    env = bench.child_environment(
        database_url="postgres://postgres@127.0.0.1:5432/roadmap_bench",
        redis_url="redis://127.0.0.1:6379/3",
        static_root=tmp_path,
    )
    assert env["DATABASE_URL"] == "postgres://postgres@127.0.0.1:5432/roadmap_bench"
    assert env["DJANGO_ENV"] == "production"
    assert env["SECURE_SSL_REDIRECT"] == "false"
    assert env["GUNICORN_ACCESS_LOG"] == ""
    assert len(env["SECRET_KEY"]) >= 50
    assert "WEB_CONCURRENCY" not in env
    assert "EMAIL_URL" not in env


def test_the_server_log_summary_counts_answers_and_shows_warnings(tmp_path):
    log = tmp_path / "server.log"
    lines = [
        "[2026-01-01 00:00:00 +0000] [1] [INFO] Booting worker with pid: 2",
        json.dumps({"level": "INFO", "logger": "roadmap.requests", "status": 200}),
        json.dumps({"level": "INFO", "logger": "roadmap.requests", "status": 302}),
        json.dumps({"level": "WARNING", "logger": "django.request", "message": "Not Found: /x"}),
        json.dumps({"level": "INFO", "logger": "roadmap.requests", "status": 404}),
        "[2026-01-01 00:00:01 +0000] [1] [CRITICAL] WORKER TIMEOUT (pid:2)",
    ]
    log.write_text("\n".join(lines) + "\n")
    summary = report.log_summary(log)
    assert "1 × 2xx, 1 × 3xx, 1 × 4xx" in summary
    assert "warnings and errors: 2" in summary
    assert "WORKER TIMEOUT" in summary


# ---------- The mix's data and its Lua file ----------

DATA = mix.MixData(
    session_cookie="__Host-sessionid",
    csrf_cookie="__Host-csrftoken",
    messages_cookie="messages",
    done_label="Done",
    tracks=("demo-track-01", "demo-track-02"),
    track_topics=((0, 1, 2), (2, 3)),
    topics=("demo-topic-001", "demo-topic-002", "demo-topic-003", "demo-topic-004"),
    resources=(11, 12, 13),
    resource_lists=("/resources/", "/resources/?kind=video"),
    searches=("/search/?q=python", "/search/?q=caching"),
    learners=(
        mix.MixLearner("s" * 32, "A" * 32, 0, ((0, 1), (1, 3))),
        mix.MixLearner("t" * 32, "B" * 32, 1, ((1, 2),)),
        mix.MixLearner("u" * 32, "C" * 32, 0, ()),  # started every topic: never checks off
    ),
)


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines\r", '"two\\nlines\\r"'),
        ("nul\0", '"nul\\0"'),
        ("Tomás", '"Tomás"'),
    ],
)
def test_lua_strings_escape_what_lua_would_misread(text, literal):
    assert mix.lua_string(text) == literal


def test_lua_values_are_tables_numbers_strings_and_booleans():
    value = {"a": [1, 2.5, "x"], "b": True, "c": False, "d": []}
    assert mix.lua_value(value) == '{["a"] = {1, 2.5, "x"}, ["b"] = true, ["c"] = false, ["d"] = {}}'
    with pytest.raises(TypeError):
        mix.lua_value(None)


def test_the_lua_data_counts_from_1_and_packs_long_lists_of_numbers_into_strings():
    lua = mix.lua_data(DATA)
    lines = lua.splitlines()
    assert lines[0].startswith("-- Generated by bench/run.py")
    assert lines[1] == "return {"
    assert lines[-1] == "}"
    fields = dict(line.strip().rstrip(",").split(" = ", 1) for line in lines[2:-1])
    assert fields["session_cookie"] == '"__Host-sessionid"'
    assert fields["learner_mark"] == '"Log out"'
    assert fields["done_label"] == '"Done"'
    assert fields["tracks"] == '{"demo-track-01", "demo-track-02"}'
    assert fields["track_topics"] == '{"1 2 3", "3 4"}'  # topic indices from 1
    assert fields["resources"] == '"11 12 13"'  # primary keys as they are
    assert fields["searches"] == '{"/search/?q=python", "/search/?q=caching"}'
    # Each learner: session, CSRF token, their track (from 1), their check-offs as "track:topic" (from 1).
    learners = [f'{{"{"s" * 32}", "{"A" * 32}", 1, "1:2 2:4"}}', f'{{"{"t" * 32}", "{"B" * 32}", 2, "2:3"}}']
    learners.append(f'{{"{"u" * 32}", "{"C" * 32}", 1, ""}}')
    assert fields["learners"] == "{" + ", ".join(learners) + "}"
    assert fields["weights"].startswith('{{"learner_track", 20}, {"learner_topic", 18}')
    assert sum(mix.WEIGHTS.values()) == 100


def test_the_lua_data_takes_other_weights_and_leaves_out_those_at_zero():
    lua = mix.lua_data(DATA, {"checkoff": 1, "visitor_home": 1, "visitor_search": 0})
    assert '  weights = {{"checkoff", 1}, {"visitor_home", 1}},' in lua.splitlines()
    with pytest.raises(ValueError, match="unknown actions"):
        mix.lua_data(DATA, {"dance": 1})


def test_the_weights_add_up_to_60_for_learners_10_for_checkoffs_30_for_visitors():
    assert mix.weight_groups() == {"learners": 60, "checkoffs": 10, "visitors": 30}


def test_the_mix_data_goes_through_json_unchanged_and_is_checked():
    assert mix.MixData.from_json(json.loads(json.dumps(DATA.to_json()))) == DATA
    assert DATA.problems() == []
    from dataclasses import replace

    broken = replace(
        DATA,
        searches=(),
        track_topics=((0, 9), ()),
        learners=(mix.MixLearner("s", "c", 1, ()), mix.MixLearner("s", "c", 0, ((1, 0),))),
    )
    assert broken.problems() == [
        "no searches",
        "a track's topic is not in the topics",
        "learner 0 has no track with topics",
        "learner 1 would check off a topic outside its track",
    ]
    done_everything = replace(DATA, learners=(mix.MixLearner("s", "c", 0, ()),))
    assert done_everything.problems() == ["no learner has anything left to check off"]


def test_the_mix_is_checked_with_each_kind_of_request_before_it_is_measured():
    checks = {target.name: target for target in bench.mix_checks(DATA, "http://127.0.0.1:9")}
    assert list(checks) == [
        "mix learner 0 track",
        "mix learner 0 dashboard",
        "mix learner 1 track",
        "mix learner 1 dashboard",
        "mix learner 2 track",
        "mix learner 2 dashboard",
        "mix checkoff",
        "mix visitor home",
        "mix visitor tracks",
        "mix visitor track",
        "mix visitor topic",
        "mix visitor resource",
        "mix visitor resources",
        "mix visitor search",
    ]
    assert checks["mix learner 1 track"].path == "/tracks/demo-track-02/"
    assert (
        checks["mix learner 1 track"].headers["Cookie"]
        == f"__Host-sessionid={'t' * 32}; __Host-csrftoken={'B' * 32}"
    )
    assert checks["mix learner 1 track"].contains == ("Log out",)
    checkoff = checks["mix checkoff"]
    assert (checkoff.method, checkoff.path, checkoff.status) == (
        "POST",
        "/topics/demo-topic-002/status/",
        302,
    )
    assert checkoff.body == "track=demo-track-01&status-demo-topic-002=Done"
    assert checkoff.location == "/tracks/demo-track-01/#node-demo-topic-002"
    assert checkoff.headers["X-CSRFToken"] == "A" * 32
    assert checkoff.headers["Origin"] == "http://127.0.0.1:9"
    assert checkoff.headers["Referer"] == "http://127.0.0.1:9/tracks/demo-track-01/"
    assert checkoff.sets_cookie == "messages"
    assert checkoff.problems(httpx.Response(302, headers={"location": checkoff.location})) == [
        "sets no 'messages' cookie"
    ]
    answered = httpx.Response(
        302, headers={"location": checkoff.location, "set-cookie": "messages=abc; Path=/"}
    )
    assert checkoff.problems(answered) == []


# ---------- report.lua, through wrk, against a tiny local server ----------


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers wrk
    seen: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append((self.command, self.path, dict(self.headers), body))
        self.send_response(500 if self.path == "/broken" else 302)
        self.send_header("Location", "/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    """A stand-in server that doesn't print wrk hanging up: at the end of a run wrk closes its keep-alive
    connections, some while the handler waits for their next request. Any other error is printed."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(handler):
    """`handler` served on a free local port in a thread, for the block; its base URL."""
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def recorder():
    Recorder.seen = []
    with serving(Recorder) as url:
        yield url


@needs_wrk
def test_report_lua_sends_the_targets_method_headers_and_body_and_counts_bad_answers(recorder):
    post = bench.Target(
        "post",
        "/status/",
        method="POST",
        headers={
            "Cookie": "a=1; b=2",
            "X-CSRFToken": "t" * 32,
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body="status=done&next=%2F",
    )
    result = bench.run_wrk(recorder, post, connections=2, seconds=1, env={"PATH": os.environ["PATH"]})
    assert result.requests > 0
    assert result.rps > 0
    assert result.error_count == 0
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
    method, path, headers, body = Recorder.seen[0]
    assert (method, path, body) == ("POST", "/status/", "status=done&next=%2F")
    assert headers["Cookie"] == "a=1; b=2"
    assert headers["X-CSRFToken"] == "t" * 32
    assert "Origin" not in headers

    broken = bench.Target("broken", "/broken", method="POST", body="x=1")
    result = bench.run_wrk(recorder, broken, connections=2, seconds=1, env={"PATH": os.environ["PATH"]})
    assert result.errors["status"] == result.requests > 0


# ---------- mix.lua, through wrk, against a fake site ----------


class FakeSite(BaseHTTPRequestHandler):
    """Answers as the site does: a learner's page (their session cookie) shows "Log out", a visitor's "Log in";
    a check-off redirects to the topic's node on the track's page and sets a message cookie. `forgets` makes
    it answer every learner as a visitor, `logs_out` sends every check-off to the login page."""

    protocol_version = "HTTP/1.1"
    seen: list = []
    lock = threading.Lock()
    forgets = False
    logs_out = False

    def do_GET(self):
        self.record("")
        learner = "__Host-sessionid=" in self.headers.get("Cookie", "") and not self.forgets
        self.answer(200, b"<html>" + (b"Log out" if learner else b"Log in") + b"</html>")

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.record(body)
        fields = dict(pair.split("=") for pair in body.split("&"))
        topic = self.path.split("/")[2]
        if self.logs_out:
            self.answer(302, b"", Location=f"/accounts/login/?next={self.path}")
        else:
            location = f"/tracks/{fields['track']}/#node-{topic}"
            self.answer(302, b"", Location=location, **{"Set-Cookie": f"messages=done-{topic}; Path=/"})

    def record(self, body):
        with self.lock:
            self.seen.append((self.command, self.path, dict(self.headers), body))

    def answer(self, status, body, **headers):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_site():
    FakeSite.seen, FakeSite.forgets, FakeSite.logs_out = [], False, False
    with serving(FakeSite) as url:
        yield url


def run_mix(url, tmp_path, weights=None, seconds=1) -> report.Measurement:
    lua_file = tmp_path / "mix-data.lua"
    lua_file.write_text(mix.lua_data(DATA, weights or mix.WEIGHTS))
    target = bench.mix_target("mix", lua_file, url)
    return bench.run_wrk(url, target, connections=4, seconds=seconds, env={"PATH": os.environ["PATH"]})


def cookies(headers) -> dict:
    return dict(pair.split("=", 1) for pair in headers.get("Cookie", "").split("; ") if pair)


@needs_wrk
def test_mix_lua_sends_learners_visitors_and_checkoffs_each_followed_by_that_learners_track_page(
    fake_site, tmp_path
):
    result = run_mix(fake_site, tmp_path)

    assert result.requests > 0
    assert result.error_count == 0, result
    sent, answered = result.counts["sent"], result.counts["answered"]
    assert set(sent) == {*mix.WEIGHTS, "followup"}
    assert sent["checkoff"] > 0
    assert 0 < answered["checkoff"] <= sent["checkoff"]
    assert answered["learner"] > 0
    assert answered["visitor"] > 0
    assert answered["stray_redirect"] == answered["other"] == answered["learner_as_visitor"] == 0
    learners = {learner.session_key: learner for learner in DATA.learners}
    paths = {path.split("?")[0] for _, path, _, _ in FakeSite.seen}
    assert "/" in paths
    assert "/me/" in paths
    assert paths & {"/resources/11/", "/resources/12/", "/resources/13/"}

    posts = [(number, seen) for number, seen in enumerate(FakeSite.seen) if seen[0] == "POST"]
    assert posts
    for _, (_, path, headers, body) in posts:
        own = cookies(headers)
        learner = learners[own["__Host-sessionid"]]
        assert own["__Host-csrftoken"] == headers["X-CSRFToken"] == learner.csrf_token
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert headers["Origin"] == fake_site
        track, topic = body.split("&")[0].removeprefix("track="), path.split("/")[2]
        assert headers["Referer"] == f"{fake_site}/tracks/{track}/"
        assert body == f"track={track}&status-{topic}=Done"
        assert (DATA.tracks.index(track), DATA.topics.index(topic)) in learner.checkoffs
    assert {cookies(seen[2])["__Host-sessionid"] for _, seen in posts} <= {"s" * 32, "t" * 32}

    # Every GET with a message cookie is the track page of a check-off that the same learner sent before it.
    follow_ups = [
        (number, seen) for number, seen in enumerate(FakeSite.seen) if "messages" in cookies(seen[2])
    ]
    assert len(follow_ups) == sent["followup"] > 0
    for number, (method, path, headers, _) in follow_ups:
        own = cookies(headers)
        topic = own["messages"].removeprefix("done-")
        assert method == "GET"
        assert any(
            earlier < number
            and cookies(post[2])["__Host-sessionid"] == own["__Host-sessionid"]
            and post[1] == f"/topics/{topic}/status/"
            and post[3].startswith(f"track={path.split('/')[2]}&")
            for earlier, post in posts
        ), (path, own)


@needs_wrk
def test_mix_lua_counts_a_login_redirect_as_unexpected(fake_site, tmp_path):
    FakeSite.logs_out = True
    result = run_mix(fake_site, tmp_path, weights={"checkoff": 1})
    assert result.counts["answered"]["checkoff"] == 0
    assert result.errors["unexpected"] == result.counts["answered"]["stray_redirect"] == result.requests > 0
    assert result.counts["sent"]["followup"] == 0


@needs_wrk
def test_mix_lua_counts_a_learner_answered_as_a_visitor_as_unexpected(fake_site, tmp_path):
    FakeSite.forgets = True
    result = run_mix(fake_site, tmp_path, weights={"learner_dashboard": 1, "visitor_home": 1})
    answered = result.counts["answered"]
    assert answered["learner"] == 0
    assert answered["learner_as_visitor"] > 0
    assert result.errors["unexpected"] == answered["learner_as_visitor"]


# ---------- The real thing, tiny ----------


def bench_database_url() -> str:
    """A benchmark database named after this test run's own database, so parallel runs never share one."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}{password}@{host}/{db['NAME']}_bench"


@needs_wrk
@needs_redis
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL")
def test_make_bench_at_a_tiny_scale_measures_every_page_and_the_mix_without_errors(tmp_path):
    out = tmp_path / "bench.json"
    args = ["--scale", "0.01", "--duration", "1", "--warm-up", "1", "--rounds", "2", "--out", str(out)]
    args += ["--mix-learners", "5", "--mix-warm-up", "1", "--database-url", bench_database_url()]
    # BENCH_TEST_REDIS_URL: another Redis database, when something else uses the 4th meanwhile.
    args += ["--redis-url", os.environ.get("BENCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")]
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    built = json.loads(out.read_text())
    assert built["scale"] == 0.01
    assert built["rounds"] == 2
    assert set(built["static"]) == FIGURES | STATIC_EXTRAS | JUDGED | {"at_64"}
    assert built["static"]["rps"] > 0
    assert built["static"]["errors"] == 0
    assert built["static"]["measurements"] == 2 * (len(PAGES) + 2)
    assert list(built["pages"]) == [*PAGES, "mix", "mix_nocache"]
    for name, values in built["pages"].items():
        assert set(values) == FIGURES | RATIOS | JUDGED | {"at_64", "rounds", "warm_up"}, name
        assert values["warm_up"]["seconds"] >= 1, name
        assert values["errors"] == 0, (name, values)
        assert len(values["rounds"]) == 2, name
        assert values["ratio_min"] <= values["ratio_to_static"] <= values["ratio_max"], name
    assert built["verdict"] in {"PASS", "FAIL"}  # a tiny run on a busy machine may miss the targets
    assert built["bytes"]["static"] == built["bytes"]["track_anon"]

    mixed = built["mix"]
    assert mixed["learners"] == 5
    assert mixed["weights"] == mix.WEIGHTS
    assert built["pages"]["mix"]["rps"] > 0
    for name in ("mix", "mix_nocache"):
        run = mixed["runs"][name]
        assert set(run["sent"]) == {*mix.WEIGHTS, "followup"}, name
        assert run["sent"]["checkoff"] > 0, name
        # At 1 s a run on a busy machine may get few answers (a render without the page cache can take
        # seconds), but none is wrong, and every check-off the server took stored its row.
        assert set(run["answered"]) == {
            "learner",
            "visitor",
            "checkoff",
            "stray_redirect",
            "other",
            "learner_as_visitor",
        }
        assert run["answered"]["stray_redirect"] == run["answered"]["learner_as_visitor"] == 0, name
        assert run["answered"]["other"] == 0, name
        assert run["progress_rows_added"] > 0, (name, run)
        assert run["progress_rows_after"] == run["progress_rows_before"] + run["progress_rows_added"]
    assert "vs static" in result.stdout
    assert "Targets:" in result.stdout
    assert "stays for inspection" in result.stdout
