"""`make bench` (bench/run.py): the pure parts (wrk's JSON line, the report, the table, the static twin, the
checks that keep a login redirect from being measured), report.lua against a tiny local server, and one
end-to-end run at a tiny scale on PostgreSQL."""

import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.conf import settings
from django.db import connection

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


def measurement(rps, *, p50=10.0, errors=0) -> bench.Measurement:
    kinds = dict.fromkeys(bench.ERROR_KINDS, 0) | {"status": errors}
    return bench.Measurement(
        requests=int(rps * 10),
        duration_s=10.0,
        rps=rps,
        p50_ms=p50,
        p95_ms=p50 * 2,
        p99_ms=p50 * 3,
        errors=kinds,
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


# ---------- wrk's output ----------


def test_the_json_line_after_wrks_own_report_is_parsed():
    parsed = bench.parse_wrk_output(WRK_OUTPUT)
    assert parsed.requests == 13002
    assert parsed.rps == pytest.approx(1300.07)
    assert (parsed.p50_ms, parsed.p95_ms, parsed.p99_ms) == (11.876, 17.004, 25.449)
    assert parsed.errors == {"connect": 0, "read": 1, "write": 0, "timeout": 2, "status": 3}


def test_errors_are_connect_read_write_timeout_and_status_summed():
    assert bench.parse_wrk_output(WRK_OUTPUT).error_count == 6
    assert measurement(100, errors=0).error_count == 0


def test_wrk_output_without_the_json_line_is_an_error():
    with pytest.raises(bench.BenchError, match="no JSON line"):
        bench.parse_wrk_output("Running 10s test @ http://127.0.0.1:8000/\nunable to connect\n")


# ---------- The report ----------


def test_an_entry_has_the_figures_at_16_connections_and_errors_over_both_levels():
    entry = bench.entry({16: measurement(123.456, p50=1.23456, errors=2), 64: measurement(150, errors=5)})
    assert entry["rps"] == 123.5
    assert (entry["p50_ms"], entry["p95_ms"], entry["p99_ms"]) == (1.23, 2.47, 3.7)
    assert entry["errors"] == 7
    assert entry["at_64"] == {"rps": 150.0, "p50_ms": 10.0, "p95_ms": 20.0, "p99_ms": 30.0, "errors": 5}


def test_the_report_has_exactly_the_promised_keys_and_each_pages_ratio_to_static():
    static = {16: measurement(2000.0), 64: measurement(2500.0)}
    pages = {name: {16: measurement(100.0 + i), 64: measurement(90.0)} for i, name in enumerate(PAGES)}
    report = bench.build_report(10.0, static, pages, workers=5, cpu_count=2, duration_s=10)

    assert report["scale"] == 10
    assert set(report) == {"scale", "static", "pages", "workers", "cpu_count", "duration_s"}
    assert set(report["static"]) == FIGURES | {"at_64"}
    assert list(report["pages"]) == PAGES
    for values in report["pages"].values():
        assert set(values) == FIGURES | {"ratio_to_static", "at_64"}
        assert set(values["at_64"]) == FIGURES
    assert report["pages"]["home"]["ratio_to_static"] == 0.05
    assert report["pages"]["track_anon"]["ratio_to_static"] == 0.051  # 101 / 2000 rounded to 3 places
    json.dumps(report)  # plain JSON


def test_a_fractional_scale_stays_as_given_and_no_static_rps_gives_no_ratio():
    report = bench.build_report(0.01, {16: measurement(0.0)}, {"home": {16: measurement(5.0)}})
    assert report["scale"] == 0.01
    assert report["pages"]["home"]["ratio_to_static"] is None


def test_the_table_has_a_row_per_target_with_its_ratio():
    static = {16: measurement(2000.0), 64: measurement(2500.0)}
    report = bench.build_report(
        1, static, {"home": {16: measurement(500.0, errors=1), 64: measurement(400.0)}}
    )
    header, static_row, home_row = bench.format_table(report).splitlines()
    assert header.split()[:2] == ["name", "rps"]
    assert static_row.split() == ["static", "2000.0", "10.00", "20.00", "30.00", "0", "2500.0"]
    assert home_row.split() == ["home", "500.0", "10.00", "20.00", "30.00", "1", "0.250", "400.0"]


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
    summary = bench.log_summary(log)
    assert "1 × 2xx, 1 × 3xx, 1 × 4xx" in summary
    assert "warnings and errors: 2" in summary
    assert "WORKER TIMEOUT" in summary


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


@pytest.fixture
def recorder():
    Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


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


# ---------- The real thing, tiny ----------


@needs_wrk
@needs_redis
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL")
def test_make_bench_at_a_tiny_scale_measures_every_page_without_errors(tmp_path):
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    database_url = f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/roadmap_bench_test"
    out = tmp_path / "bench.json"
    args = ["--scale", "0.01", "--duration", "1", "--warm-up", "1", "--out", str(out)]
    args += ["--database-url", database_url, "--redis-url", "redis://127.0.0.1:6379/4"]
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    report = json.loads(out.read_text())
    assert report["scale"] == 0.01
    assert set(report["static"]) == FIGURES | {"at_64"}
    assert report["static"]["rps"] > 0
    assert report["static"]["errors"] == 0
    assert list(report["pages"]) == PAGES
    for name, values in report["pages"].items():
        assert set(values) == FIGURES | {"ratio_to_static", "at_64"}, name
        assert values["errors"] == 0, (name, values)
    assert report["bytes"]["static"] == report["bytes"]["track_anon"]
    assert "vs static" in result.stdout
    assert "stays for inspection" in result.stdout
