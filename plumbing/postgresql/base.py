"""Django's PostgreSQL backend (settings: ENGINE "plumbing.postgresql"), which a web request that has given up
on the database (plumbing.db_deadline) doesn't reconnect for: Django's subclassing of a built-in backend.

Without it, a request whose connection the deadline's watchdog shut down went on to open a new one at once
(the connection health check, finding the old one unusable, reconnects in the same call), and against a
database that accepts and never answers that cost another DATABASE_CONNECT_TIMEOUT before the 503.
"""

from django.db.backends.postgresql import base

from plumbing import db_deadline


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        db_deadline.refuse_if_given_up(self)
        try:
            return super().get_new_connection(conn_params)
        except self.Database.OperationalError:  # psycopg's, raised before Django wraps it
            db_deadline.give_up(self, "could not connect")
            raise
