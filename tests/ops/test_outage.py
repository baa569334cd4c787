"""A real database outage, against a real gunicorn: 503 with Retry-After while PostgreSQL is unreachable,
and the same process serving again as soon as it returns."""

import time

import pytest
import requests
from django.db import connection

from tests.factories import TrackFactory
from tests.ops.servers import gunicorn, proxied_database

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the outage is simulated on PostgreSQL"),
]


def test_an_outage_answers_503_then_the_site_recovers_without_a_restart(static_root):
    track = TrackFactory(title="Outage-proof track")
    with (
        proxied_database() as (proxy, database_url),
        gunicorn(database_url=database_url, static_root=static_root) as server,
    ):
        before = requests.get(f"{server}/tracks/", timeout=5)
        assert before.status_code == 200
        assert "Outage-proof track" in before.text

        proxy.cut()
        # A page already in the cache is still served: reading needs no database (plumbing.page_cache).
        cached = requests.get(f"{server}/tracks/", timeout=5)
        assert cached.status_code == 200
        assert "Outage-proof track" in cached.text
        # A page that has to be rendered can't be.
        down = requests.get(f"{server}{track.get_absolute_url()}", timeout=5)
        assert down.status_code == 503
        assert down.headers["Retry-After"] == "30"
        assert "We&#x27;ll be back in a moment" in down.text or "We'll be back in a moment" in down.text
        assert "Traceback" not in down.text
        assert requests.get(f"{server}/readyz", timeout=5).status_code == 503
        assert requests.get(f"{server}/healthz", timeout=5).status_code == 200

        proxy.restore()
        deadline, after = time.monotonic() + 10, None
        while time.monotonic() < deadline:
            after = requests.get(f"{server}{track.get_absolute_url()}", timeout=5)
            if after.status_code == 200:
                break
            time.sleep(0.2)
        assert after.status_code == 200
        assert "Outage-proof track" in after.text
        assert requests.get(f"{server}/readyz", timeout=5).json()["database"] == "ok"
