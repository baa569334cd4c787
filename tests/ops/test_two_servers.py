"""Two gunicorn app servers sharing one PostgreSQL and one Redis, as behind a load balancer: a learner's
session works on both, their check-off on one shows on the other, and a rate limit counts across both."""

import os
import re

import pytest
import redis
import requests
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from learning.models import TopicProgress
from tests.factories import TopicFactory, UserFactory
from tests.ops.conftest import needs_redis
from tests.ops.servers import gunicorn

pytestmark = [
    needs_redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="several app servers need PostgreSQL"),
]
# A Redis database per pytest-xdist worker, so parallel workers never flush each other's counters.
REDIS_URL = f"redis://127.0.0.1:6379/{14 - int(os.environ.get('PYTEST_XDIST_WORKER', 'gw0')[2:] or 0) % 8}"
PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


PUBLIC_HOST = "roadmap.test"


class Browser:
    """What the app servers see of one browser behind the load balancer: the public host name, HTTPS as
    reported by the proxy, and the browser's Secure __Host- cookies (requests itself won't send Secure
    cookies over plain HTTP)."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, **kwargs):
        origin = f"https://{PUBLIC_HOST}"
        headers = {
            "Host": PUBLIC_HOST,
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + "/",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        response = requests.request(method, url, headers=headers, allow_redirects=False, timeout=10, **kwargs)
        self.cookies |= response.cookies.get_dict()
        return response

    def token(self, url):
        page = self.request("GET", url)
        assert page.status_code == 200, page.status_code
        return TOKEN.search(page.text).group(1)

    def log_in(self, server, email, password):
        token = self.token(f"{server}/accounts/login/")
        return self.request(
            "POST",
            f"{server}/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": token},
        )


@pytest.fixture
def servers(static_root):
    redis.Redis.from_url(REDIS_URL).flushdb()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    with (
        gunicorn(database_url=database_url, static_root=static_root, redis_url=REDIS_URL) as first,
        gunicorn(database_url=database_url, static_root=static_root, redis_url=REDIS_URL) as second,
    ):
        yield first, second
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def ada():
    # The servers use the real password hashers, not the tests' fast MD5 one.
    user = UserFactory(email="ada@example.com")
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "ops-salt")
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


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
