"""Load test of the site as it runs in production: `make bench`, i.e.

    python -m bench.run --scale 10 --out bench-results.json --duration 10

1. a fresh PostgreSQL database (dropped first if it exists), migrated and filled by `manage.py seed_demo`
   (run with bench.settings, the only settings that install it);
2. a production-mode gunicorn (default workers) with the shared Redis cache, on a free local port;
3. a session for the heavy demo learner, sessions for a few hundred more (the `mix` scenario, bench/mix.py),
   and one check of every target so a login redirect or an error page is never what gets measured;
4. for each target, a short warm-up, then rounds of [the static file, the target] at 16 connections, back to
   back, so each round's ratio compares two measurements taken under the same conditions; then one run at
   64 connections. The static file is exactly as large as the track page and served by the same gunicorn
   and whitenoise. The `mix` scenario runs like a page, then again on a server with PAGE_CACHE=false;
5. a table on stdout (each target's median figures, the median of its rounds' ratios and their range, and
   its target met or missed) and the figures as JSON. The database stays afterwards for inspection.

Every child process gets an environment built here, so the caller's DATABASE_URL and friends never leak in.
"""

import argparse
import itertools
import json
import math
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import psycopg
import redis
from psycopg import sql

from bench import mix
from bench.report import (
    BASE_CONNECTIONS,
    CONNECTIONS,
    ERROR_KINDS,
    Measurement,
    Round,
    Series,
    build_report,
    format_notes,
    format_table,
    log_summary,
    mix_run,
)

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).with_name("report.lua")
MIX_SCRIPT = Path(__file__).with_name("mix.lua")

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/roadmap_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
THREADS = 2
WRK_TIMEOUT = "5s"
IDLE_PROBE_SECONDS = 0.1  # a /healthz answered faster than this found a free worker
CALM_PROBES, CALM_RATIO = 3, 1.5  # or probes that stopped getting faster (wait_until_idle)
MAX_SETTLE_SECONDS = 5.0  # then at most this long for the requests other workers are still serving
# Each wrk run gets the next number, which mix.lua seeds its draws with.
WRK_RUNS = itertools.count(1)
# The static twin of the track page, inside STATIC_ROOT (whitenoise indexes it when gunicorn starts).
STATIC_TWIN = "bench/track-size.html"
# The settings that add the bench app (seed_demo) to the site's; every other child runs with the site's own.
SEED_SETTINGS = "bench.settings"
SEARCH_WORD = "python"
# The only variables of the caller's environment that reach the children: none of them configures the site.
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR")


class BenchError(Exception):
    """Something that stops the benchmark, with a message that says what and where to look."""


def say(message: str):
    print(f"==> {message}", flush=True)


# ---------- The environment, the database, the cache ----------


def child_environment(*, database_url: str, redis_url: str, static_root: Path) -> dict:
    """The production configuration every child runs with; a new secret key per run."""
    inherited = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return inherited | {
        "DJANGO_SETTINGS_MODULE": "roadmap_site.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(static_root),
        "GUNICORN_ACCESS_LOG": "",
        "PYTHONUNBUFFERED": "1",
    }


def create_database(database_url: str):
    """Drop the benchmark database if it exists (closing its connections) and create it empty."""
    url = urlsplit(database_url)
    name = url.path.lstrip("/")
    if not url.scheme.startswith("postgres") or not name:
        raise BenchError(
            f"--database-url must be a PostgreSQL URL with a database name, not {database_url!r}"
        )
    maintenance = url._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as error:
        raise BenchError(f"cannot reach PostgreSQL at {url.hostname}:{url.port or 5432}: {error}") from error


def flush_redis(redis_url: str):
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as error:
        raise BenchError(f"cannot reach Redis at {redis_url}: {error}") from error


def python(args: list[str], env: dict, *, capture: bool = False) -> str:
    """`python *args` in the project folder; output shown (or returned when captured), failure fatal."""
    result = subprocess.run(  # noqa: S603 - the project's own commands
        [sys.executable, *args], cwd=ROOT, env=env, text=True, capture_output=capture, check=False
    )
    if result.returncode != 0:
        detail = f":\n{result.stderr[-3000:]}" if capture else " (its output is above)"
        raise BenchError(f"`python {' '.join(args)}` exited with {result.returncode}{detail}")
    return result.stdout if capture else ""


def configured_workers(env: dict) -> int:
    """The workers gunicorn.conf.py gives the server in its environment."""
    script = "import runpy; print(runpy.run_path('gunicorn.conf.py')['workers'])"
    return int(python(["-c", script], env, capture=True))


# ---------- The server ----------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict, workdir: Path):
    """gunicorn serving the site until the block ends; its output appended to workdir/server.log.

    Its control socket goes in workdir too: gunicorn's default ($HOME/.gunicorn/gunicorn.ctl) is one per user,
    shared with any other gunicorn running on the machine.
    """
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("a") as log:
        process = subprocess.Popen(  # noqa: S603 - the project's own server
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "--control-socket",
                str(workdir / "gunicorn.ctl"),
            ],
            cwd=ROOT,
            env=env | {"HOST": "127.0.0.1", "PORT": str(port)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops every worker
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log_path)
        yield url
    finally:
        stop(process)


def wait_until_healthy(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s; see {log_path}")


def stop(process: subprocess.Popen):
    for stop_signal, grace in ((signal.SIGTERM, 35), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, stop_signal)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue


# ---------- What is measured ----------


@dataclass(frozen=True)
class Target:
    """One URL as wrk requests it, and what its single check expects of the answer."""

    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    status: int = 200
    location: str = ""  # for a redirect: exactly where to
    contains: tuple[str, ...] = ()  # what the body must show
    size: int | None = None  # the body's exact length in bytes
    sets_cookie: str = ""  # the name of a cookie the answer must set
    script: Path = LUA_SCRIPT  # the wrk script that drives it
    environment: dict[str, str] = field(default_factory=dict)  # more for the script

    def problems(self, response: httpx.Response) -> list[str]:
        found = []
        if response.status_code != self.status:
            where = f" to {response.headers['location']}" if "location" in response.headers else ""
            found.append(f"answered {response.status_code}{where}, expected {self.status}")
        if self.location and response.headers.get("location") != self.location:
            found.append(f"redirected to {response.headers.get('location')!r}, expected {self.location!r}")
        found += [f"the page does not show {text!r}" for text in self.contains if text not in response.text]
        if self.size is not None and len(response.content) != self.size:
            found.append(f"body is {len(response.content)} bytes, expected {self.size}")
        if self.sets_cookie and cookie_set(response, self.sets_cookie) is None:
            found.append(f"sets no {self.sets_cookie!r} cookie")
        return found

    def wrk_environment(self) -> dict:
        """What report.lua reads (the method, the body, the extra headers), and what another script reads."""
        headers = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        return {
            "BENCH_METHOD": self.method,
            "BENCH_BODY": self.body,
            "BENCH_HEADERS": headers,
        } | self.environment


def cookie_set(response: httpx.Response, name: str) -> str | None:
    """The value of the cookie `name` the answer sets, as a browser (and mix.lua) reads its Set-Cookie."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";")[0].split("=", 1)[1]
    return None


def learner_session(env: dict) -> dict:
    """Log the heavy demo learner in (bench/prepare.py) and return what it printed last."""
    return prepared(["-m", "bench.prepare"], env)


def prepared(args: list[str], env: dict) -> dict:
    """What `python *args` (bench/prepare.py) printed last, as JSON."""
    return json.loads(python(args, env, capture=True).strip().splitlines()[-1])


def page_targets(facts: dict) -> list[Target]:
    track = f"/tracks/{facts['track_slug']}/"
    csrf_token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    cookie = f"{facts['session_cookie']}={facts['session_key']}; {facts['csrf_cookie']}={csrf_token}"
    learner = {"Cookie": cookie}
    logged_in = mix.LEARNER_MARK
    checkoff_form = {
        "Cookie": cookie,
        "X-CSRFToken": csrf_token,  # the unmasked secret, as Django accepts it
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return [
        Target("home", "/"),
        Target("track_anon", track, contains=("Log in",)),
        Target("track_learner", track, headers=learner, contains=(logged_in, 'class="is-done')),
        Target("topic", f"/topics/{facts['topic_slug']}/"),
        Target("resources", "/resources/?" + urlencode({"kind": "video", "level": "beginner"})),
        Target("search", "/search/?" + urlencode({"q": SEARCH_WORD}), contains=('class="hit ',)),
        Target("dashboard", "/me/", headers=learner, contains=(logged_in, f'href="{track}"')),
        Target(
            "checkoff",
            f"/topics/{facts['topic_slug']}/status/",
            method="POST",
            headers=checkoff_form,
            body=urlencode({"status": "done", "next": track, "track": facts["track_slug"]}),
            status=302,
            location=track,
        ),
    ]


def static_target(size: int) -> Target:
    return Target("static", f"/static/{STATIC_TWIN}", size=size)


def static_twin(size: int) -> bytes:
    """An HTML-ish file of exactly `size` bytes."""
    head = (
        b'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Twin</title></head>\n<body>\n'
    )
    tail = b"</body></html>\n"
    line = b"<p>A static file as large as the track page, served by the same gunicorn and whitenoise.</p>\n"
    room = size - len(head) - len(tail)
    if room < 0:
        return (head + tail)[:size]
    return head + (line * (room // len(line) + 1))[:room] + tail


def track_page_size(env: dict, workdir: Path, track_path: str) -> int:
    """The anonymous track page's body size, from a server started just for that."""
    with gunicorn(env, workdir) as url:
        response = httpx.get(url + track_path, timeout=30)
    if response.status_code != 200:
        raise BenchError(f"{track_path} answered {response.status_code}; see {workdir / 'server.log'}")
    return len(response.content)


def check_targets(url: str, targets: list[Target]) -> dict[str, int]:
    """Request every target once; fail unless each answers as expected. Returns each body's size."""
    sizes, problems = {}, []
    for target in targets:
        response = httpx.request(
            target.method, url + target.path, headers=target.headers, content=target.body, timeout=60
        )
        sizes[target.name] = len(response.content)
        problems += [
            f"{target.name} ({target.method} {target.path}) {problem}"
            for problem in target.problems(response)
        ]
    if problems:
        raise BenchError(
            "a target does not answer as it should, so it won't be measured:\n  " + "\n  ".join(problems)
        )
    return sizes


# ---------- The mix scenario (bench/mix.py) ----------


def prepare_mix(env: dict, workdir: Path, learners: int) -> tuple[mix.MixData, Path, dict]:
    """Sessions for the mix's learners and its data (bench/prepare.py), written as the Lua data file mix.lua
    loads; returns the data, the file and the sizes prepare.py reported."""
    data_json = workdir / "mix.json"
    sizes = prepared(["-m", "bench.prepare", "mix", str(data_json), str(learners)], env)
    data = mix.MixData.from_json(json.loads(data_json.read_text()))
    lua_file = workdir / "mix-data.lua"
    lua_file.write_text(mix.lua_data(data))
    return data, lua_file, sizes


def mix_target(name: str, lua_file: Path, url: str) -> Target:
    """The mix scenario as wrk runs it: mix.lua over the data file, check-offs with this server's origin."""
    return Target(
        name, "/", script=MIX_SCRIPT, environment={"BENCH_MIX_DATA": str(lua_file), "BENCH_ORIGIN": url}
    )


def mix_checks(data: mix.MixData, url: str) -> list[Target]:
    """One request of each kind the mix sends, checked like the pages before anything is measured: learners
    logged in (the first, a middle and the last), a check-off redirecting to the topic's node and setting
    its message, the track page after it with that message, and the visitors' pages."""
    targets = []
    for number in sorted({0, len(data.learners) // 2, len(data.learners) - 1}):
        learner = data.learners[number]
        cookie = {"Cookie": mix_cookie(data, learner)}
        track = f"/tracks/{data.tracks[learner.track]}/"
        targets += [
            Target(f"mix learner {number} track", track, headers=cookie, contains=(mix.LEARNER_MARK,)),
            Target(f"mix learner {number} dashboard", "/me/", headers=cookie, contains=(mix.LEARNER_MARK,)),
        ]
    learner = next(learner for learner in data.learners if learner.checkoffs)
    track_number, topic_number = learner.checkoffs[0]
    track, topic = data.tracks[track_number], data.topics[topic_number]
    headers = {
        "Cookie": mix_cookie(data, learner),
        "X-CSRFToken": learner.csrf_token,
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": url,
        "Referer": f"{url}/tracks/{track}/",
    }
    targets.append(
        Target(
            "mix checkoff",
            f"/topics/{topic}/status/",
            method="POST",
            headers=headers,
            body=urlencode({"track": track, f"status-{topic}": data.done_label}),
            status=302,
            location=f"/tracks/{track}/#node-{topic}",
            sets_cookie=data.messages_cookie,
        )
    )
    targets += [
        Target("mix visitor home", "/"),
        Target("mix visitor tracks", "/tracks/"),
        Target("mix visitor track", f"/tracks/{data.tracks[-1]}/", contains=("Log in",)),
        Target("mix visitor topic", f"/topics/{data.topics[-1]}/"),
        Target("mix visitor resource", f"/resources/{data.resources[-1]}/"),
        Target("mix visitor resources", data.resource_lists[-1]),
        Target("mix visitor search", data.searches[0], contains=('class="hit ',)),
    ]
    return targets


def mix_cookie(data: mix.MixData, learner: mix.MixLearner) -> str:
    return f"{data.session_cookie}={learner.session_key}; {data.csrf_cookie}={learner.csrf_token}"


def check_mix(url: str, data: mix.MixData):
    """The mix's checks, and the track page a check-off leads to, with the message it set, shown in it."""
    checks = mix_checks(data, url)
    check_targets(url, checks)
    checkoff = next(target for target in checks if target.name == "mix checkoff")
    answer = httpx.post(url + checkoff.path, headers=checkoff.headers, content=checkoff.body, timeout=60)
    message = cookie_set(answer, data.messages_cookie) or ""
    follow = Target(
        "mix track after checkoff",
        checkoff.location.split("#")[0],
        headers={"Cookie": f"{checkoff.headers['Cookie']}; {data.messages_cookie}={message}"},
        contains=(mix.LEARNER_MARK, "is done."),
    )
    check_targets(url, [follow])


def stored_rows(env: dict) -> int:
    """How many topic progress rows the database holds (bench/prepare.py count)."""
    return int(prepared(["-m", "bench.prepare", "count"], env)["progress_rows"])


# ---------- wrk ----------


def parse_wrk_output(output: str) -> Measurement:
    """The JSON line report.lua (or mix.lua) prints: the last line of wrk's output that is a JSON object."""
    for line in reversed(output.splitlines()):
        if line.startswith("{"):
            data = json.loads(line)
            return Measurement(
                requests=int(data["requests"]),
                duration_s=float(data["duration_s"]),
                rps=float(data["rps"]),
                p50_ms=float(data["p50_ms"]),
                p95_ms=float(data["p95_ms"]),
                p99_ms=float(data["p99_ms"]),
                errors={kind: int(data["errors"].get(kind, 0)) for kind in ERROR_KINDS},
                counts=data.get("mix", {}),
            )
    raise BenchError(f"no JSON line from the wrk script in wrk's output:\n{output[-2000:]}")


def run_wrk(url: str, target: Target, *, connections: int, seconds: int, env: dict) -> Measurement:
    command = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={WRK_TIMEOUT}",
        f"--script={target.script}",
        url + target.path,
    ]
    result = subprocess.run(  # noqa: S603 - wrk on our own server
        command,
        env=env | target.wrk_environment() | {"BENCH_SEED": str(next(WRK_RUNS))},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {target.name} ({result.returncode}): {result.stderr.strip()}")
    return parse_wrk_output(result.stdout)


def wait_until_idle(url: str, timeout: float = 120.0, *, settle: float = 0.0):
    """Let the server finish what wrk left queued, so it never counts against the next measurement.

    When wrk stops, the requests it had sent are still in gunicorn's accept queue and get served anyway; a
    probe of /healthz waits behind them (the queue is first in, first out), so one answered at once means a
    worker was free. On a machine busy with other work even an idle server's probe can take longer than
    that; then, once probes stop getting faster (CALM_PROBES in a row within a factor CALM_RATIO of the
    fastest before them, either way), nothing wrk left is queued any more.

    A free worker doesn't mean every worker is: the others may still be serving the last requests they took.
    `settle` seconds more (the last measurement's p99, at most MAX_SETTLE_SECONDS) let those finish.
    """
    deadline = time.monotonic() + timeout
    fastest, calm = math.inf, 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        httpx.get(f"{url}/healthz", timeout=timeout)
        took = time.monotonic() - started
        calm = calm + 1 if fastest / CALM_RATIO <= took <= fastest * CALM_RATIO else 0
        if took < IDLE_PROBE_SECONDS or calm >= CALM_PROBES:
            time.sleep(min(settle, MAX_SETTLE_SECONDS))
            return
        fastest = min(fastest, took)
    say(f"Note: the server was still busy {timeout:.0f} s after wrk stopped")


def settled(url: str, measured: Measurement) -> Measurement:
    """`measured`, once the server has finished what wrk left (wait_until_idle)."""
    wait_until_idle(url, settle=measured.p99_ms / 1000)
    return measured


def measure_interleaved(
    url: str, target: Target, static: Target, *, rounds: int, seconds: int, warm_up: int, env: dict
) -> Series:
    """Warm up, then `rounds` × [static, target] at the base connection count, then one run of the target at
    each further count; each on an idle server."""

    def one(what: Target, connections: int) -> Measurement:
        return settled(url, run_wrk(url, what, connections=connections, seconds=seconds, env=env))

    warmed = None
    if warm_up > 0:
        warmed = settled(url, run_wrk(url, target, connections=BASE_CONNECTIONS, seconds=warm_up, env=env))
    done = []
    for number in range(1, rounds + 1):
        done.append(Round(static=one(static, BASE_CONNECTIONS), page=one(target, BASE_CONNECTIONS)))
        say(f"{target.name:<14} round {number}/{rounds}: {describe(done[-1].page)}  {ratio_text(done[-1])}")
    others = {}
    for connections in CONNECTIONS[1:]:
        others[connections] = one(target, connections)
        say(f"{target.name:<14} c={connections:<3}      {describe(others[connections])}")
    return Series(rounds=done, others=others, warm_up=warmed)


def describe(result: Measurement) -> str:
    return (
        f"{result.rps:9.1f} req/s  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
        f"errors {result.error_count}"
    )


def ratio_text(one: Round) -> str:
    return f"static {one.static.rps:9.1f} req/s  ratio " + ("-" if one.ratio is None else f"{one.ratio:.3f}")


def measure_static(
    url: str, static: Target, *, seconds: int, warm_up: int, env: dict
) -> dict[int, Measurement]:
    """The static file alone at each further connection count (its base figures come from the rounds)."""
    if warm_up > 0:
        settled(url, run_wrk(url, static, connections=BASE_CONNECTIONS, seconds=warm_up, env=env))
    others = {}
    for connections in CONNECTIONS[1:]:
        others[connections] = settled(
            url, run_wrk(url, static, connections=connections, seconds=seconds, env=env)
        )
        say(f"{static.name:<14} c={connections:<3}      {describe(others[connections])}")
    return others


# ---------- The run ----------

MIX_NAMES = ("mix", "mix_nocache")
# The mix starts cold: fresh workers and a flushed Redis, and a long tail of thousands of pages whose shared
# parts each worker builds or fetches once. Its throughput climbs for 30-40 s (0.10 of the static file's in
# the first 10 s, 0.14-0.15 in the next, then levelling), so with a page's 2 s of warm-up its median was
# mostly warm-up and moved with the rounds' length. It runs this long first, and that run is reported on its
# own line (format_mix), so the rounds measure the steady state and the cold start stays in view.
MIX_WARM_UP = 40


def default_rounds(duration: int) -> int:
    """Rounds per target: about 30 s of each target in them, at least 3 and at most 5."""
    return max(3, min(5, math.ceil(30 / duration)))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=positive(float), default=10.0, help="seed_demo's --scale (default 10)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"), help="where the JSON goes")
    parser.add_argument("--duration", type=positive(int), default=10, help="seconds per measurement (10)")
    parser.add_argument(
        "--rounds",
        type=positive(int),
        help="rounds of [static, target] per target (default: 3 to 5, about 30 s of each target)",
    )
    parser.add_argument("--warm-up", type=int, default=2, help="seconds of warm-up per target (2)")
    parser.add_argument(
        "--mix-warm-up",
        type=int,
        default=MIX_WARM_UP,
        help=f"seconds of the mix before its rounds, reported apart ({MIX_WARM_UP}): see MIX_WARM_UP",
    )
    parser.add_argument(
        "--mix-learners",
        type=positive(int),
        default=mix.DEFAULT_LEARNERS,
        help=f"learners logged in for the mix ({mix.DEFAULT_LEARNERS}, or all demo learners if fewer)",
    )
    parser.add_argument(
        "--only", type=names, help="measure only these targets, comma-separated (e.g. mix,mix_nocache)"
    )
    parser.add_argument("--strict", action="store_true", help="exit with 3 when a target is missed")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and created afresh")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis database, flushed at start")
    args = parser.parse_args(argv)
    if args.rounds is None:
        args.rounds = default_rounds(args.duration)
    known = {*(name for name in PAGE_NAMES), *MIX_NAMES}
    if args.only and (unknown := set(args.only) - known):
        parser.error(
            f"--only: unknown targets {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    return args


# The page targets' names, in the order page_targets() gives them.
PAGE_NAMES = ("home", "track_anon", "track_learner", "topic", "resources", "search", "dashboard", "checkoff")


def names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def positive(kind):
    def parse(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    return parse


def prepare_database(args: argparse.Namespace, env: dict):
    database = urlsplit(args.database_url).path.lstrip("/")
    say(f"Creating a fresh database {database}; flushing {args.redis_url}")
    create_database(args.database_url)
    flush_redis(args.redis_url)
    started = time.monotonic()
    python(["manage.py", "migrate", "--noinput", "--verbosity", "0"], env)
    say(f"Seeding demo data at scale {args.scale}...")
    seed_env = env | {"DJANGO_SETTINGS_MODULE": SEED_SETTINGS}
    python(["manage.py", "seed_demo", "--scale", str(args.scale)], seed_env)
    vacuum_analyze(args.database_url)
    python(["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
    say(f"Database and static files ready in {time.monotonic() - started:.0f} s")


def vacuum_analyze(database_url: str):
    """What PostgreSQL's autovacuum would do within a minute or two of a bulk load, done before measuring:
    statistics for the planner, and the visibility map that lets a query read an index alone."""
    with psycopg.connect(database_url, autocommit=True, connect_timeout=5) as connection:
        connection.execute("VACUUM ANALYZE")


def place_static_twin(env: dict, workdir: Path, pages: list[Target]) -> Target:
    """Write the static file as large as the anonymous track page, before the measured server starts."""
    size = track_page_size(env, workdir, next(page.path for page in pages if page.name == "track_anon"))
    twin = Path(env["STATIC_ROOT"]) / STATIC_TWIN
    twin.parent.mkdir(parents=True, exist_ok=True)
    twin.write_bytes(static_twin(size))
    return static_target(size)


@dataclass
class Results:
    """What the servers measured: the static file alone, each target's series, mix runs, body sizes."""

    static_others: dict[int, Measurement] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    mix_runs: dict[str, dict] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)


def benchmark(env: dict, workdir: Path, static: Target, pages: list[Target], mixed, args) -> Results:
    """Check every target once, then measure each, interleaved with the static file; then the mix on a server
    of its own, and once more on one without the page cache. `mixed` is (MixData, its Lua file), or None when
    the mix isn't measured."""
    results = Results()
    timing = {"rounds": args.rounds, "seconds": args.duration, "warm_up": args.warm_up, "env": env}
    with gunicorn(env, workdir) as url:
        say(f"gunicorn at {url}; checking every target once")
        results.sizes = check_targets(url, [static, *pages])
        if "track_anon" in results.sizes and results.sizes["track_anon"] != results.sizes["static"]:
            sizes = results.sizes
            say(f"Note: the track page is {sizes['track_anon']} bytes now, its static twin {sizes['static']}")
        say(
            f"Measuring: {args.warm_up} s warm-up, then {args.rounds} rounds of [static, target] for "
            f"{args.duration} s each at {BASE_CONNECTIONS} connections, then one at "
            f"{', '.join(map(str, CONNECTIONS[1:]))} connections"
        )
        results.static_others = measure_static(
            url, static, seconds=args.duration, warm_up=args.warm_up, env=env
        )
        for page in pages:
            results.series[page.name] = measure_interleaved(url, page, static, **timing)
    mix_timing = timing | {"warm_up": args.mix_warm_up}
    for name, server_env in (("mix", env), ("mix_nocache", env | {"PAGE_CACHE": "false"})):
        if mixed and wanted(name, args):
            # Cold, as MIX_WARM_UP says: fresh workers and a flushed Redis, so what ran before doesn't move
            # its figures and `--only mix` measures what a full run does (on the pages' server, by then ten
            # minutes old, the mix had measured 0.18-0.19 of the static file, 0.20-0.21 when run alone).
            flush_redis(args.redis_url)
            with gunicorn(server_env, workdir) as url:
                cache = server_env.get("PAGE_CACHE", "true")
                say(f"gunicorn with PAGE_CACHE={cache} at {url}; checking {name} once")
                check_mix(url, mixed[0])
                say(f"{name}: {args.mix_warm_up} s of it first, reported apart")
                measure_mix(url, name, static, mixed[1], results, mix_timing)
    return results


def measure_mix(url: str, name: str, static: Target, lua_file: Path, results: Results, timing: dict):
    """The mix like any target, and the topic-progress rows counted before and after it."""
    env = timing["env"]
    before = stored_rows(env)
    series = measure_interleaved(url, mix_target(name, lua_file, url), static, **timing)
    results.series[name] = series
    results.mix_runs[name] = mix_run(series, before, stored_rows(env))


def wanted(name: str, args: argparse.Namespace) -> bool:
    return not args.only or name in args.only


def run(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    env = child_environment(
        database_url=args.database_url, redis_url=args.redis_url, static_root=workdir / "static"
    )
    try:
        prepare_database(args, env)
        facts = learner_session(env)
        all_pages = page_targets(facts)
        pages = [page for page in all_pages if wanted(page.name, args)]
        mixed, mix_sizes = None, dict[str, int]()
        if any(wanted(name, args) for name in MIX_NAMES):
            data, lua_file, mix_sizes = prepare_mix(env, workdir, args.mix_learners)
            checking = mix_sizes["learners_checking_off"]
            say(
                f"Logged in {mix_sizes['learners']} learners for the mix, {checking} with topics to check off"
            )
            mixed = (data, lua_file)
        static = place_static_twin(env, workdir, all_pages)
        results = benchmark(env, workdir, static, pages, mixed, args)
    finally:
        shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)  # only the log stays
        log_path = workdir / "server.log"
        if log_path.exists():
            say(f"Server log: {log_path}")
            say(log_summary(log_path))
        say(f"The database {urlsplit(args.database_url).path.lstrip('/')} stays for inspection")
    report = build_report(
        args.scale,
        results.static_others,
        results.series,
        results.mix_runs,
        duration_s=args.duration,
        rounds=args.rounds,
        connections=list(CONNECTIONS),
        workers=configured_workers(env),
        cpu_count=os.cpu_count(),
        bytes=results.sizes,
        topic=facts["topic_slug"],
        topic_resources=facts["topic_resources"],
    )
    if mixed:
        report["mix"] = mix_sizes | {
            "weights": dict(mix.WEIGHTS),
            "weight_groups": mix.weight_groups(),
            "runs": results.mix_runs,
        }
    return report


def main(argv=None) -> int:
    args = parse_args(argv)
    # A plain `kill` still runs the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        report = run(args)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    print()
    print(format_table(report))
    print()
    print(format_notes(report))
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    say(f"Wrote {args.out}")
    return 3 if args.strict and report["missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
