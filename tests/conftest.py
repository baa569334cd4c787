import asyncio
import os

import pytest
from django.core.cache import cache
from django.test import Client

from bench.run import free_port
from plumbing import cache_tokens, overlay
from plumbing.page_cache import local_copies
from tests.factories import CuratorFactory, SuperuserFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The manifest storage needs collectstatic; tests/test_project.py checks the real pipeline once.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Mail goes through the site's queue as in production, but the queue runs each task at once and delivers
    # into django.core.mail.outbox; tests/plumbing/test_mail_queue.py runs the database queue and its worker.
    settings.EMAIL_BACKEND = "plumbing.mail.QueuedEmailBackend"
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (allauth's and the site's) live in the cache, and pages in it and in this process's
    copies: every test starts with none."""
    cache.clear()
    local_copies.clear()
    cache_tokens.forget_held()
    overlay.forget()
    yield
    cache.clear()
    local_copies.clear()
    cache_tokens.forget_held()
    overlay.forget()


@pytest.fixture(autouse=True)
def _no_event_loop_outside_the_browser_tests(request):
    """Only the browser tests run beside an event loop (Playwright's) with DJANGO_ALLOW_ASYNC_UNSAFE set
    (tests/browser/conftest.py); every other test runs as the site does, and the ORM's guard is on."""
    if request.node.get_closest_marker("browser") is None:
        assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ
        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()


@pytest.fixture
def database_queue(settings, transactional_db):
    """The production queue: tasks are rows that tests.mail_queue.run_worker() runs, and mail goes out over
    SMTP to a local port where nothing listens (a test starts a server there when it wants one). Tests
    commit for real, because the worker, like production's, runs outside the request's transaction."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    settings.MAIL_RETRY_DELAYS = [1, 1]
    return settings


@pytest.fixture
def rendered_every_time(settings):
    """Turns off the whole-page cache, so a test measures what rendering a page costs (its queries)."""
    settings.PAGE_CACHE = False


@pytest.fixture
def cold_get(django_assert_num_queries):
    """GETs a page with nothing in the cache nor in this process's memo (the most it can cost) and asserts
    it answers 200 after exactly `queries` queries; returns the response."""

    def get(client, url, queries):
        cache.clear()
        # This process's copies too: its memo of what is rendered once per version, the tokens it holds.
        cache_tokens.forget_held()
        overlay.forget()
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200
        return response

    return get


@pytest.fixture
def learner(db):
    return UserFactory()


@pytest.fixture
def curator(db):
    """Staff in the real Curator group (data migration learning/0007): what curators may do, and no more."""
    return CuratorFactory()


@pytest.fixture
def curator_client(curator):
    """A separate client logged in as a curator, so `client` stays a visitor in the same test."""
    return logged_in(curator)


@pytest.fixture
def superuser(db):
    """For what only a superuser may do: managing users, groups and permissions."""
    return SuperuserFactory()


@pytest.fixture
def superuser_client(superuser):
    return logged_in(superuser)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
