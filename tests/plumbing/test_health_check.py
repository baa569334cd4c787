"""The PostgreSQL backend's connection health check (plumbing/postgresql): it sends nothing for a healthy
connection, finds one the server ended, and the request's first query then runs on a new connection. Under
gunicorn, through an outage: tests/ops/test_outage.py."""

import time

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the connection idle between statements, as between requests
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the health check is PostgreSQL's"),
]
MARKER = "SELECT 42 AS health_check_marker"


@pytest.fixture
def wrapper():
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def backend_pid(wrapper) -> int:
    return wrapper.connection.info.backend_pid


def _params() -> dict:
    """The test database's connection parameters, for a plain psycopg connection of the test's own."""
    params = connection.get_connection_params()
    return {key: value for key, value in params.items() if key not in ("cursor_factory", "context")}


def last_statement(pid: int) -> str:
    """What the server last ran for that backend, asked on a connection of its own."""
    with psycopg.connect(**_params()) as other:
        row = other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()
    return row[0] if row else ""


def test_a_healthy_connection_passes_without_a_round_trip(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute(MARKER)
    assert wrapper.is_usable()
    assert last_statement(backend_pid(wrapper)) == MARKER  # Django's own check would have sent SELECT 1


def test_a_connection_the_server_ended_fails_and_the_next_query_reconnects(wrapper):
    ended = backend_pid(wrapper)
    with psycopg.connect(**_params()) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", [ended]).fetchone()[0]
    deadline = time.monotonic() + 5
    while wrapper.is_usable() and time.monotonic() < deadline:  # the server's goodbye is on its way
        time.sleep(0.01)
    assert not wrapper.is_usable()
    # What the next request does: its first query checks the connection once, then runs on a new one.
    wrapper.health_check_done = False
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert backend_pid(wrapper) != ended


def test_a_failed_transaction_or_a_closed_connection_is_not_usable(wrapper):
    wrapper.connection.execute("BEGIN")
    with pytest.raises(psycopg.errors.DivisionByZero):
        wrapper.connection.execute("SELECT 1 / 0")
    assert not wrapper.is_usable()
    wrapper.connection.execute("ROLLBACK")
    assert wrapper.is_usable()
    wrapper.connection.close()
    assert not wrapper.is_usable()
