import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from plumbing import cache_tokens
from plumbing.page_cache import local_copies
from tests.factories import StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The manifest storage needs collectstatic; tests/test_project.py checks the real pipeline once.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (allauth's and the site's) live in the cache, and pages in it and in this process's
    copies: every test starts with none."""
    cache.clear()
    local_copies.clear()
    cache_tokens.forget_held()
    yield
    cache.clear()
    local_copies.clear()
    cache_tokens.forget_held()


@pytest.fixture
def rendered_every_time(settings):
    """Turns off the whole-page cache, so a test measures what rendering a page costs (its queries)."""
    settings.PAGE_CACHE = False


def cold_queries(client, url) -> int:
    """The queries of one request for `url` with nothing in the cache: the most a page can cost."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def staff_client(staff):
    """A separate client logged in as staff, so `client` stays a visitor in the same test."""
    staff_client = Client()
    staff_client.force_login(staff)
    return staff_client
