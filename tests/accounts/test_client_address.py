"""allauth's per-address limits count the client behind the proxy, never the proxy itself.

Every request here arrives from one proxy address (REMOTE_ADDR 10.0.0.2, as gunicorn sees the shipped nginx),
with the X-Forwarded-For nginx appends. TRUSTED_PROXY_COUNT (ALLAUTH_TRUSTED_PROXY_COUNT) says how many
proxies' entries to trust.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import PASSWORD
from tests.processes import run_python

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"
TOO_MANY = "Too many failed login attempts"


def log_in_from(forwarded_for, email, password):
    """A fresh browser behind the proxy; the proxy appended the address it saw."""
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    response = browser.post(reverse("account_login"), {"login": email, "password": password})
    return response, "_auth_user_id" in browser.session


def fail_many_times_from(forwarded_for, count=11):
    """`count` failed logins, each on another account, so only the per-address limit can trip."""
    for n in range(count):
        log_in_from(forwarded_for, f"nobody{n}@example.com", "wrong password")
    refused, _ = log_in_from(forwarded_for, "nobody-else@example.com", "wrong password")
    return refused


def test_behind_the_proxy_one_clients_failures_never_refuse_another(settings, verified_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert TOO_MANY in fail_many_times_from(CLIENT_A).text  # client A is limited...

    response, logged_in = log_in_from(CLIENT_B, verified_user.email, PASSWORD)

    assert response.status_code == 302  # ...client B, behind the same proxy, is not
    assert logged_in


def test_the_client_is_the_address_the_trusted_proxy_saw_not_what_the_client_wrote(settings, verified_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # Client A forges an X-Forwarded-For entry; nginx appends the address it really saw, which counts.
    for n in range(11):
        log_in_from(f"192.0.2.{n}, {CLIENT_A}", f"nobody{n}@example.com", "wrong password")

    response, logged_in = log_in_from(f"198.51.100.99, {CLIENT_A}", verified_user.email, PASSWORD)

    assert TOO_MANY in response.text
    assert not logged_in


def test_without_trusted_proxies_a_forged_forwarded_for_is_ignored(settings, verified_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0  # the default: REMOTE_ADDR counts
    for n in range(11):
        log_in_from(f"192.0.2.{n}", f"nobody{n}@example.com", "wrong password")

    response, logged_in = log_in_from(CLIENT_B, verified_user.email, PASSWORD)

    assert TOO_MANY in response.text  # a new X-Forwarded-For bought no new allowance
    assert not logged_in


def test_the_per_account_limit_still_applies_across_clients(settings, verified_user):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(5):  # allauth's "5/300s/key": five failures on one account, from five clients
        response, _ = log_in_from(f"192.0.2.{n}", verified_user.email, "wrong password")
        assert "not correct" in response.text

    response, logged_in = log_in_from(CLIENT_B, verified_user.email, PASSWORD)

    assert TOO_MANY in response.text
    assert not logged_in


def test_trusted_proxy_count_is_read_from_the_environment():
    script = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"
    assert run_python(["-c", f"import django; django.setup(); {script}"]).stdout.strip() == "0"
    behind_nginx = run_python(["-c", f"import django; django.setup(); {script}"], TRUSTED_PROXY_COUNT="1")
    assert behind_nginx.stdout.strip() == "1"
    refused = run_python(["-c", "import django; django.setup()"], TRUSTED_PROXY_COUNT="-1")
    assert "TRUSTED_PROXY_COUNT must be at least 0" in refused.stderr
