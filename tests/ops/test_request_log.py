"""One structured line per request, and no secret or personal data in it."""

import json
import logging

import pytest
from django.urls import reverse

from plumbing.request_log import JsonFormatter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(caplog):
    caplog.set_level(logging.INFO, logger="roadmap.requests")

    def formatted():
        formatter = JsonFormatter()
        return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "roadmap.requests"]

    return formatted


def test_a_request_is_one_json_line_with_its_facts(client, lines):
    response = client.get("/tags/?secret=query-string-value")
    [line] = lines()
    assert line["message"] == "request"
    assert line["method"] == "GET"
    assert line["path"] == "/tags/"
    assert line["status"] == 200
    assert line["user_id"] is None
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"]
    assert len(line["request_id"]) == 32
    assert "query-string-value" not in json.dumps(line)


def test_a_learner_is_logged_by_id_never_by_email_session_or_password(client, lines):
    user = UserFactory(email="ada.private@example.com")
    client.post(reverse("account_login"), {"login": user.email, "password": "correct horse battery staple"})
    client.force_login(user)
    client.get(reverse("learning:dashboard"))
    logged = lines()
    text = json.dumps(logged)
    assert logged[-1]["status"] == 200
    assert logged[-1]["user_id"] == user.pk
    assert "ada.private" not in text
    assert "correct horse" not in text
    assert client.cookies["sessionid"].value not in text


def test_a_request_id_from_the_proxy_is_kept_and_a_malformed_one_replaced(client, lines):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert kept["X-Request-ID"] == "lb-1234abcd"
    assert replaced["X-Request-ID"] != "bad id\nwith newline"
    assert [line["request_id"] for line in lines()] == ["lb-1234abcd", replaced["X-Request-ID"]]


def test_password_reset_keys_are_redacted_from_the_path(client, lines):
    client.get("/accounts/password/reset/key/2s-secret-reset-token/")
    [line] = lines()
    assert "secret-reset-token" not in line["path"]
    assert line["path"].startswith("/accounts/password/reset/key/")
    assert "[redacted]" in line["path"]


def test_logging_the_user_costs_no_query(client, lines, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get("/healthz")
    assert lines()[0]["user_id"] is None
