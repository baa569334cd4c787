"""Time limits on PostgreSQL under a real production gunicorn: a database that accepts packets and answers
nothing, and a table locked by another session, both answer the designed 503 within seconds (never a request
killed by gunicorn's 30 s timeout, which the client sees as a dropped connection), and the same process
serves again once the database answers."""

import time

import psycopg
import pytest
from django.db import connection

from learning.models import TopicProgress
from roadmap_site.web_process import STATEMENT_TIMEOUT_SECONDS
from tests.factories import TopicFactory
from tests.ops.conftest import PASSWORD
from tests.ops.servers import TOKEN, Browser, gunicorn, proxied_database, served_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the time limits are PostgreSQL's"),
]
# A web process's defaults: statement timeout 5 s, a request cut off 7 s after it began; "within a few
# seconds" leaves 2 s for a loaded machine, and is far from gunicorn's 30 s.
WITHIN_SECONDS = 9
# Once the database answers again, the very next request is served, on a new connection, at once.
RECOVERED_WITHIN_SECONDS = 3


def check_off(browser, server, status):
    page = browser.request("GET", f"{server}/topics/hang-proof/")
    assert page.status_code == 200
    return browser.request(
        "POST",
        f"{server}/topics/hang-proof/status/",
        data={"status": status, "csrfmiddlewaretoken": TOKEN.search(page.text).group(1)},
    )


def post_done(browser, server, token):
    data = {"status": "done", "csrfmiddlewaretoken": token}
    return browser.request("POST", f"{server}/topics/hang-proof/status/", data=data, timeout=40)


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def assert_designed_503(response):
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "Traceback" not in response.text


def test_a_hung_database_answers_503_within_seconds_then_the_site_recovers(static_root, ada, capsys):
    TopicFactory(title="Hang-proof topic", slug="hang-proof")
    with (
        proxied_database() as (proxy, database_url),
        gunicorn(database_url=database_url, static_root=static_root) as server,
    ):
        learner = Browser()
        assert learner.log_in(server, ada.email, PASSWORD).status_code == 302
        token = TOKEN.search(learner.request("GET", f"{server}/topics/hang-proof/").text).group(1)

        proxy.hang()
        # The connection open since the login hangs: the deadline's watchdog shuts it, and the request
        # opens no other one (plumbing.postgresql), so the 503 goes out at the deadline.
        hung, hung_seconds = timed(lambda: post_done(learner, server, token))
        assert_designed_503(hung)
        assert hung_seconds < WITHIN_SECONDS
        # The next request meets the hang on a new connection: connect_timeout ends that one.
        reconnect, reconnect_seconds = timed(
            lambda: learner.request("GET", f"{server}/topics/hang-proof/", timeout=40)
        )
        assert_designed_503(reconnect)
        assert reconnect_seconds < WITHIN_SECONDS
        assert not TopicProgress.objects.filter(user=ada).exists()

        proxy.resume()
        after, recovered_seconds = timed(lambda: check_off(learner, server, "done"))
        assert after.status_code == 302  # the first try, still logged in
        assert recovered_seconds < RECOVERED_WITHIN_SECONDS
        assert TopicProgress.objects.get(user=ada).status == "done"
    with capsys.disabled():
        print(
            f"\ndatabase hang: check-off answered {hung.status_code} after {hung_seconds:.1f} s, the next request "
            f"{reconnect.status_code} after {reconnect_seconds:.1f} s; once the proxy forwarded again, the next "
            f"check-off (page and post) answered {after.status_code} in {recovered_seconds:.2f} s"
        )


def test_a_locked_table_answers_503_when_the_statement_times_out(static_root, ada, capsys):
    TopicFactory(title="Hang-proof topic", slug="hang-proof")
    with gunicorn(database_url=served_database_url(), static_root=static_root) as server:
        learner = Browser()
        assert learner.log_in(server, ada.email, PASSWORD).status_code == 302
        token = TOKEN.search(learner.request("GET", f"{server}/topics/hang-proof/").text).group(1)
        with psycopg.connect(served_database_url()) as locker:
            locker.execute("LOCK TABLE learning_topicprogress IN ACCESS EXCLUSIVE MODE")
            locked, locked_seconds = timed(lambda: post_done(learner, server, token))
            locker.rollback()
        assert_designed_503(locked)
        assert STATEMENT_TIMEOUT_SECONDS <= locked_seconds < WITHIN_SECONDS  # gunicorn has the web's default
        assert not TopicProgress.objects.filter(user=ada).exists()
        assert check_off(learner, server, "done").status_code == 302  # the lock gone, the same process serves
        assert TopicProgress.objects.get(user=ada).status == "done"
    with capsys.disabled():
        print(f"\nlocked table: check-off answered {locked.status_code} after {locked_seconds:.1f} s")
