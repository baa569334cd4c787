"""A deadline on a request's use of PostgreSQL, for a database that accepts packets and answers nothing.

The server's statement_timeout (settings: DATABASE_STATEMENT_TIMEOUT) ends a slow or locked query, and the
libpq TCP options (keepalives, tcp_user_timeout) end a connection whose packets go unacknowledged. Neither
helps when something in between (a stuck proxy or pooler) acknowledges every packet and forwards none: the
server never sees the query, and the socket looks alive, so libpq would wait until gunicorn kills the
worker and the client gets no answer at all. Django's connection health check (a plain SELECT 1) waits the
same way.

So a request still running QUERY_DEADLINE_SECONDS after it started has its database socket shut down by a
watchdog thread: the wait ends with an OperationalError, which the site answers with the designed 503
(plumbing.errors), and the next request opens a new connection (connect_timeout bounds that). The deadline is
the statement timeout plus a margin, so a database that answers always gets to cancel a query itself first.
Only PostgreSQL connections have a socket to shut down; SQLite waits on locks at most its busy timeout.
"""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger("roadmap.db")
CHECK_EVERY_SECONDS = 0.25


class Watchdog:
    def __init__(self):
        self.lock = threading.Lock()
        self.running: dict[int, tuple[float, object]] = {}  # id -> (deadline, the request's connection)
        self.thread: threading.Thread | None = None

    def watch(self, deadline: float, db) -> int:
        key = id(db)
        with self.lock:
            self.running[key] = (deadline, db)
            if self.thread is None or not self.thread.is_alive():  # none yet, or this is a forked worker
                self.thread = threading.Thread(target=self._loop, name="db-deadline", daemon=True)
                self.thread.start()
        return key

    def done(self, key: int) -> None:
        with self.lock:
            self.running.pop(key, None)

    def _loop(self) -> None:
        while True:
            time.sleep(CHECK_EVERY_SECONDS)
            now = time.monotonic()
            with self.lock:  # the request can't finish (and close its connection) while its socket is shut
                for key, (deadline, db) in list(self.running.items()):
                    if now >= deadline:
                        del self.running[key]
                        shut_down(db)


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


class QueryDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.seconds = settings.DATABASE_QUERY_DEADLINE

    def __call__(self, request):
        db = connections[DEFAULT_DB_ALIAS]
        if not self.seconds or db.vendor != "postgresql":
            return self.get_response(request)
        key = watchdog.watch(time.monotonic() + self.seconds, db)
        try:
            return self.get_response(request)
        finally:
            watchdog.done(key)
