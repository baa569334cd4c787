"""Real app servers for the operations tests: gunicorn processes on local ports, a Redis server of the
test's own that it may stop and start, and a TCP proxy in front of PostgreSQL that a test can cut, hang and
restore to simulate an outage."""

import os
import pwd
import re
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import redis
import requests
from django.db import connection

from bench.run import free_port, wait_until_healthy
from bench.run import gunicorn as serve
from tests.processes import environment, run_python


def collect_static(target: Path) -> Path:
    result = run_python(["manage.py", "collectstatic", "--noinput", "-v", "0"], STATIC_ROOT=str(target))
    assert result.returncode == 0, result.stderr
    return target


@contextmanager
def gunicorn(
    *,
    database_url: str,
    static_root: Path,
    redis_url: str = "",
    workers: int = 1,
    log_dir: Path | None = None,
    **extra: str,
):
    """A gunicorn serving the site in production mode (HTTPS redirect off) until the block ends: the
    benchmark's own launcher (its log, server.log, and control socket in `log_dir`, or in a temporary folder
    of its own). `extra` adds environment variables (EMAIL_URL, LOG_LEVEL="INFO", GUNICORN_CMD_ARGS="--pid
    FILE" to find the process...)."""
    env = environment(
        **production(database_url),
        STATIC_ROOT=str(static_root),
        WEB_CONCURRENCY=str(workers),
        GUNICORN_ACCESS_LOG="",
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env |= extra
    if log_dir is not None:
        with serve(env, log_dir) as url:
            yield url
        return
    with tempfile.TemporaryDirectory() as workdir, serve(env, Path(workdir)) as url:
        yield url


def production(database_url: str) -> dict:
    """The environment of a production-mode process of the site (HTTPS redirect off) on that database."""
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "ops-tests-" + "s3cr3t-" * 8,
        "ALLOWED_HOSTS": "127.0.0.1,roadmap.test",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
    }


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# What nginx's main configuration holds around the shipped deploy/nginx.conf (the nginx image's own main file
# does the same): everything in the test's folder, one worker, in the foreground.
NGINX_MAIN = """{user}
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {workdir}/roadmap.conf;
}}
"""


def nginx_site_config(**values: str) -> str:
    """deploy/nginx.conf with its ${NAME} placeholders filled in, as the nginx image's templates do."""
    shipped = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    return re.sub(r"\$\{([A-Z0-9_]+)\}", lambda match: values[match[1]], shipped)


@contextmanager
def nginx(*app_servers: str, static_root: Path, workdir: Path):
    """Debian's nginx with the shipped config in front of `app_servers` (their URLs), on a free port, until
    the block ends; its error log is workdir/error.log."""
    port = free_port()
    (workdir / "roadmap.conf").write_text(
        nginx_site_config(
            NGINX_PORT=str(port),
            STATIC_ROOT=str(static_root),
            **{f"APP_SERVER_{n}": url.removeprefix("http://") for n, url in enumerate(app_servers, start=1)},
        )
    )
    # As root, nginx's workers would run as nobody, who can't read the test's private folders.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    (workdir / "nginx.conf").write_text(NGINX_MAIN.format(user=user, workdir=workdir))
    error_log = workdir / "error.log"
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, error_log)  # /healthz through nginx: both ends are up
        yield url
    finally:
        process.send_signal(signal.SIGTERM)  # nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class RedisServer:
    """A redis-server of the test's own on a free port, which the test may stop and start again: its data is
    saved in `folder` when it stops and loaded when it starts, as a restarted production Redis would."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "3600 1",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self):
        """Stops it as an operator would (SIGTERM: it saves its data first)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


def served_database_url() -> str:
    """The URL of the tests' own PostgreSQL database, for servers that should see what the test writes."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def proxied_database():
    """A TcpProxy in front of the tests' own PostgreSQL database, forwarding, and the URL that reaches the
    database through it; the proxy is cut when the block ends."""
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.restore()
    try:
        yield proxy, f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    finally:
        proxy.cut()


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PUBLIC_HOST = "roadmap.test"


class Browser:
    """What the app servers see of one browser behind the load balancer: the public host name, HTTPS as
    reported by the proxy, and the browser's Secure __Host- cookies (requests itself won't send Secure
    cookies over plain HTTP)."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, **kwargs):
        origin = f"https://{PUBLIC_HOST}"
        headers = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + "/",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        timeout = kwargs.pop("timeout", 10)
        response = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=timeout, **kwargs
        )
        self.cookies |= response.cookies.get_dict()
        # A cookie set with Max-Age=0 is one the server deleted (Django's delete_cookie): a browser drops it.
        for header in response.raw.headers.getlist("Set-Cookie"):
            name, _, attributes = header.partition("=")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name.strip(), None)
        return response

    def token(self, url):
        page = self.request("GET", url)
        assert page.status_code == 200, page.status_code
        return TOKEN.search(page.text).group(1)

    def post_form(self, url, data):
        """POSTs `data` with the CSRF token of the form page at `url`, as submitting that form would."""
        return self.request("POST", url, data={**data, "csrfmiddlewaretoken": self.token(url)})

    def log_in(self, server, email, password):
        return self.post_form(f"{server}/accounts/login/", {"login": email, "password": password})


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target once restore() is called, and fails the two ways a database
    outage looks to the app:
    - cut() drops every connection and refuses new ones, as a server that is gone, until restore();
    - hang() accepts every connection and packet and answers nothing, as a stuck proxy or pooler would (no
      TCP option can tell: every packet is acknowledged), until resume() drops the hung connections and
      forwards new ones again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self.hanging = False
        self._listener = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = None
        self._running = False

    def restore(self):
        self._listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR on POSIX
        self._running = True
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def cut(self):
        self._running = False
        self._listener.close()
        self._thread.join(timeout=5)
        self._drop_connections()

    def hang(self):
        self.hanging = True

    def resume(self):
        self.hanging = False
        self._drop_connections()

    def _drop_connections(self):
        with self._lock:
            dropped, self._connections = self._connections, []
        for sock in dropped:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept_loop(self):
        while self._running:
            try:
                self._listener.settimeout(0.2)
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = None if self.hanging else socket.create_connection(self.target)
            with self._lock:
                self._connections += [client, *([upstream] if upstream else [])]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client, upstream):
        """Copies each side's bytes to the other; while hanging, reads them and sends nothing on."""
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        if upstream is not None:
            selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select(timeout=0.2):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    if not self.hanging and key.data is not None:
                        key.data.sendall(data)
        except (OSError, ValueError):  # cut() or resume() closed the sockets under us
            return
        finally:
            selector.close()
            client.close()
            if upstream is not None:
                upstream.close()
