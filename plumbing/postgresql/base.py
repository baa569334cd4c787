"""Django's PostgreSQL backend (settings: ENGINE "plumbing.postgresql"), subclassed (Django's way to change a
built-in backend) for two things:

- A web request that has given up on the database (plumbing.db_deadline) doesn't reconnect. Without it, a
  request whose connection the deadline's watchdog shut down went on to open a new one at once (the
  connection health check, finding the old one unusable, reconnects in the same call), and against a
  database that accepts and never answers that cost another DATABASE_CONNECT_TIMEOUT before the 503.
- The health check of a connection kept from an earlier request (CONN_HEALTH_CHECKS, once per request) sends
  nothing: Django's sends `SELECT 1` and waits for the answer, a round trip on every request that uses the
  database. Between requests a healthy connection is idle and the server has nothing to say on it; one the
  server ended (a restart, pg_terminate_backend, an idle timeout) or the network dropped has an error or
  the end of the stream waiting to be read, or a socket already closed. So the check looks whether the
  socket has anything to read, without waiting. A server that has stopped answering without closing
  anything (a hung proxy) passes both checks alike: the request's deadline ends that (plumbing.db_deadline).
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq

from plumbing import db_deadline


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        db_deadline.refuse_if_given_up(self)
        try:
            return super().get_new_connection(conn_params)
        except self.Database.OperationalError:  # psycopg's, raised before Django wraps it
            db_deadline.give_up(self, "could not connect")
            raise

    def is_usable(self):
        raw = self.connection
        if raw is None or raw.closed or raw.info.status != pq.ConnStatus.OK:
            return False
        if raw.info.transaction_status not in (pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS):
            return False  # unknown (a broken connection) or a failed transaction
        return not has_something_to_read(raw.fileno())


def has_something_to_read(fd: int) -> bool:
    """Whether the socket has data or the end of the stream waiting (or an error), without waiting."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))
