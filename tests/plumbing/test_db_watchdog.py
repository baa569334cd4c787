"""The request deadline's logic (plumbing/db_deadline.py) and the backend that doesn't reconnect for a request
that gave up (plumbing/postgresql), on any database: the middleware watches a request's connection only while
the request runs; the watchdog shuts the socket of one past its deadline (a real socket pair stands for the
database's); the backend refuses to connect, without a packet sent, once the request is past its deadline or
failed to connect. With the tests' real PostgreSQL connection: tests/plumbing/test_db_deadline.py; under
gunicorn against a hung database: tests/ops/test_database_hang.py."""

import logging
import socket
import threading
import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.test import RequestFactory

from bench.run import free_port
from plumbing import db_deadline
from plumbing.db_deadline import (
    CHECK_EVERY_SECONDS,
    PAST_DEADLINE,
    QueryDeadlineMiddleware,
    give_up,
    shut_down,
    watchdog,
)

# The watchdog looks every CHECK_EVERY_SECONDS; a loaded machine gets a second more.
SHUT_WITHIN_SECONDS = CHECK_EVERY_SECONDS + 1


class RawConnection:
    """What the watchdog sees of psycopg's connection: its socket's file descriptor, and whether it's closed."""

    def __init__(self, sock: socket.socket):
        self.sock = sock

    @property
    def closed(self) -> bool:
        return self.sock.fileno() == -1

    def fileno(self) -> int:
        return self.sock.fileno()


class FakeWrapper:
    """A Django DatabaseWrapper as the middleware and the watchdog use it: its vendor, its raw connection."""

    def __init__(self, vendor="postgresql", raw=None):
        self.vendor = vendor
        self.connection = raw


@pytest.fixture
def socket_pair():
    """The app's end of a database connection, and the database's end."""
    app, database = socket.socketpair()
    yield app, database
    app.close()
    database.close()


@pytest.fixture
def watched():
    """Registers wrappers with the watchdog as a request would, and ends their requests afterwards."""
    wrappers = []

    def watch(wrapper, deadline):
        wrappers.append(wrapper)
        watchdog.watch(deadline, wrapper)
        return wrapper

    yield watch
    for wrapper in wrappers:
        watchdog.done(wrapper)


@pytest.fixture
def db_logs():
    logger = logging.getLogger("roadmap.db")
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def readable_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What `sock` reads within `seconds` (b"" once its peer shut the connection); None if it waited on."""
    sock.settimeout(seconds)
    try:
        return sock.recv(10)
    except TimeoutError:
        return None


# ---------- The watchdog ----------


def test_past_its_deadline_a_request_has_its_database_socket_shut(socket_pair, watched, db_logs):
    app, database = socket_pair
    wrapper = watched(FakeWrapper(raw=RawConnection(app)), time.monotonic() + 0.1)
    received: list[bytes] = []
    waiting = threading.Thread(target=lambda: received.append(app.recv(10)))  # a query waiting on its answer
    started = time.monotonic()
    waiting.start()
    waiting.join(timeout=SHUT_WITHIN_SECONDS + 0.5)
    assert not waiting.is_alive()
    assert received == [b""]  # the wait ended: psycopg raises OperationalError on it
    assert time.monotonic() - started < SHUT_WITHIN_SECONDS + 0.5
    assert readable_within(database, 1) == b""  # the database's side sees the connection end too
    assert watchdog.given_up(wrapper) == PAST_DEADLINE
    assert [record.getMessage() for record in db_logs] == [
        "database deadline: a request waited on the database past its deadline; connection shut down"
    ]


def test_within_its_deadline_a_request_keeps_its_connection(socket_pair, watched, db_logs):
    app, database = socket_pair
    wrapper = watched(FakeWrapper(raw=RawConnection(app)), time.monotonic() + 60)
    time.sleep(CHECK_EVERY_SECONDS * 2)  # the watchdog looked at least once
    database.sendall(b"answer")
    assert readable_within(app, 1) == b"answer"
    assert watchdog.given_up(wrapper) == ""
    assert db_logs == []


def test_a_request_whose_deadline_passes_gives_up_even_before_the_watchdog_looks(watched):
    wrapper = watched(FakeWrapper(), time.monotonic() - 0.001)
    assert watchdog.given_up(wrapper) == PAST_DEADLINE


def test_the_first_reason_to_give_up_is_kept(watched):
    wrapper = watched(FakeWrapper(), time.monotonic() + 60)
    give_up(wrapper, "could not connect")
    give_up(wrapper, "something later")
    assert watchdog.given_up(wrapper) == "could not connect"


def test_a_connection_no_request_watches_is_never_given_up():
    wrapper = FakeWrapper()
    give_up(wrapper, "could not connect")  # outside a request (a command, a test): nothing to remember
    assert watchdog.given_up(wrapper) == ""


def test_shutting_down_a_connection_already_gone_does_nothing(socket_pair, db_logs):
    app, _ = socket_pair
    shut_down(FakeWrapper(raw=None))  # never connected
    app.close()
    shut_down(FakeWrapper(raw=RawConnection(app)))  # closed meanwhile
    assert db_logs == []


def test_shutting_down_a_descriptor_that_is_no_socket_logs_nothing(tmp_path, db_logs):
    with open(tmp_path / "not-a-socket", "w") as file:
        shut_down(FakeWrapper(raw=file))  # closed is False, fileno() a file's: shutdown() fails
    assert db_logs == []


# ---------- The middleware ----------


def default_connection(monkeypatch, wrapper):
    """This thread's default connection, as the middleware looks it up, is `wrapper`."""
    monkeypatch.setattr(db_deadline, "connections", {DEFAULT_DB_ALIAS: wrapper})


def test_the_middleware_watches_a_postgresql_connection_while_the_request_runs(settings, monkeypatch):
    settings.DATABASE_QUERY_DEADLINE = 0.2
    wrapper = FakeWrapper("postgresql")
    seen = []

    def view(request):
        seen.append(watchdog.given_up(wrapper))
        time.sleep(0.3)
        seen.append(watchdog.given_up(wrapper))
        return HttpResponse("ok")

    default_connection(monkeypatch, wrapper)
    response = QueryDeadlineMiddleware(view)(RequestFactory().get("/"))
    assert response.status_code == 200
    assert seen == ["", PAST_DEADLINE]
    assert watchdog.given_up(wrapper) == ""  # the request is over: the next one starts afresh
    assert id(wrapper) not in watchdog.running


def test_the_middleware_stops_watching_when_the_view_raises(settings, monkeypatch):
    settings.DATABASE_QUERY_DEADLINE = 7
    wrapper = FakeWrapper("postgresql")

    def view(request):
        assert id(wrapper) in watchdog.running
        raise OperationalError("the database went away")

    default_connection(monkeypatch, wrapper)
    with pytest.raises(OperationalError, match="went away"):
        QueryDeadlineMiddleware(view)(RequestFactory().get("/"))
    assert id(wrapper) not in watchdog.running


@pytest.mark.parametrize(("vendor", "seconds"), [("sqlite", 7), ("postgresql", 0)])
def test_the_middleware_watches_nothing_without_a_deadline_or_a_socket(
    settings, monkeypatch, vendor, seconds
):
    settings.DATABASE_QUERY_DEADLINE = seconds
    wrapper = FakeWrapper(vendor)

    def view(request):
        assert id(wrapper) not in watchdog.running
        return HttpResponse("ok")

    default_connection(monkeypatch, wrapper)
    assert QueryDeadlineMiddleware(view)(RequestFactory().get("/")).status_code == 200


# ---------- The backend (plumbing.postgresql), against a server that accepts and hangs up ----------


@pytest.fixture
def hanging_up_server():
    """A TCP server that accepts every connection and closes it at once (libpq: "server closed the
    connection unexpectedly"); `accepted` counts the connections it got."""
    listener = socket.create_server(("127.0.0.1", free_port()))
    listener.settimeout(0.2)
    accepted = []
    running = True

    def serve_forever():
        while running:
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            accepted.append(client)
            client.close()

    thread = threading.Thread(target=serve_forever, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    running = False
    thread.join(timeout=2)
    listener.close()


@pytest.fixture
def postgresql_wrapper(hanging_up_server, django_db_blocker):
    """A plumbing.postgresql connection (unopened) to that server, which the test may try to open."""
    port, accepted = hanging_up_server
    handler = ConnectionHandler(
        {
            DEFAULT_DB_ALIAS: {
                "ENGINE": "plumbing.postgresql",
                "HOST": "127.0.0.1",
                "PORT": port,
                "NAME": "roadmap",
                "USER": "roadmap",
                "OPTIONS": {"connect_timeout": 2},
            }
        }
    )
    wrapper = handler[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        yield wrapper, accepted
        wrapper.close()


def test_outside_a_request_the_backend_connects_every_time(postgresql_wrapper):
    wrapper, accepted = postgresql_wrapper
    for _ in range(2):
        with pytest.raises(OperationalError, match="server closed the connection"):
            wrapper.ensure_connection()
    assert len(accepted) == 2


def test_a_request_whose_connection_failed_does_not_try_again(postgresql_wrapper, watched):
    wrapper, accepted = postgresql_wrapper
    watched(wrapper, time.monotonic() + 60)
    with pytest.raises(OperationalError, match="server closed the connection"):
        wrapper.ensure_connection()
    assert watchdog.given_up(wrapper) == "could not connect"
    with pytest.raises(OperationalError, match="not connecting again: this request could not connect"):
        wrapper.ensure_connection()
    assert len(accepted) == 1  # the second time, no packet left


def test_a_request_past_its_deadline_does_not_connect(postgresql_wrapper, watched):
    wrapper, accepted = postgresql_wrapper
    watched(wrapper, time.monotonic() - 1)
    started = time.monotonic()
    with pytest.raises(OperationalError, match=f"not connecting again: this request {PAST_DEADLINE}"):
        wrapper.ensure_connection()
    assert time.monotonic() - started < 0.5
    assert accepted == []
