"""Debian's nginx with the shipped deploy/nginx.conf in front of two real gunicorn app servers: slow clients
wait in nginx, not in gunicorn; a dead app server loses no GET; static files come from disk with far-future
caching of the hashed names.

The app servers share one SQLite file migrated for this module (the pages read it; nothing here writes).
"""

import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
import requests

from tests.ops.conftest import needs_redis
from tests.ops.servers import NGINX, TOKEN, gunicorn, nginx
from tests.processes import run_python

pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="nginx is not installed (make test installs Debian's nginx)"
)

SLOW_CLIENTS = 50
SHARED_REDIS = "redis://127.0.0.1:6379/13"
DELETE_LEARNERS = "from django.contrib.auth import get_user_model; get_user_model().objects.all().delete()"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("nginx-db") / "site.sqlite3"
    url = f"sqlite:///{path}"
    migrated = run_python(["manage.py", "migrate", "--noinput", "-v", "0"], DATABASE_URL=url)
    assert migrated.returncode == 0, migrated.stderr
    return url


@contextmanager
def two_app_servers(database_url, static_root, tmp_path, **extra):
    """Two gunicorn servers of one sync worker each (the starkest case for slow clients), set up as behind the
    shipped nginx (TRUSTED_PROXY_COUNT=1), with their pid files and access logs in tmp_path so a test can
    kill one and see who answered."""

    def server(name):
        return gunicorn(
            database_url=database_url,
            static_root=static_root,
            TRUSTED_PROXY_COUNT="1",
            GUNICORN_CMD_ARGS=f"--pid {tmp_path / name}.pid",
            GUNICORN_ACCESS_LOG=str(tmp_path / f"{name}.log"),
            **extra,
        )

    with server("first") as first, server("second") as second:
        yield first, second


@pytest.fixture
def app_servers(database_url, static_root, tmp_path):
    with two_app_servers(database_url, static_root, tmp_path) as servers:
        yield servers


def nginx_in_front(servers, static_root, tmp_path):
    workdir = tmp_path / "nginx"
    workdir.mkdir()
    return nginx(*servers, static_root=static_root, workdir=workdir)


@pytest.fixture
def proxy(app_servers, static_root, tmp_path):
    with nginx_in_front(app_servers, static_root, tmp_path) as url:
        yield url


@dataclass
class Answers:
    latencies: list[float] = field(default_factory=list)  # seconds, of the requests that got a 200
    failures: list[str] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return len(self.latencies)


def normal_client(url: str, *, requests_made: int, every: float, timeout: float) -> Answers:
    """A visitor opening the home page `requests_made` times, one every `every` seconds."""
    answers = Answers()
    for _ in range(requests_made):
        started = time.monotonic()
        try:
            response = requests.get(f"{url}/", timeout=timeout)
            if response.status_code == 200:
                answers.latencies.append(time.monotonic() - started)
            else:
                answers.failures.append(f"HTTP {response.status_code}")
        except requests.RequestException as error:
            answers.failures.append(type(error).__name__)
        time.sleep(max(0.0, every - (time.monotonic() - started)))
    return answers


@contextmanager
def slow_clients(url: str, count: int = SLOW_CLIENTS):
    """`count` connections that send a request line, then one header line a second, never finishing.
    Yields a function answering how many of them the server has not closed yet."""
    port = int(url.rsplit(":", 1)[1])
    sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    for sock in sockets:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.setblocking(False)
    closed: set[int] = set()
    stop = threading.Event()

    def still_open() -> int:
        for index, sock in enumerate(sockets):
            if index in closed:
                continue
            try:
                if sock.recv(4096) is not None:  # b"" (closed) or an answer such as 408: it let go
                    closed.add(index)
            except BlockingIOError:
                pass  # nothing to read: still waiting for our headers
            except OSError:
                closed.add(index)
        return count - len(closed)

    def trickle():
        line = 0
        while not stop.wait(1.0):
            line += 1
            for index, sock in enumerate(sockets):
                if index not in closed:
                    try:
                        sock.sendall(f"X-Slow-{line}: {'x' * 20}\r\n".encode())
                    except OSError:
                        closed.add(index)

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield still_open
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def test_slow_clients_wait_in_nginx_while_a_normal_client_is_answered(proxy):
    with slow_clients(proxy) as still_open:
        time.sleep(1)
        assert still_open() == SLOW_CLIENTS
        answers = normal_client(proxy, requests_made=10, every=0.7, timeout=5)
        held = still_open()  # about 8 s in: nginx still holds every slow connection
        time.sleep(4)
        dropped_at_timeout = SLOW_CLIENTS - still_open()

    assert answers.failures == []
    assert answers.answered == 10
    assert max(answers.latencies) < 1.0, answers.latencies
    assert held == SLOW_CLIENTS
    # client_header_timeout 10s: a client that hasn't finished its headers by then is let go.
    assert dropped_at_timeout == SLOW_CLIENTS
    print(  # the figures the README quotes (pytest -s)
        f"\nnginx: {answers.answered}/10 answered while {held} slow clients were held; latency "
        f"median {sorted(answers.latencies)[5] * 1000:.0f} ms, max {max(answers.latencies) * 1000:.0f} ms"
    )


def test_without_nginx_the_same_slow_clients_starve_gunicorn(app_servers):
    """What nginx saves the site from, and proof the measurement above can fail: straight to gunicorn."""
    first, _ = app_servers
    with slow_clients(first):
        answers = normal_client(first, requests_made=3, every=1.0, timeout=2)
    assert answers.answered == 0, answers
    print(f"\ngunicorn alone: {answers.answered}/3 answered ({answers.failures})")


def access_log_lines(tmp_path: Path, name: str) -> int:
    log = tmp_path / f"{name}.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


def test_killing_one_app_server_loses_no_get_it_had_not_begun_to_answer(proxy, tmp_path):
    """A GET whose server dies before answering is answered by the other server. One whose answer had
    begun to flow when the server died can't be retried (nginx has sent its status line): it is cut off,
    and the client is told so (the chunked body never ends), never handed a short page as whole. At most
    one request per visitor is in flight at the kill, so at most that many may be cut off, right then."""
    outcomes: list[tuple[float, int | str]] = []
    lock = threading.Lock()
    done = threading.Event()

    def visitor():
        with requests.Session() as session:
            while not done.is_set():
                try:
                    outcome: int | str = session.get(f"{proxy}/", timeout=10).status_code
                except requests.RequestException as error:
                    outcome = type(error).__name__
                with lock:
                    outcomes.append((time.monotonic(), outcome))

    visitors = [threading.Thread(target=visitor) for _ in range(3)]
    for thread in visitors:
        thread.start()
    time.sleep(1.5)
    before_kill = access_log_lines(tmp_path, "first"), access_log_lines(tmp_path, "second")
    killed_at = time.monotonic()
    os.killpg(int((tmp_path / "first.pid").read_text()), signal.SIGKILL)  # master and worker, mid-request
    time.sleep(2.0)
    done.set()
    for thread in visitors:
        thread.join()

    cut_off = [(at - killed_at, outcome) for at, outcome in outcomes if outcome != 200]
    assert min(before_kill) > 0, before_kill  # both servers were answering when one died
    assert len(outcomes) > 20
    assert all(outcome == "ChunkedEncodingError" for _, outcome in cut_off), cut_off  # no 502, no refusal
    assert len(cut_off) <= len(visitors), cut_off
    assert all(0 <= after < 1.0 for after, _ in cut_off), cut_off  # only what was in flight at the kill
    print(f"\n{len(outcomes)} GETs, {len(cut_off)} cut off mid-answer; served before the kill: {before_kill}")


def test_static_files_come_from_disk_with_far_future_caching_of_hashed_names(proxy, static_root):
    hashed = next(static_root.glob("css/site.*.css"))
    assert len(hashed.name.split(".")[1]) == 12

    immutable = requests.get(f"{proxy}/static/css/{hashed.name}", timeout=5)
    plain = requests.get(f"{proxy}/static/css/site.css", timeout=5)
    compressed = requests.get(
        f"{proxy}/static/css/{hashed.name}", headers={"Accept-Encoding": "gzip"}, timeout=5
    )
    missing = requests.get(f"{proxy}/static/css/nothing.0123456789ab.css", timeout=5)

    assert immutable.status_code == 200
    assert immutable.content == hashed.read_bytes()
    assert immutable.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert immutable.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Request-ID" not in immutable.headers  # nginx answered; the app never saw it
    assert plain.status_code == 200
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    assert compressed.headers["Content-Encoding"] == "gzip"  # whitenoise's .gz copy, served as is
    assert missing.status_code == 404


def test_pages_come_from_the_app_with_the_request_id_nginx_made(proxy):
    page = requests.get(f"{proxy}/", timeout=5)
    assert page.status_code == 200
    assert len(page.headers["X-Request-ID"]) == 32  # nginx's $request_id, kept by the app's request log
    assert page.headers["Content-Security-Policy"]  # the app's own headers pass through


# ---------- the client's address reaches the app ----------

LEARNER_SCRIPT = """
import django; django.setup()
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
user = get_user_model().objects.create_user(username="learner-0a0b0c0d", email="{email}", password="{password}")
EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
"""


@pytest.fixture
def learner_servers(database_url, static_root, tmp_path):
    """The app servers sharing rate-limit counters in Redis (this worktree's database 13), with a learner."""
    email, password = "ada@example.com", "correct horse battery staple"
    made = run_python(
        ["-c", LEARNER_SCRIPT.format(email=email, password=password)], DATABASE_URL=database_url
    )
    assert made.returncode == 0, made.stderr
    redis.Redis.from_url(SHARED_REDIS).flushdb()
    try:
        with two_app_servers(database_url, static_root, tmp_path, REDIS_URL=SHARED_REDIS) as servers:
            yield servers, email, password
    finally:
        redis.Redis.from_url(SHARED_REDIS).flushdb()
        run_python(["manage.py", "shell", "-c", DELETE_LEARNERS], DATABASE_URL=database_url)


def log_in_from(source: str, proxy: str, email: str, password: str) -> httpx.Response:
    """A browser on `source` (another loopback address: another client to nginx) logging in through nginx.
    The __Host- cookies are Secure, which an HTTP client keeps to itself over plain HTTP: sent by hand."""
    with httpx.Client(
        transport=httpx.HTTPTransport(local_address=source), base_url=proxy, timeout=20
    ) as browser:
        page = browser.get("/accounts/login/")
        token = TOKEN.search(page.text)[1]
        cookies = "; ".join(f"{name}={value}" for name, value in page.cookies.items())
        return browser.post(
            "/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": token},
            headers={"Cookie": cookies, "Origin": proxy},
        )


@needs_redis
def test_one_clients_failed_logins_through_nginx_never_refuse_another(learner_servers, static_root, tmp_path):
    servers, email, password = learner_servers
    with nginx_in_front(servers, static_root, tmp_path) as proxy:
        for n in range(11):  # allauth allows 10 failures a minute per client address, on any accounts
            log_in_from("127.0.0.2", proxy, f"nobody{n}@example.com", "wrong password")
        limited = log_in_from("127.0.0.2", proxy, email, password)
        other_client = log_in_from("127.0.0.3", proxy, email, password)

    assert "Too many failed login attempts" in limited.text  # counted across both app servers, per client
    assert other_client.status_code == 302, other_client.text[-2000:]
    assert other_client.headers["Location"] == "/me/"
