"""A deadline on a request's use of PostgreSQL, for a database that accepts packets and answers nothing.

The server's statement_timeout (settings: DATABASE_STATEMENT_TIMEOUT) ends a slow or locked query, and the
libpq TCP options (keepalives, tcp_user_timeout) end a connection whose packets go unacknowledged. Neither
helps when something in between (a stuck proxy or pooler) acknowledges every packet and forwards none: the
server never sees the query, and the socket looks alive, so libpq would wait until gunicorn kills the
worker and the client gets no answer at all. Django's connection health check (a plain SELECT 1) waits the
same way.

So a request still running QUERY_DEADLINE_SECONDS after it started has its database socket shut down by a
watchdog thread: the wait ends with an OperationalError, which the site answers with the designed 503
(plumbing.errors). The deadline is the statement timeout plus a margin, so a database that answers always
gets to cancel a query itself first.

From then on the request has given up on the database, and so has one whose new connection failed (the
connect_timeout passed): it opens no other connection (plumbing.postgresql refuses at once), so nothing
later in the same request (the health check reconnecting, the session, the user) waits for the database
again. The next request tries again: a new connection, which connect_timeout bounds.
Only PostgreSQL connections have a socket to shut down; SQLite waits on locks at most its busy timeout.
"""

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

log = logging.getLogger("roadmap.db")
CHECK_EVERY_SECONDS = 0.25
PAST_DEADLINE = "waited on the database past its deadline"


@dataclass
class Watched:
    """One request's use of its thread's connection (a Django DatabaseWrapper)."""

    deadline: float  # time.monotonic()
    db: object
    given_up: str = ""  # why the request no longer tries the database


class Watchdog:
    def __init__(self):
        self.lock = threading.Lock()
        self.running: dict[int, Watched] = {}  # id(DatabaseWrapper) -> the request using it
        self.thread: threading.Thread | None = None

    def watch(self, deadline: float, db) -> None:
        with self.lock:
            self.running[id(db)] = Watched(deadline, db)
            if self.thread is None or not self.thread.is_alive():  # none yet, or this is a forked worker
                self.thread = threading.Thread(target=self._loop, name="db-deadline", daemon=True)
                self.thread.start()

    def done(self, db) -> None:
        with self.lock:
            self.running.pop(id(db), None)

    def given_up(self, db) -> str:
        """Why the request using `db` has given up on the database; "" if it hasn't, or none is watched."""
        with self.lock:
            watched = self.running.get(id(db))
            if watched is None:
                return ""
            if not watched.given_up and time.monotonic() >= watched.deadline:
                watched.given_up = PAST_DEADLINE
            return watched.given_up

    def give_up(self, db, why: str) -> None:
        with self.lock:
            watched = self.running.get(id(db))
            if watched is not None and not watched.given_up:
                watched.given_up = why

    def _loop(self) -> None:
        while True:
            time.sleep(CHECK_EVERY_SECONDS)
            now = time.monotonic()
            with self.lock:  # the request can't finish (and close its connection) while its socket is shut
                for watched in self.running.values():
                    if not watched.given_up and now >= watched.deadline:
                        watched.given_up = PAST_DEADLINE
                        shut_down(watched.db)


def shut_down(db) -> None:
    raw = getattr(db, "connection", None)
    if raw is None or raw.closed:
        return
    try:
        with socket.socket(fileno=os.dup(raw.fileno())) as sock:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        return
    log.warning("database deadline: a request waited on the database past its deadline; connection shut down")


watchdog = Watchdog()


def refuse_if_given_up(db) -> None:
    """Raises OperationalError (answered with the 503) instead of opening a connection for a request that
    has given up on the database."""
    why = watchdog.given_up(db)
    if why:
        raise OperationalError(f"not connecting again: this request {why}")


def give_up(db, why: str) -> None:
    watchdog.give_up(db, why)


class QueryDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.DATABASE_QUERY_DEADLINE

    def __call__(self, request):
        db = connections[DEFAULT_DB_ALIAS]
        if not self.seconds or db.vendor != "postgresql":
            return self.get_response(request)
        watchdog.watch(time.monotonic() + self.seconds, db)
        try:
            return self.get_response(request)
        finally:
            watchdog.done(db)
