"""Redis going away under a real production gunicorn (two workers, PostgreSQL, a redis-server of the test's
own) and coming back (plumbing/redis_cache.py): every page answers, the learner stays logged in, a check-off
is stored, the login limit keeps refusing, /readyz says "degraded"; then the site uses Redis again by itself,
and nothing Redis kept from before the outage is taken as current: neither a page that changed while it was
away nor a session logged out meanwhile."""

import shutil
import time

import pytest
from django.db import connection

from learning.models import TopicProgress
from plumbing.cache_tokens import HOLD_SECONDS
from tests.factories import TopicFactory
from tests.ops.conftest import PASSWORD
from tests.ops.servers import TOKEN, Browser, RedisServer, gunicorn, served_database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several app processes need PostgreSQL"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]

WORKERS = 2
PAGE_KEYS = "roadmap:1:page:3:*"
VISITOR_PAGES = ["/", "/tracks/", "/topics/cache-proof/", "/resources/", "/search/?q=cache"]
LEARNER_PAGES = ["/me/", "/topics/cache-proof/", "/tracks/"]
OUTAGE_SECONDS = 4
SENTINEL = "outage-test:sentinel"
LOGIN_FAILURES_ALLOWED = 5  # allauth's default: 5 failed logins per address in 5 minutes
TOO_MANY = "Too many failed login attempts"


def count_keys(redis_server) -> int:
    return sum(1 for _ in redis_server.client().scan_iter(match=PAGE_KEYS))


def test_redis_going_away_and_coming_back(static_root, ada, tmp_path, capsys):
    TopicFactory(title="Cache-proof topic", slug="cache-proof")
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    try:
        with gunicorn(
            database_url=served_database_url(),
            static_root=static_root,
            redis_url=redis_server.url,
            workers=WORKERS,
            log_dir=tmp_path,
            LOG_LEVEL="INFO",
        ) as server:
            learner, visitor, leaver = Browser(), Browser(), Browser()
            assert learner.log_in(server, ada.email, PASSWORD).status_code == 302
            assert leaver.log_in(server, ada.email, PASSWORD).status_code == 302
            assert leaver.request("GET", f"{server}/me/").status_code == 200  # its session cached in Redis
            for _ in range(3):  # cached in Redis under the learner's token: not done
                page = learner.request("GET", f"{server}/topics/cache-proof/")
                assert page.status_code == 200
                assert "<strong>done ✓</strong>" not in page.text
                for path in VISITOR_PAGES:
                    assert visitor.request("GET", server + path).status_code == 200
            assert count_keys(redis_server) > 0
            assert learner.request("GET", f"{server}/readyz").json()["cache"] == "ok"
            # A key no worker writes: whether Redis comes back with its data can be told from it alone. The
            # pages above are stored again while Redis is away, so each worker deletes them as soon as Redis
            # answers, which may come before this test looks.
            redis_server.client().set(SENTINEL, "kept")

            redis_server.stop()
            statuses = []

            def get(browser, path):
                response = browser.request("GET", server + path)
                statuses.append(response.status_code)
                return response

            deadline = time.monotonic() + OUTAGE_SECONDS
            while time.monotonic() < deadline:
                for path in VISITOR_PAGES:
                    assert get(visitor, path).status_code == 200, path
                for path in LEARNER_PAGES:
                    page = get(learner, path)
                    assert page.status_code == 200, path  # still logged in: /me/ would redirect to the login
            page = get(learner, "/topics/cache-proof/")
            checked = learner.request(
                "POST",
                f"{server}/topics/cache-proof/status/",
                data={"status": "done", "csrfmiddlewaretoken": TOKEN.search(page.text).group(1)},
            )
            statuses.append(checked.status_code)
            assert checked.status_code == 302
            assert TopicProgress.objects.get(user=ada, topic__slug="cache-proof").status == "done"
            assert "<strong>done ✓</strong>" in get(learner, "/topics/cache-proof/").text

            stolen = dict(leaver.cookies)  # what a thief of the leaver's cookie would replay later
            left = leaver.post_form(f"{server}/accounts/logout/", {})
            statuses.append(left.status_code)
            assert left.status_code == 302
            assert get(leaver, "/me/").status_code == 302  # logged out: sent to the login page

            newcomer = Browser()  # logging in works too: the session goes to the database
            logged_in = newcomer.log_in(server, ada.email, PASSWORD)
            statuses.append(logged_in.status_code)
            assert logged_in.status_code == 302
            assert get(newcomer, "/me/").status_code == 200

            attacker, refused_at = Browser(), None
            for attempt in range(1, WORKERS * LOGIN_FAILURES_ALLOWED + 2):  # each worker counts for itself
                refused = attacker.log_in(server, ada.email, "wrong password")
                statuses.append(refused.status_code)
                if TOO_MANY in refused.text:
                    refused_at = attempt
                    break
                assert "not correct" in refused.text
            assert refused_at is not None
            assert refused_at > LOGIN_FAILURES_ALLOWED
            assert get(learner, "/me/").status_code == 200  # the learner's own session is untouched

            ready = get(visitor, "/readyz")
            assert ready.status_code == 200
            assert ready.json() == {
                "status": "degraded",
                "database": "ok",
                "migrations": "applied",
                "cache": "unavailable",
            }
            server_errors = sum(status >= 500 for status in statuses)
            assert server_errors == 0

            redis_server.start()
            restarted = time.monotonic()
            assert redis_server.client().get(SENTINEL) == b"kept"  # Redis is back with what it held before
            stored_again, probe = None, 0
            while stored_again is None and time.monotonic() - restarted < 10:
                before = count_keys(redis_server)
                probe += 1
                assert visitor.request("GET", f"{server}/tracks/?probe={probe}").status_code == 200
                if count_keys(redis_server) > before:
                    stored_again = time.monotonic() - restarted
                time.sleep(0.05)
            assert stored_again is not None, "no page was stored in Redis again"
            log = wait_for_every_worker_back(tmp_path / "server.log", deadline=restarted + 10)
            back_everywhere = time.monotonic() - restarted

            # Redis still holds the copies from before the outage: the learner's topic page "not done" and the
            # leaver's session, under version tokens and a session key that the outage's writes couldn't move
            # or delete there. Once each worker's held tokens are read from Redis again (HOLD_SECONDS), its
            # copy of the page would be served as current if the outage's keys had not been deleted.
            time.sleep(HOLD_SECONDS + 0.5)
            for _ in range(2 * WORKERS):  # whichever worker answers: the check-off shows, not the old copy
                assert (
                    "<strong>done ✓</strong>" in learner.request("GET", f"{server}/topics/cache-proof/").text
                )
            thief = Browser()
            thief.cookies = stolen
            assert thief.request("GET", f"{server}/me/").status_code == 302  # the session stays logged out
            assert learner.request("GET", f"{server}/readyz").json()["status"] == "ok"
    finally:
        redis_server.stop()

    away, back = log.count("cache unavailable: Redis"), log.count("cache back: Redis")
    assert 1 <= away <= WORKERS  # once per process, not once per request
    assert back == away
    with capsys.disabled():
        print(
            f"\ncache outage: {len(statuses)} requests during the outage, {server_errors} answered 5xx; "
            f"login refused at attempt {refused_at}; a page stored in Redis again {stored_again:.2f} s after "
            f"it restarted, every worker back after {back_everywhere:.2f} s; "
            f"{away} warning(s) and {back} info line(s) logged"
        )


def wait_for_every_worker_back(log_path, deadline: float) -> str:
    while True:
        log = log_path.read_text()
        if (
            log.count("cache back: Redis") >= log.count("cache unavailable: Redis")
            or time.monotonic() > deadline
        ):
            return log
        time.sleep(0.05)
