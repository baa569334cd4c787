"""Error pages that need no database, the 503 for a database outage, and the health probes."""

from unittest import mock

import pytest
from django.db import DatabaseError, OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    """A client that answers like production: exceptions become the error pages."""
    return Client(raise_request_exception=False)


def test_healthz_answers_without_the_database(visitor, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = visitor.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_checks_the_database_and_the_migrations(visitor):
    response = visitor.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "applied"}


def test_readyz_is_503_while_migrations_are_pending(visitor):
    with mock.patch("plumbing.health.MigrationExecutor") as executor:
        executor.return_value.migration_plan.return_value = [("learning", "0099_future")]
        response = visitor.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "1 not applied"
    assert response["Retry-After"] == "30"


def test_readyz_is_503_when_the_database_is_unreachable(visitor):
    with mock.patch("plumbing.health.MigrationExecutor", side_effect=OperationalError("connection refused")):
        response = visitor.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.parametrize(
    "error",
    [OperationalError("could not connect to server"), DatabaseError("closed")],
    ids=["operational", "wrapped"],
)
def test_a_database_outage_answers_503_with_retry_after_not_a_trace(visitor, error):
    if type(error) is DatabaseError:
        error.__cause__ = OperationalError("server closed the connection unexpectedly")
    with mock.patch("learning.pages.views.queries.tracks_for_list", side_effect=error):
        response = visitor.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "We&#x27;ll be back in a moment" in html or "We'll be back in a moment" in html
    assert "Traceback" not in html
    assert "could not connect" not in html


def test_any_other_error_is_the_designed_500(visitor):
    with mock.patch("learning.pages.views.queries.tracks_for_list", side_effect=ValueError("boom")):
        response = visitor.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "boom" not in response.content.decode()


def test_the_404_page_needs_no_database(visitor, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = visitor.get("/no/such/page/")
    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_the_error_pages_render_with_no_database_at_all():
    from django.template.loader import render_to_string

    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection", side_effect=AssertionError
    ):
        for name in ("404.html", "500.html", "503.html"):
            assert "Roadmap" in render_to_string(name, {"retry_after": 30})
    assert reverse("healthz") == "/healthz"
