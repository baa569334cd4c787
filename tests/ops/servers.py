"""Real app servers for the operations tests: gunicorn processes on local ports, and a TCP proxy in front of
PostgreSQL that a test can cut and restore to simulate an outage."""

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
from contextlib import contextmanager
from pathlib import Path

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
def gunicorn(*, database_url: str, static_root: Path, redis_url: str = "", workers: int = 1, **extra: str):
    """A gunicorn serving the site in production mode (HTTPS redirect off) until the block ends: the
    benchmark's own launcher (its log and control socket in a temporary folder of its own). `extra`: more
    environment variables, e.g. EMAIL_URL, or GUNICORN_CMD_ARGS="--pid FILE" to find the process."""
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


def served_database_url() -> str:
    """The URL of the tests' own PostgreSQL database, for servers that should see what the test writes."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=10, **kwargs)
        self.cookies |= response.cookies.get_dict()
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
    """Forwards 127.0.0.1:<port> to a target; cut() drops every connection and refuses new ones until
    restore(), as a database outage would look to the app."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
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
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()

    def _accept_loop(self):
        while self._running:
            try:
                self._listener.settimeout(0.2)
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client, upstream):
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ, upstream)
        selector.register(upstream, selectors.EVENT_READ, client)
        try:
            while True:
                for key, _ in selector.select(timeout=1):
                    data = key.fileobj.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):  # cut() closed the sockets under us
            return
        finally:
            selector.close()
            client.close()
            upstream.close()
