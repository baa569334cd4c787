"""Two gunicorn app servers sharing one PostgreSQL and one Redis, as behind a load balancer: a learner's
session works on both, their check-off on one shows on the other, and a rate limit counts across both."""

import re

import pytest
import redis
from django.db import connection

from learning.models import TopicProgress
from tests.factories import TopicFactory
from tests.ops.conftest import PASSWORD, WORKER_REDIS_URL, needs_redis
from tests.ops.servers import Browser, gunicorn, served_database_url

pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several app servers need PostgreSQL"),
]


@pytest.fixture
def servers(static_root):
    redis.Redis.from_url(WORKER_REDIS_URL).flushdb()
    database_url = served_database_url()
    with (
        gunicorn(database_url=database_url, static_root=static_root, redis_url=WORKER_REDIS_URL) as first,
        gunicorn(database_url=database_url, static_root=static_root, redis_url=WORKER_REDIS_URL) as second,
    ):
        yield first, second
    redis.Redis.from_url(WORKER_REDIS_URL).flushdb()


def test_a_learner_logs_in_on_one_server_and_checks_off_on_the_other(servers, ada):
    first, second = servers
    topic = TopicFactory(title="Shared state", slug="shared-state")
    browser = Browser()
    logged_in = browser.log_in(first, ada.email, PASSWORD)
    assert logged_in.status_code == 302, re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', logged_in.text)

    token = browser.token(f"{second}/topics/shared-state/")
    checked = browser.request(
        "POST", f"{second}/topics/shared-state/status/", data={"status": "done", "csrfmiddlewaretoken": token}
    )
    assert checked.status_code == 302
    assert TopicProgress.objects.get(user=ada, topic=topic).status == "done"

    topic_page = browser.request("GET", f"{first}/topics/shared-state/")
    assert topic_page.status_code == 200
    assert "<strong>done ✓</strong>" in topic_page.text
    assert browser.request("GET", f"{first}/me/").status_code == 200


def test_failed_logins_count_across_both_servers(servers, ada):
    first, second = servers
    browser = Browser()
    for server in (first, second, first, second, first):  # allauth allows 5 failures per address
        refused = browser.log_in(server, ada.email, "wrong password")
        assert "not correct" in refused.text
    limited = browser.log_in(second, ada.email, "wrong password")
    assert "Too many failed login attempts" in limited.text
    still_limited = browser.log_in(first, ada.email, PASSWORD)
    assert "Too many failed login attempts" in still_limited.text
