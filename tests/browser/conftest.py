"""Playwright against pytest-django's live server, with Debian's Chromium (Playwright cannot download one)."""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.chromium import launch_chromium

DESKTOP = {"width": 1366, "height": 900}
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests in a row, stopped before any other test runs in this process.

    While Playwright's sync API is started, this thread counts as running an event loop, and the ORM (the
    tests' factories, the flush after each live-server test) refuses to run beside one unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. Both last exactly as long as this package's tests: stopping Playwright
    ends the loop, so the other tests run without the loop and without the variable.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        browser = launch_chromium(playwright)
        yield browser
        browser.close()
        playwright.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def console_errors():
    """Every console error and uncaught exception of the page fixture's pages."""
    return []


@pytest.fixture
def page(context, console_errors):
    page = context.new_page()
    page.on(
        "console", lambda message: console_errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    page.close()


@pytest.fixture
def new_page(browser, console_errors):
    """Opens pages in fresh contexts with other options than `context`'s (java_script_enabled=False, ...).

    Like the page fixture, they report console errors and uncaught exceptions to console_errors; their
    contexts close after the test.
    """
    contexts = []

    def open_page(**options):
        context = browser.new_context(viewport=DESKTOP, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: console_errors.append(message.text) if message.type == "error" else None,
        )
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
