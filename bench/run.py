"""Load test of the site as it runs in production: `make bench`, i.e.

    python -m bench.run --scale 10 --out bench-results.json --duration 10

1. a fresh PostgreSQL database (dropped first if it exists), migrated and filled by `manage.py seed_demo`
   (run with bench.settings, the only settings that install it);
2. a production-mode gunicorn (default workers) with the shared Redis cache, on a free local port;
3. a session for the heavy demo learner, and one check of every target so a login redirect or an error
   page is never what gets measured;
4. wrk against each target at 16 then 64 connections, after a short warm-up, and the same against a static
   file exactly as large as the track page, served by the same gunicorn and whitenoise;
5. a table on stdout and the figures as JSON. The database stays afterwards for inspection.

Every child process gets an environment built here, so the caller's DATABASE_URL and friends never leak in.
"""

import argparse
import json
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
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx
import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
LUA_SCRIPT = Path(__file__).with_name("report.lua")

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/roadmap_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/3"
THREADS = 2
CONNECTIONS = (16, 64)  # the report's figures are at the first; errors are summed over all
BASE_CONNECTIONS = CONNECTIONS[0]
WRK_TIMEOUT = "5s"
IDLE_PROBE_SECONDS = 0.1  # a /healthz answered faster than this found a free worker
ERROR_KINDS = ("connect", "read", "write", "timeout", "status")
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
        return found

    def wrk_environment(self) -> dict:
        """What report.lua reads: the method, the body and the extra headers."""
        headers = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        return {"BENCH_METHOD": self.method, "BENCH_BODY": self.body, "BENCH_HEADERS": headers}


def learner_session(env: dict) -> dict:
    """Log the heavy demo learner in (bench/prepare.py) and return what it printed last."""
    return json.loads(python(["-m", "bench.prepare"], env, capture=True).strip().splitlines()[-1])


def page_targets(facts: dict) -> list[Target]:
    track = f"/tracks/{facts['track_slug']}/"
    csrf_token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    cookie = f"{facts['session_cookie']}={facts['session_key']}; {facts['csrf_cookie']}={csrf_token}"
    learner = {"Cookie": cookie}
    logged_in = "Log out"
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


# ---------- wrk ----------


@dataclass(frozen=True)
class Measurement:
    requests: int
    duration_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: dict[str, int]  # by kind: connect, read, write, timeout, status (answers of 400 and above)

    @property
    def error_count(self) -> int:
        return sum(self.errors.get(kind, 0) for kind in ERROR_KINDS)


def parse_wrk_output(output: str) -> Measurement:
    """The JSON line report.lua prints (the last line of wrk's output that is a JSON object)."""
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
                errors={kind: int(data["errors"][kind]) for kind in ERROR_KINDS},
            )
    raise BenchError(f"no JSON line from report.lua in wrk's output:\n{output[-2000:]}")


def run_wrk(url: str, target: Target, *, connections: int, seconds: int, env: dict) -> Measurement:
    command = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={WRK_TIMEOUT}",
        f"--script={LUA_SCRIPT}",
        url + target.path,
    ]
    result = subprocess.run(  # noqa: S603 - wrk on our own server
        command,
        env=env | target.wrk_environment(),
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {target.name} ({result.returncode}): {result.stderr.strip()}")
    return parse_wrk_output(result.stdout)


def wait_until_idle(url: str, timeout: float = 120.0):
    """Let the server finish what wrk left queued, so it never counts against the next measurement.

    When wrk stops, the requests it had sent are still in gunicorn's accept queue and get served anyway; a
    probe of /healthz waits behind them, so one that is answered at once means a worker was free.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        httpx.get(f"{url}/healthz", timeout=timeout)
        if time.monotonic() - started < IDLE_PROBE_SECONDS:
            return
    say(f"Note: the server was still busy {timeout:.0f} s after wrk stopped")


def measure(url: str, target: Target, *, seconds: int, warm_up: int, env: dict) -> dict[int, Measurement]:
    """Warm up at the base connection count, then one run per connection count, each on an idle server."""
    if warm_up > 0:
        run_wrk(url, target, connections=BASE_CONNECTIONS, seconds=warm_up, env=env)
        wait_until_idle(url)
    levels = {}
    for connections in CONNECTIONS:
        levels[connections] = run_wrk(url, target, connections=connections, seconds=seconds, env=env)
        wait_until_idle(url)
        result = levels[connections]
        say(
            f"{target.name:<14} c={connections:<3} {result.rps:9.1f} req/s  p50 {result.p50_ms:8.2f} ms  "
            f"p99 {result.p99_ms:8.2f} ms  errors {result.error_count}"
        )
    return levels


# ---------- The report ----------


def figures(measurement: Measurement) -> dict:
    return {
        "rps": round(measurement.rps, 1),
        "p50_ms": round(measurement.p50_ms, 2),
        "p95_ms": round(measurement.p95_ms, 2),
        "p99_ms": round(measurement.p99_ms, 2),
        "errors": measurement.error_count,
    }


def entry(levels: dict[int, Measurement]) -> dict:
    """The figures at the base connection count, errors summed over all counts, and each other count's own."""
    base = figures(levels[BASE_CONNECTIONS])
    base["errors"] = sum(measurement.error_count for measurement in levels.values())
    others = {
        f"at_{connections}": figures(m)
        for connections, m in levels.items()
        if connections != BASE_CONNECTIONS
    }
    return base | others


def ratio(page: Measurement, static: Measurement) -> float | None:
    return round(page.rps / static.rps, 3) if static.rps else None


def build_report(
    scale: float, static: dict[int, Measurement], pages: dict[str, dict[int, Measurement]], **metadata
) -> dict:
    """{"scale", "static": {...}, "pages": {name: {..., "ratio_to_static"}}} plus any metadata keys."""
    report = {
        "scale": int(scale) if float(scale).is_integer() else scale,
        "static": entry(static),
        "pages": {
            name: entry(levels)
            | {"ratio_to_static": ratio(levels[BASE_CONNECTIONS], static[BASE_CONNECTIONS])}
            for name, levels in pages.items()
        },
    }
    return report | metadata


def format_table(report: dict) -> str:
    """One row per target: the figures at the base connection count, the ratio, and the rps at the most."""
    most = f"at_{CONNECTIONS[-1]}"
    header = ("name", "rps", "p50 ms", "p95 ms", "p99 ms", "errors", "vs static", f"rps@{CONNECTIONS[-1]}")
    lines = ["{:<14}{:>10}{:>10}{:>10}{:>10}{:>8}{:>11}{:>10}".format(*header)]
    for name, values in [("static", report["static"]), *report["pages"].items()]:
        ratio_to_static = values.get("ratio_to_static")
        lines.append(
            f"{name:<14}{values['rps']:>10.1f}{values['p50_ms']:>10.2f}{values['p95_ms']:>10.2f}"
            f"{values['p99_ms']:>10.2f}{values['errors']:>8}"
            f"{'' if ratio_to_static is None else format(ratio_to_static, '.3f'):>11}"
            f"{values[most]['rps'] if most in values else '':>10}"
        )
    return "\n".join(lines)


def log_summary(log_path: Path) -> str:
    """What the server logged: answers by status class, and the lines that were warnings or errors."""
    statuses: Counter[str] = Counter()
    troubles = []
    with log_path.open(errors="replace") as log:
        lines = [line.rstrip("\n") for line in log]
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if isinstance(record, dict) and "status" in record:
            statuses[f"{record['status'] // 100}xx"] += 1
        if isinstance(record, dict):
            warned = record.get("level") in {"WARNING", "ERROR", "CRITICAL"}
        else:  # gunicorn's own lines, and anything printed
            warned = any(mark in line for mark in ("[WARNING]", "[ERROR]", "[CRITICAL]", "Traceback"))
        if warned:
            troubles.append(line)
    counts = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items())) or "no requests"
    shown = "".join(f"\n    {line[:300]}" for line in troubles[:5])
    return f"answers logged: {counts}; warnings and errors: {len(troubles)}{shown}"


# ---------- The run ----------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=positive(float), default=10.0, help="seed_demo's --scale (default 10)"
    )
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"), help="where the JSON goes")
    parser.add_argument("--duration", type=positive(int), default=10, help="seconds per measurement (10)")
    parser.add_argument("--warm-up", type=int, default=2, help="seconds of warm-up per target (2)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="dropped and created afresh")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="a Redis database, flushed at start")
    return parser.parse_args(argv)


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
    python(["manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
    say(f"Database and static files ready in {time.monotonic() - started:.0f} s")


def place_static_twin(env: dict, workdir: Path, pages: list[Target]) -> Target:
    """Write the static file as large as the anonymous track page, before the measured server starts."""
    size = track_page_size(env, workdir, next(page.path for page in pages if page.name == "track_anon"))
    twin = Path(env["STATIC_ROOT"]) / STATIC_TWIN
    twin.parent.mkdir(parents=True, exist_ok=True)
    twin.write_bytes(static_twin(size))
    return static_target(size)


def benchmark(env: dict, workdir: Path, targets: list[Target], args: argparse.Namespace):
    """Check every target once, then measure each; returns the body sizes and the measurements by name."""
    with gunicorn(env, workdir) as url:
        say(f"gunicorn at {url}; checking every target once")
        sizes = check_targets(url, targets)
        if sizes["track_anon"] != sizes["static"]:
            say(f"Note: the track page is {sizes['track_anon']} bytes now, its static twin {sizes['static']}")
        say(f"Measuring: {args.warm_up} s warm-up, then {args.duration} s at {CONNECTIONS} connections")
        measurements = {
            target.name: measure(url, target, seconds=args.duration, warm_up=args.warm_up, env=env)
            for target in targets
        }
    return sizes, measurements


def run(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="roadmap-bench-"))
    env = child_environment(
        database_url=args.database_url, redis_url=args.redis_url, static_root=workdir / "static"
    )
    try:
        prepare_database(args, env)
        facts = learner_session(env)
        pages = page_targets(facts)
        static = place_static_twin(env, workdir, pages)
        sizes, measurements = benchmark(env, workdir, [static, *pages], args)
    finally:
        shutil.rmtree(env["STATIC_ROOT"], ignore_errors=True)  # only the log stays
        log_path = workdir / "server.log"
        if log_path.exists():
            say(f"Server log: {log_path}")
            say(log_summary(log_path))
        say(f"The database {urlsplit(args.database_url).path.lstrip('/')} stays for inspection")
    return build_report(
        args.scale,
        measurements.pop(static.name),
        measurements,
        duration_s=args.duration,
        connections=list(CONNECTIONS),
        workers=configured_workers(env),
        cpu_count=os.cpu_count(),
        bytes=sizes,
        topic=facts["topic_slug"],
        topic_resources=facts["topic_resources"],
    )


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
    levels = " and ".join(map(str, CONNECTIONS))
    print(
        f"\nFigures at {BASE_CONNECTIONS} connections, errors summed over {levels}; {args.duration} s each; "
        f"{report['workers']} gunicorn workers on {report['cpu_count']} CPUs."
    )
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    say(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
