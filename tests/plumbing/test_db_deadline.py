"""A request that gave up on PostgreSQL (plumbing.db_deadline) opens no new connection (plumbing.postgresql):
the rest of it fails at once instead of waiting for the database again. The real hang, under gunicorn, is
tests/ops/test_database_hang.py."""

import time

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections

from plumbing.db_deadline import PAST_DEADLINE, give_up, watchdog

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the deadline is PostgreSQL's"),
]


def count_users():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        return cursor.fetchone()[0]


@pytest.fixture
def wrapper():
    """This thread's connection itself (`connection` is a proxy to it), as the middleware watches it."""
    return connections[DEFAULT_DB_ALIAS]


@pytest.fixture
def watched(wrapper):
    yield lambda deadline: watchdog.watch(deadline, wrapper)
    watchdog.done(wrapper)
    wrapper.close()


def test_past_its_deadline_a_request_does_not_connect_again(wrapper, watched):
    watched(time.monotonic() - 1)
    connection.close()
    started = time.monotonic()
    with pytest.raises(OperationalError, match=PAST_DEADLINE):
        count_users()
    assert connection.connection is None
    assert time.monotonic() - started < 0.5
    watchdog.done(wrapper)  # the request is over: the next one connects
    assert count_users() == 0


def test_after_a_failed_connection_a_request_does_not_try_again(wrapper, watched):
    watched(time.monotonic() + 60)
    connection.close()
    give_up(wrapper, "could not connect")
    with pytest.raises(OperationalError, match="could not connect"):
        count_users()


def test_within_its_deadline_a_request_connects(watched):
    watched(time.monotonic() + 60)
    connection.close()
    assert count_users() == 0


def test_the_tests_own_connection_has_no_statement_timeout():
    """Only web processes limit statements by default (roadmap_site/web_process.py): this process, like a
    management command, creates and drops the test database without a limit."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
